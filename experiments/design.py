"""Experiment design: a spec becomes a table of design rows and a list of runs.

A *design row* is one point in factor space. Each row is run once per replicate,
with the replicate seeds shared by every row (common random numbers), so that two
rows differ only by their factor values. A *run* is one resolved scenario; its id
is a hash of the full scenario and the code version, so a run that two rows share
(say, two Morris points that round to the same choices) is simulated once.

Sampling for `lhs`, `sobol` and `morris` happens in the unit cube, with SALib and
the spec's `seed`; each factor maps its unit coordinate to a value
(`Factor.value_at`). Choice and integer factors take equal shares of [0, 1), so a
Sobol' or Morris index for a choice factor is the index of its integer level.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import Scenario, ScenarioError, replicate_seeds, with_overrides

from .factors import Factor, factors_of
from .spec import GridDesign, LhsDesign, Method, MorrisDesign, SobolDesign, SweepError, SweepSpec
from .spec_file import base_scenario

UNIT_PREFIX = "unit:"     # design-table columns holding a row's unit-cube coordinates
LEVEL_PREFIX = "level:"   # design-table columns holding a choice factor's integer level


def salib_problem(factors: list[Factor]) -> dict:
    """The SALib problem: every factor on [0, 1] (values come from `Factor.value_at`)."""
    return {"num_vars": len(factors), "names": [f.path for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}


def unit_sample(spec: SweepSpec, factors: list[Factor]) -> np.ndarray | None:
    """The design's points in the unit cube (rows × factors), or None for a grid."""
    d, problem = spec.design, salib_problem(factors)
    if isinstance(d, GridDesign):
        return None
    if isinstance(d, LhsDesign):
        from SALib.sample import latin
        return latin.sample(problem, d.n, seed=spec.seed)
    if isinstance(d, SobolDesign):
        from SALib.sample import sobol
        return sobol.sample(problem, d.n, calc_second_order=d.second_order, scramble=True, seed=spec.seed)
    if isinstance(d, MorrisDesign):
        from SALib.sample import morris
        return morris.sample(problem, d.trajectories, num_levels=d.levels, seed=spec.seed)
    raise TypeError(f"unknown design {d!r}")  # pragma: no cover


def design_size(spec: SweepSpec) -> int:
    """Number of design rows the spec asks for (before replicates)."""
    d, k = spec.design, len(spec.factors)
    if isinstance(d, GridDesign):
        return int(np.prod([len(f.grid(d.levels)) for f in factors_of(spec)]))
    if isinstance(d, LhsDesign):
        return d.n
    if isinstance(d, SobolDesign):
        return d.n * (2 * k + 2 if d.second_order else k + 2)
    return d.trajectories * (k + 1)


def design_rows(spec: SweepSpec, factors: list[Factor] | None = None) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Factor values of every design row (in design order), and the unit-cube sample if any."""
    factors = factors if factors is not None else factors_of(spec)
    if isinstance(spec.design, GridDesign):
        axes = [f.grid(spec.design.levels) for f in factors]
        return [dict(zip([f.path for f in factors], combo)) for combo in itertools.product(*axes)], None
    unit = unit_sample(spec, factors)
    rows = [{f.path: f.value_at(u) for f, u in zip(factors, point)} for point in unit]
    return rows, unit


FINGERPRINT_SUFFIXES = {".py", ".csv", ".json", ".geojson", ".yaml", ".txt"}
FINGERPRINT_PACKAGES = ("mesa", "numpy")   # their versions can change the random streams


@lru_cache(maxsize=1)
def model_fingerprint() -> str:
    """The code version sweeps key runs by: a hash of the `sim` package's source and data
    files and of the versions of the libraries it draws random numbers with.

    Unlike the git commit it does not change when unrelated files are committed, and it
    does change when the model is edited without a commit, so a stored run is reused
    exactly when the model that made it is the same."""
    from importlib import resources

    root = Path(str(resources.files("sim")))
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in FINGERPRINT_SUFFIXES and "__pycache__" not in path.parts:
            h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in FINGERPRINT_PACKAGES:
        h.update(f"{name}=={metadata.version(name)}\0".encode())
    return "sim-" + h.hexdigest()[:16]


def run_id(scenario_json: dict, code_version: str) -> str:
    """The id of a run: a hash of the full resolved scenario and the code version."""
    blob = json.dumps({"scenario": scenario_json, "code_version": code_version},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class RunTask:
    """One run to execute: its id, the resolved scenario, or why it cannot be built."""
    run_id: str
    scenario: dict | None          # Scenario.model_dump(mode="json"); None when invalid
    factors: dict[str, Any]
    seed: int
    problems: tuple[str, ...] = ()  # why the scenario is invalid

    @property
    def valid(self) -> bool:
        return self.scenario is not None


@dataclass
class Plan:
    """The whole experiment: design rows × replicates, and the distinct runs they need."""
    spec: SweepSpec
    factors: list[Factor]
    base: Scenario
    code_version: str
    seeds: list[int]
    table: pd.DataFrame                 # one row per (design row, replicate)
    tasks: dict[str, RunTask] = field(default_factory=dict)   # by run id, in design order
    unit: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        return len(self.table) // max(len(self.seeds), 1)

    @property
    def n_runs(self) -> int:
        return len(self.tasks)


def plan_sweep(spec: SweepSpec, code_version: str | None = None) -> Plan:
    """Design the sweep: every design row × replicate, resolved to a scenario and a run id
    (keyed by `code_version`, default `model_fingerprint()`).

    A combination the scenario schema rejects (e.g. end_year before base_year) becomes
    an invalid task that the runner records as a failed run. Raises SweepError for a bad spec."""
    cv = code_version or model_fingerprint()
    factors = factors_of(spec)
    base = base_scenario(spec)
    seeds = replicate_seeds(spec.seed, spec.replicates)
    rows, unit = design_rows(spec, factors)
    records, tasks = [], {}
    for r, values in enumerate(rows):
        for k, seed in enumerate(seeds):
            task = _task(base, values, seed, cv)
            tasks.setdefault(task.run_id, task)
            rec = {"row": r, "replicate": k, "seed": seed, "run_id": task.run_id}
            for f in factors:
                rec[f.path] = f.column(values[f.path])
                if f.kind == "choice":
                    rec[LEVEL_PREFIX + f.path] = f.level_of(values[f.path])
            if unit is not None:
                for j, f in enumerate(factors):
                    rec[UNIT_PREFIX + f.path] = float(unit[r, j])
            records.append(rec)
    table = pd.DataFrame.from_records(records)
    return Plan(spec, factors, base, cv, seeds, table, tasks, unit)


def _task(base: Scenario, values: dict[str, Any], seed: int, cv: str) -> RunTask:
    try:
        sc = with_overrides(base, {**values, "seed": seed})
    except ScenarioError as e:
        raw = {"base": base.model_dump(mode="json"), "overrides": {**values, "seed": seed}}
        return RunTask(run_id(raw, cv), None, values, seed, tuple(e.problems))
    dumped = sc.model_dump(mode="json")
    return RunTask(run_id(dumped, cv), dumped, values, seed)


def describe_design(spec: SweepSpec) -> dict:
    """The design settings and its size, for sweep.json and messages."""
    d = spec.design.model_dump(mode="json")
    d["rows"] = design_size(spec)
    d["replicates"] = spec.replicates
    if spec.design.method in (Method.sobol, Method.morris, Method.lhs):
        d["salib_problem"] = salib_problem(factors_of(spec))
    return d


def scenario_of(out: str | Path, run: str) -> Scenario:
    """The full scenario of a stored run (by run id): sweep.json's base scenario with the
    run's factor values and seed. Checks that it hashes to the run id. Raises SweepError."""
    from .store import RunStore

    store = RunStore(out)
    meta = store.meta()
    design = store.design()
    rows = design[design.run_id == run]
    if rows.empty:
        raise SweepError(f"{store.root}: no run {run} in design.parquet")
    row = rows.iloc[0]
    base = Scenario.model_validate(meta["base_scenario"])
    values = {}
    for f in meta["factors"]:
        v = row[f["path"]]
        if f["kind"] == "choice":
            v = f["choices"][int(row[LEVEL_PREFIX + f["path"]])]
        elif f["kind"] == "int":
            v = int(v)
        else:
            v = float(v)
        values[f["path"]] = v
    task = _task(base, values, int(row["seed"]), meta["code_version"])
    if task.run_id != run or not task.valid:
        now = model_fingerprint()
        why = (f"the sweep ran code {meta['code_version']}, this is code {now}" if now != meta["code_version"]
               else "the scenario schema changed")
        raise SweepError(f"{store.root}: run {run} cannot be rebuilt from sweep.json: {why}")
    return Scenario.model_validate(task.scenario)
