"""Execution: run a sweep's missing runs on local processes or a Dask cluster, into its store.

Both executors are `concurrent.futures.Executor`s driven by the same loop:

- local (default): `ProcessPoolExecutor` with the forkserver start method, one
  process per core unless told otherwise;
- cluster: `distributed.Client(address).get_executor()`; the workers need the same
  project code installed (a worker whose code version differs fails its runs);
- `workers=0`: in this process, one run after another (for debugging and notebooks).

A worker gets a resolved scenario and returns the outcomes of interest; only this
process writes to the store, so the store needs no shared file system and results
do not depend on the number of workers or the order in which runs finish.
"""
from __future__ import annotations

import json
import os
import socket
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd
import pyarrow as pa

from sim import CITY_CODE, Scenario, code_version
from sim import run as run_scenario

from .design import Plan, RunTask, describe_design, model_fingerprint, plan_sweep
from .lifeline import stop_on_signals, stop_pool, watch_parent
from .spec import SweepError, SweepSpec
from .store import RunStore

Progress = Callable[[int, int], None]


# --- the work of one run (executed in a worker) ------------------------------------

@dataclass(frozen=True)
class Keep:
    """Which rows of a run's outcomes table go into the store."""
    outcomes: tuple[str, ...]
    years: tuple[int, ...] | None = None        # None: the run's end year
    counties: tuple[str, ...] = (CITY_CODE,)     # "*": all
    groups: tuple[str, ...] = ("all",)           # "*": all

    @classmethod
    def of(cls, spec: SweepSpec) -> "Keep":
        return cls(tuple(spec.outcomes), tuple(spec.years) if spec.years else None,
                   tuple(spec.counties), tuple(spec.groups))

    def select(self, outcomes: pd.DataFrame, end_year: int) -> pd.DataFrame:
        years = self.years or (end_year,)
        mask = outcomes["outcome"].isin(self.outcomes) & outcomes["year"].isin(years)
        if "*" not in self.counties:
            mask &= outcomes["county"].isin(self.counties)
        if "*" not in self.groups:
            mask &= outcomes["group"].isin(self.groups)
        return outcomes.loc[mask, ["year", "county", "group", "outcome", "value"]].reset_index(drop=True)

    def describe(self) -> dict:
        return {"outcomes": list(self.outcomes), "years": list(self.years) if self.years else "end_year",
                "counties": list(self.counties), "groups": list(self.groups)}


def execute_run(run_id: str, scenario: dict, keep: Keep) -> dict:
    """Run one resolved scenario; never raises. Returns the kept outcomes, or the error."""
    start = time.perf_counter()
    where = {"host": socket.gethostname(), "pid": os.getpid()}
    try:
        sc = Scenario.model_validate(scenario)
        result = run_scenario(sc)
        table = keep.select(result.outcomes, sc.end_year)
        return {"run_id": run_id, "ok": True, "outcomes": table, "code_version": model_fingerprint(),
                "git_version": result.manifest["code_version"],
                "wall_time_s": round(time.perf_counter() - start, 4), **where}
    except Exception as e:  # a failing run is recorded, not fatal
        return {"run_id": run_id, "ok": False, "error": f"{type(e).__name__}: {e}",
                "traceback": traceback.format_exc(), "wall_time_s": round(time.perf_counter() - start, 4), **where}


# --- executors -------------------------------------------------------------------

class InlineExecutor(Executor):
    """Runs each task in this process when it is submitted (workers=0)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:
            fut.set_exception(e)
        return fut


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@contextmanager
def open_executor(workers: int | None = None, scheduler: str | None = None,
                  connect_timeout: float = 10.0) -> Iterator[tuple[Executor, int, str]]:
    """(executor, how many runs to keep in flight, description) for local processes,
    in-process runs (workers=0) or the Dask scheduler at `scheduler`."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError:  # pragma: no cover - a dependency of the project
            raise SweepError("--scheduler needs the `distributed` package (pip install 'dask[distributed]')") from None
        try:
            client = Client(scheduler, timeout=connect_timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            raise SweepError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None
        try:
            threads = sum(client.nthreads().values()) or 1
            yield client.get_executor(pure=False), max(2 * threads, 4), f"Dask cluster {scheduler} ({threads} threads)"
        finally:
            client.close()
        return
    n = default_workers() if workers is None else workers
    if n < 0:
        raise SweepError(f"--workers: expected 0 (in this process) or more, found {n}")
    if n == 0:
        yield InlineExecutor(), 1, "this process"
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["experiments.execute"])
    pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=watch_parent, initargs=(os.getpid(),))
    try:
        yield pool, 2 * n, f"{n} local process{'es' if n > 1 else ''}"
    except BaseException:   # interrupted or broken: stop the workers now rather than wait for their runs
        stop_pool(pool)
        raise
    pool.shutdown(wait=True, cancel_futures=True)


# --- the sweep -------------------------------------------------------------------

@dataclass
class SweepReport:
    """What `run_sweep` did."""
    out: Path
    n_runs: int
    n_rows: int
    replicates: int
    already_done: int = 0
    ran: int = 0
    failed: dict[str, str] = field(default_factory=dict)    # run id -> error
    removed_temp: int = 0
    wall_time_s: float = 0.0
    executor: str = ""

    @property
    def complete(self) -> bool:
        return self.already_done + self.ran - len(self.failed) == self.n_runs

    @property
    def runs_per_minute(self) -> float:
        return 60 * self.ran / self.wall_time_s if self.wall_time_s > 0 else float("nan")


def sweep_meta(plan: Plan, keep: Keep) -> dict:
    spec = plan.spec
    return {
        "name": spec.name,
        "spec_file": Path(spec.source).name,
        "spec": spec.canonical(),
        "base_scenario": plan.base.model_dump(mode="json"),
        "code_version": plan.code_version,
        "git_version": code_version(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "design": describe_design(spec),
        "factors": [f.describe() for f in plan.factors],
        "seeds": plan.seeds,
        "keep": keep.describe(),
        "n_rows": plan.n_rows,
        "replicates": spec.replicates,
        "n_runs": plan.n_runs,
    }


def _check_resumable(store: RunStore, plan: Plan, keep: Keep) -> bool:
    """Refuse to mix two different sweeps (or two code versions) in one folder. The one
    difference allowed is more replicates: the seeds of the first ones (and so their run
    ids) do not depend on how many there are. Returns True when replicates are added."""
    meta = store.meta()
    where = store.root
    if meta.get("code_version") != plan.code_version:
        raise SweepError(f"{where}: the model code changed since this sweep started (fingerprint "
                         f"{meta.get('code_version')}, now {plan.code_version}); results of different code would "
                         f"be mixed: start a new --out folder")
    old, new = dict(meta.get("spec", {})), plan.spec.canonical()
    for d in (old, new):
        d.pop("base", None)
        d.pop("description", None)
    keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    had, wants = int(old.get("replicates", 1)), plan.spec.replicates
    if keys == ["replicates"] and wants < had:
        raise SweepError(f"{where}: holds {had} replicates, the spec asks for {wants}; --resume can add "
                         f"replicates, not drop stored ones: resume with replicates: {had} or more")
    if keys and keys != ["replicates"]:
        raise SweepError(f"{where}: holds a sweep with a different spec (differs in {', '.join(keys)}); "
                         f"resume it with its own spec (only `replicates` may grow) or start a new --out folder")
    if meta.get("base_scenario") != plan.base.model_dump(mode="json"):
        raise SweepError(f"{where}: the base scenario changed since this sweep started; "
                         f"start a new --out folder")
    if meta.get("keep") != keep.describe():
        raise SweepError(f"{where}: the outcomes to keep changed since this sweep started; start a new --out folder")
    design = store.design()
    stored_reps = int(design["replicate"].max()) + 1 if len(design) else had   # design.parquet is written first
    expected = plan.table[plan.table.replicate < stored_reps]
    if list(design["run_id"]) != list(expected["run_id"]):
        raise SweepError(f"{where}: the design differs from the stored design.parquet; start a new --out folder")
    return wants > had or stored_reps != wants


def prepare_store(plan: Plan, out: str | Path, resume: bool) -> RunStore:
    """Create the store for a new sweep, or check that `out` holds this very sweep when resuming
    (with more replicates, the design and sweep.json are extended)."""
    store = RunStore(out)
    keep = Keep.of(plan.spec)
    if store.exists():
        if not resume:
            raise SweepError(f"{store.root}: already holds a sweep; pass --resume to finish it, "
                             f"or choose another --out folder")
        if _check_resumable(store, plan, keep):
            old = store.meta()
            grown = old.get("replicates_added", []) + [{"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                                         "from": old["replicates"], "to": plan.spec.replicates}]
            store.extend(plan.table, {**sweep_meta(plan, keep), "created": old.get("created"),
                                      "replicates_added": grown})
        return store
    if store.root.exists() and (not store.root.is_dir() or any(store.root.iterdir())):
        raise SweepError(f"{store.root}: exists and is not an empty folder; choose another --out folder")
    store.create(sweep_meta(plan, keep), plan.table)
    return store


def _run_table(task: RunTask, outcomes: pd.DataFrame, plan: Plan, info: dict) -> pa.Table:
    """A run's file: run id, seed and factor values on every row, then the tidy outcomes."""
    n = len(outcomes)
    cols: dict[str, pa.Array] = {"run_id": pa.array([task.run_id] * n, pa.string()),
                                 "seed": pa.array([task.seed] * n, pa.int64())}
    for f in plan.factors:
        value = f.column(task.factors[f.path])
        cols[f.path] = pa.array([value] * n)
    cols["year"] = pa.array(outcomes["year"].to_numpy(dtype="int64"), pa.int64())
    for c in ("county", "group", "outcome"):
        cols[c] = pa.array(outcomes[c].astype(str).tolist(), pa.string())
    cols["value"] = pa.array(outcomes["value"].to_numpy(dtype="float64"), pa.float64())
    # The full scenario is not repeated here: it is sweep.json's base scenario with the factor
    # values and seed of this file (`experiments.scenario_of` rebuilds it and checks the id).
    meta = {"run_id": task.run_id, "code_version": plan.code_version, "git_version": info.get("git_version"),
            "wall_time_s": info.get("wall_time_s"), "host": info.get("host")}
    return pa.table(cols).replace_schema_metadata({"urbsim.run": json.dumps(meta, ensure_ascii=False)})


def run_sweep(spec: SweepSpec, out: str | Path, *, workers: int | None = None, scheduler: str | None = None,
              resume: bool = False, progress: Progress | None = None,
              on_failure: Callable[[str, str], None] | None = None, plan: Plan | None = None) -> SweepReport:
    """Run every run of the sweep that `out` does not hold yet and write it to the store.

    `workers`: local processes (default: the cores; 0 runs in this process);
    `scheduler`: a Dask scheduler address such as tcp://host:8786 (workers is then ignored);
    `resume`: continue a sweep already in `out` (only its missing and failed runs are run);
    `progress(done, total)` after each run; `on_failure(run_id, error)` for each failed run.
    Raises SweepError for a bad folder or a broken executor; failed runs do not stop the sweep."""
    start = time.perf_counter()
    plan = plan or plan_sweep(spec)
    keep = Keep.of(spec)
    store = prepare_store(plan, out, resume)
    report = SweepReport(Path(out), plan.n_runs, plan.n_rows, spec.replicates)
    report.removed_temp = store.tidy()
    done = store.done() & set(plan.tasks)
    report.already_done = len(done)
    todo = [t for rid, t in plan.tasks.items() if rid not in done]
    count = report.already_done
    if progress:
        progress(count, plan.n_runs)

    def failed(task: RunTask, record: dict) -> None:
        store.write_failure(task.run_id, {"seed": task.seed, "factors": task.factors, **record})
        report.failed[task.run_id] = record["error"]
        if on_failure:
            on_failure(task.run_id, record["error"])

    def finish(task: RunTask, res: dict) -> None:
        nonlocal count
        report.ran += 1
        count += 1
        info = {k: v for k, v in res.items() if k != "outcomes"}
        if res["ok"] and res["code_version"] != plan.code_version:
            failed(task, {**info, "ok": False, "error": f"worker on {res['host']} runs model code "
                                                      f"{res['code_version']}, the sweep uses {plan.code_version}"})
        elif res["ok"]:
            store.write_run(task.run_id, _run_table(task, res["outcomes"], plan, res))
        else:
            failed(task, info)
        if progress:
            progress(count, plan.n_runs)

    for task in [t for t in todo if not t.valid]:
        finish(task, {"run_id": task.run_id, "ok": False, "wall_time_s": 0.0,
                      "error": "invalid scenario: " + "; ".join(task.problems)})
    valid = [t for t in todo if t.valid]
    if valid:
        with stop_on_signals(), open_executor(workers, scheduler) as (ex, window, label):
            report.executor = label
            _drive(ex, window, valid, keep, finish)
    report.wall_time_s = time.perf_counter() - start
    return report


def _drive(ex: Executor, window: int, tasks: list[RunTask], keep: Keep,
           finish: Callable[[RunTask, dict], None]) -> None:
    """Keep up to `window` runs in flight; hand each result to `finish` as it arrives."""
    queue = iter(tasks)
    pending: dict[Future, RunTask] = {}

    def fill() -> None:
        while len(pending) < window:
            task = next(queue, None)
            if task is None:
                return
            pending[ex.submit(execute_run, task.run_id, task.scenario, keep)] = task

    try:
        fill()
        while pending:
            ready, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in ready:
                task = pending.pop(fut)
                try:
                    res = fut.result()
                except BrokenProcessPool:
                    raise SweepError("a worker process died (out of memory, killed, or started from a script "
                                     "without an `if __name__ == \"__main__\":` guard); the runs finished so far "
                                     "are stored: run again with --resume") from None
                except Exception as e:  # the executor failed this run (lost worker, serialisation, ...)
                    res = {"run_id": task.run_id, "ok": False, "error": f"{type(e).__name__}: {e}",
                           "traceback": traceback.format_exc(), "wall_time_s": None}
                finish(task, res)
            fill()
    finally:
        for fut in pending:
            fut.cancel()


def sweep_status(out: str | Path) -> dict[str, Any]:
    """How far a stored sweep got: n_runs, done, failed, missing run ids."""
    store = RunStore(out)
    meta = store.meta()
    ids = list(dict.fromkeys(store.design()["run_id"]))
    done, failures = store.done(), store.failures()
    missing = [r for r in ids if r not in done and r not in failures]
    return {"name": meta.get("name"), "n_runs": meta.get("n_runs", len(ids)), "done": len(done & set(ids)),
            "failed": len(set(failures) & set(ids)), "missing": missing, "temp_files": len(store.temp_files())}
