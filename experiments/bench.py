"""Speed and memory benchmark of the simulator (`urbsim bench`, `make bench`).

What it measures (docs/performance.md records the figures and the machine):

- a run of the scenario (default scenarios/tieling_reform_2020.yaml, base year to end
  year) at scale 1.0, 0.1 and 0.01: wall seconds of `sim.run` (build + years) as the
  median of `repeats` runs, and peak memory; each run in a fresh Python process, whose
  peak resident set comes from `os.wait4` (the kernel's ru_maxrss of that child), after a
  one-year run at scale 0.002 in that process (`warm_up`: the lazy imports are not timed);
- sweep throughput: runs per minute of the scenario at scale 0.01 with different seeds on
  2 worker processes (`ProcessPoolExecutor`, forkserver), after the workers are warm;
- the household decision step, vectorised engine vs the one-agent-per-household Mesa
  reference (`sim.reference_ratio`), at 10,000 and 100,000 households, measured in one
  process on the same state.

Populations are cached in a fresh temporary folder for the benchmark (`URBSIM_POPULATION_CACHE`):
the first run of each scale synthesizes its population (reported as `*_cold_seconds`), later
runs load it. The machine is shared: read medians, and ratios measured side by side.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from sim import load_scenario, reference_ratio, run, with_overrides

DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "tieling_reform_2020.yaml"
SCALE_NAMES = {1.0: "full_city", 0.1: "tenth_city", 0.01: "hundredth_city"}
HEADLINE_KEYS = ("full_city_seconds", "full_city_peak_mb", "tenth_city_seconds", "tenth_city_peak_mb",
                 "hundredth_city_seconds", "hundredth_city_peak_mb", "reference_ratio", "sweep_runs_per_minute")


@dataclass(frozen=True)
class BenchOptions:
    scenario: Path = DEFAULT_SCENARIO
    scales: tuple[float, ...] = (1.0, 0.1, 0.01)
    repeats: int = 3
    sweep_scale: float = 0.01
    sweep_runs: int = 40
    sweep_workers: int = 2
    households: tuple[int, ...] = (10_000, 100_000)
    ratio_repeats: int = 5


@dataclass
class RunMeasure:
    seconds: float        # sim.run: build + years
    build_seconds: float
    peak_mb: float        # peak resident set of the whole process
    persons: int


@dataclass
class BenchReport:
    options: BenchOptions
    runs: dict[float, list[RunMeasure]] = field(default_factory=dict)
    sweep_runs_per_minute: float = 0.0
    sweep_seconds: float = 0.0
    ratios: dict[int, dict] = field(default_factory=dict)

    def summary(self) -> dict:
        """The figures as one flat JSON-ready dict; the headline keys are always present (None
        when not measured with these options)."""
        out: dict = {key: None for key in HEADLINE_KEYS}
        for scale, measures in self.runs.items():
            name = SCALE_NAMES.get(scale, f"scale_{scale:g}")
            out[f"{name}_seconds"] = round(statistics.median(m.seconds for m in measures), 3)
            out[f"{name}_peak_mb"] = round(max(m.peak_mb for m in measures), 1)
            out[f"{name}_cold_seconds"] = round(measures[0].seconds, 3)
            out[f"{name}_build_seconds"] = round(statistics.median(m.build_seconds for m in measures), 3)
            out[f"{name}_persons"] = measures[0].persons
        if self.ratios:
            largest = max(self.ratios)
            out["reference_ratio"] = round(self.ratios[largest]["ratio"], 1)
            for n, r in sorted(self.ratios.items()):
                out[f"reference_ratio_{n}"] = round(r["ratio"], 1)
                out[f"engine_decision_seconds_{n}"] = round(r["engine_s"], 4)
                out[f"reference_decision_seconds_{n}"] = round(r["reference_s"], 3)
        if self.options.sweep_runs > 0:
            out["sweep_runs_per_minute"] = round(self.sweep_runs_per_minute, 1)
        out["sweep_workers"] = self.options.sweep_workers
        out["repeats"] = self.options.repeats
        out["scenario"] = self.options.scenario.name
        out["machine"] = machine()
        return out


def machine() -> dict:
    """CPUs, CPU model and memory of this machine, and the Python and numpy in use."""
    import numpy as np
    model, mem_kb = platform.processor() or platform.machine(), 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_gb": round(mem_kb / 2**20, 1),
            "python": platform.python_version(), "numpy": np.__version__}


# --- one run in a fresh process ---------------------------------------------------------

WARM_UP_SCALE = 0.002


def warm_up(scenario) -> None:
    """One year of a tiny run of the scenario: `import sim` is lazy, so the first run of a process
    pays the imports of Mesa, pandas and scipy (about 0.6 s), which a timed run must not."""
    run(with_overrides(scenario, {"scale": WARM_UP_SCALE, "end_year": scenario.base_year + 1}))


def _child(scenario: str, scale: float) -> None:
    """Entry point of the measured process: a warm-up (`warm_up`), then one timed run, its timings
    as a JSON line on stdout."""
    sc = with_overrides(load_scenario(scenario), {"scale": scale})
    warm_up(sc)
    t = time.perf_counter()
    result = run(sc)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "build_seconds": result.manifest["build_time_s"],
                      "persons": result.manifest["persons_simulated"]}))


def measure_run(scenario: Path, scale: float, env: dict[str, str]) -> RunMeasure:
    """Run the scenario at `scale` in a fresh interpreter; peak memory from the child's rusage."""
    with tempfile.TemporaryFile("w+") as errs:
        proc = subprocess.Popen([sys.executable, "-m", "experiments.bench", "child", str(scenario), repr(scale)],
                                stdout=subprocess.PIPE, stderr=errs, env=env, text=True)
        out = proc.stdout.read()
        proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)     # reaps the child: its own rusage, not a running max
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errs.seek(0)
            raise RuntimeError(f"benchmark run at scale {scale} failed:\n{errs.read().strip()}")
    data = json.loads(out.strip().splitlines()[-1])
    return RunMeasure(data["seconds"], data["build_seconds"], usage.ru_maxrss / 1024, data["persons"])


# --- sweep throughput -----------------------------------------------------------------

def _sweep_task(scenario_json: str, seed: int) -> int:
    from sim import Scenario   # workers import sim once; later tasks reuse it
    sc = Scenario.model_validate_json(scenario_json)
    return len(run(with_overrides(sc, {"seed": seed})).outcomes)


def _warm(_: int) -> int:
    import sim  # noqa: F401  (the import a worker pays once)
    return os.getpid()


def sweep_throughput(scenario: Path, scale: float, runs: int, workers: int) -> tuple[float, float]:
    """(runs per minute, seconds) for `runs` seeds on `workers` warm forkserver processes."""
    sc = with_overrides(load_scenario(scenario), {"scale": scale})
    text = sc.model_dump_json()
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=ctx) as ex:
        list(ex.map(_warm, range(workers)))
        list(ex.map(_sweep_task, [text] * workers, range(10_000, 10_000 + workers)))   # warm-up runs
        t = time.perf_counter()
        rows = list(ex.map(_sweep_task, [text] * runs, range(1, runs + 1)))
        seconds = time.perf_counter() - t
    assert all(r > 0 for r in rows)
    return runs / seconds * 60, seconds


# --- the whole benchmark ------------------------------------------------------------------

def run_bench(options: BenchOptions, say: Callable[[str], None] = lambda s: None) -> BenchReport:
    """Measure everything in `options`; `say` receives one line of progress per step."""
    report = BenchReport(options)
    cache = tempfile.mkdtemp(prefix="urbsim-bench-")
    env = {**os.environ, "URBSIM_POPULATION_CACHE": cache}
    old = os.environ.get("URBSIM_POPULATION_CACHE")
    os.environ["URBSIM_POPULATION_CACHE"] = cache
    try:
        for scale in options.scales:
            report.runs[scale] = []
            for i in range(options.repeats):
                say(f"run at scale {scale:g} ({i + 1}/{options.repeats}) ...")
                m = measure_run(options.scenario, scale, env)
                report.runs[scale].append(m)
                say(f"  {m.seconds:.2f} s (build {m.build_seconds:.2f} s), peak {m.peak_mb:.0f} MB")
        if options.sweep_runs > 0:
            say(f"sweep: {options.sweep_runs} runs at scale {options.sweep_scale:g} on "
                f"{options.sweep_workers} workers ...")
            report.sweep_runs_per_minute, report.sweep_seconds = sweep_throughput(
                options.scenario, options.sweep_scale, options.sweep_runs, options.sweep_workers)
            say(f"  {report.sweep_runs_per_minute:.0f} runs/minute")
        sc = load_scenario(options.scenario)
        for n in options.households:
            say(f"decision step at {n:,} households: engine vs reference ...")
            report.ratios[n] = reference_ratio(sc, n, options.ratio_repeats)
            r = report.ratios[n]
            say(f"  engine {r['engine_s'] * 1e3:.1f} ms, reference {r['reference_s']:.2f} s: {r['ratio']:.0f}x")
    finally:
        if old is None:
            os.environ.pop("URBSIM_POPULATION_CACHE", None)
        else:
            os.environ["URBSIM_POPULATION_CACHE"] = old
        shutil.rmtree(cache, ignore_errors=True)
    return report


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        _child(sys.argv[2], float(sys.argv[3]))
    else:
        sys.exit("usage: python -m experiments.bench child SCENARIO SCALE   (the benchmark itself: urbsim bench)")
