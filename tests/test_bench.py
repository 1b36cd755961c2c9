"""`urbsim bench` with a tiny option set (keys, not timings), and the population cache it relies on."""
from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import typer
from typer.testing import CliRunner

from sim import UrbanizationModel, iter_parameters, run, with_overrides
from sim.population.cache import SYNTHESIS_PARAMETERS, cache_key
from sim.population.synthesis import synthesize
from urbsim import cmd_bench

KEYS = {"full_city_seconds", "full_city_peak_mb", "tenth_city_seconds", "hundredth_city_seconds",
        "reference_ratio", "sweep_runs_per_minute", "machine"}


def test_bench_json_has_the_figures():
    app = typer.Typer()
    cmd_bench.register(app)
    result = CliRunner().invoke(app, ["--json", "--scales", "0.01", "--repeats", "1", "--sweep-runs", "2",
                                      "--households", "800"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert KEYS <= set(figures), KEYS - set(figures)
    assert figures["hundredth_city_seconds"] > 0 and figures["hundredth_city_peak_mb"] > 50
    assert figures["full_city_seconds"] is None          # not measured with these options
    assert figures["sweep_runs_per_minute"] > 0 and figures["reference_ratio"] > 0
    assert figures["machine"]["cpus"] >= 1


def test_bench_rejects_bad_options():
    app = typer.Typer()
    cmd_bench.register(app)
    result = CliRunner().invoke(app, ["--json", "--scales", "tiny"])
    assert result.exit_code == 2
    assert "--scales" in result.output


# --- the population cache -------------------------------------------------------------

def small(reform, **kw):
    return with_overrides(reform, {"scale": 0.05, "end_year": reform.base_year + 1, **kw})


def test_a_cached_population_gives_the_same_run(reform, tmp_path, monkeypatch):
    monkeypatch.setenv("URBSIM_POPULATION_CACHE", str(tmp_path))
    first = run(small(reform))
    assert len(list(tmp_path.glob("population-*.npz"))) == 1
    second = run(small(reform))                      # from the cache
    monkeypatch.setenv("URBSIM_POPULATION_CACHE", "off")
    fresh = run(small(reform))
    assert first.outcomes.equals(second.outcomes)
    assert first.outcomes.equals(fresh.outcomes)
    assert not list(tmp_path.glob("*.tmp")), "no temporary files left behind"


def _moved(info) -> float | int:
    """A valid value of a parameter other than its default (from its declared bounds)."""
    lo = next(m.ge for m in info.metadata if hasattr(m, "ge"))
    hi = next(m.le for m in info.metadata if hasattr(m, "le"))
    value = lo + 0.37 * (hi - lo)
    if value == info.default:
        value = lo + 0.61 * (hi - lo)
    return round(value) if info.annotation is int else value


def test_synthesis_reads_only_the_keyed_inputs(reform):
    """The cache key leaves the policy and every behavioural parameter but SYNTHESIS_PARAMETERS out:
    changing all of those must give the same base-year population."""
    changed = {path: _moved(info) for path, info in iter_parameters()
               if path.removeprefix("behaviour.") not in SYNTHESIS_PARAMETERS}
    changed.update({"policy.purchase.enabled": False, "policy.graduates.settlement": "closed",
                    "policy.insurance.enabled": False})
    a = synthesize(small(reform), np.random.default_rng(5))
    b = synthesize(small(reform, **changed), np.random.default_rng(5))
    for name in a.persons.schema:
        assert np.array_equal(a.persons.view(name), b.persons.view(name)), name
    for name in a.households.schema:
        assert np.array_equal(a.households.view(name), b.households.view(name)), name


def test_a_keyed_parameter_changes_the_key(reform):
    rng = np.random.default_rng(1)
    assert cache_key(small(reform), rng) != cache_key(small(reform, **{"behaviour.housing.savings_rate": 0.4}), rng)
    assert cache_key(small(reform), rng) == cache_key(small(reform, **{"behaviour.outside.return_rate": 0.05}), rng)


def _households_of(scenario_json: str, cache: str) -> int:
    import os

    from sim import Scenario
    os.environ["URBSIM_POPULATION_CACHE"] = cache      # a forkserver may predate the test's environment
    return UrbanizationModel(Scenario.model_validate_json(scenario_json)).pop.households.n


def test_processes_filling_the_cache_at_once(reform, tmp_path, monkeypatch):
    monkeypatch.setenv("URBSIM_POPULATION_CACHE", str(tmp_path))
    text = small(reform, seed=99).model_dump_json()
    with ProcessPoolExecutor(2, mp_context=get_context("forkserver")) as ex:
        sizes = list(ex.map(_households_of, [text, text], [str(tmp_path)] * 2))
    assert sizes[0] == sizes[1]
    assert len(list(tmp_path.glob("population-*.npz"))) == 1
    assert _households_of(text, str(tmp_path)) == sizes[0]      # read back from the cache


def test_the_timed_run_of_the_benchmark_imports_nothing_after_the_warm_up():
    """`import sim` is lazy: a fresh process's first run imports what the module imports did not
    (and reads its data tables once). The benchmark's child warms up first, so its timed run
    imports no module (checked in a fresh interpreter, as the benchmark's child is)."""
    import subprocess
    import sys
    code = ("import sys\n"
            "from sim import load_scenario, run, with_overrides\n"
            "from experiments.bench import DEFAULT_SCENARIO, warm_up\n"
            "sc = with_overrides(load_scenario(DEFAULT_SCENARIO), {'scale': 0.005, 'end_year': 2022})\n"
            "cold = set(sys.modules)\n"
            "warm_up(sc)\n"
            "warm = set(sys.modules)\n"
            "run(sc)\n"
            "print(len(warm - cold), sorted(set(sys.modules) - warm))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split(" ", 1)
    assert int(out[0]) > 0, "the warm-up must import something for the test to mean anything"
    assert out[1].strip() == "[]"
