"""The replicate pool (dashboard/pool.py): replicates on warm worker processes give the very
tables a serial run gives; a worker that dies is replaced and its replicate run again; a stopped
pool leaves the run to do its replicates itself. Also the in-memory population cache the workers
use, and how automatic and asked-for runs take their places in the comparison."""
from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

import sim
from dashboard.callbacks.runs import place
from dashboard.data import REPLICATE_SEED, run_replicates
from dashboard.pool import ReplicatePool

from .conftest import SCENARIOS

SCALE = 0.005


@pytest.fixture(scope="module")
def scenario():
    sc = sim.load_scenario(SCENARIOS / "tieling_reform_2020.yaml")
    return sim.with_overrides(sc, {"end_year": sc.base_year + 3})


@pytest.fixture
def pool():
    p = ReplicatePool(2)
    p.start()
    yield p
    p.stop()


def workers(p: ReplicatePool) -> list[psutil.Process]:
    deadline = time.monotonic() + 20
    while True:
        found = psutil.Process(p.supervisor).children()
        if len(found) == p.workers or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_pooled_replicates_are_the_serial_ones(scenario, pool):
    seeds = sim.replicate_seeds(REPLICATE_SEED, 3)
    serial, serial_manifests = run_replicates(scenario, seeds, SCALE)
    steps: list[tuple[int, int]] = []
    for _ in range(2):   # the second time the workers take their populations from memory
        pooled, manifests = run_replicates(scenario, seeds, SCALE, lambda d, t: steps.append((d, t)), pool=pool)
        assert pooled.equals(serial)
        assert [m["seed"] for m in manifests] == [m["seed"] for m in serial_manifests] == seeds
    assert sorted(set(serial["replicate"])) == [0, 1, 2]
    assert steps[-1] == (9, 9) and max(d for d, _ in steps) == 9     # 3 replicates x 3 years
    assert len(workers(pool)) == 2 and all(w.pid != os.getpid() for w in workers(pool))


def test_a_dead_worker_is_replaced_and_its_replicate_run_again(scenario, pool):
    seeds = sim.replicate_seeds(REPLICATE_SEED, 2)
    serial, _ = run_replicates(scenario, seeds, SCALE)
    first = workers(pool)
    for w in first:
        os.kill(w.pid, signal.SIGKILL)
    pooled, _ = run_replicates(scenario, seeds, SCALE, pool=pool)
    assert pooled.equals(serial)
    later = workers(pool)
    assert len(later) == 2 and not {w.pid for w in later} & {w.pid for w in first}


def test_a_models_error_reaches_the_run_as_it_was_raised(scenario, pool):
    with pytest.raises(sim.ScenarioError) as serial:
        run_replicates(scenario, [1], 2.0)                  # a scale the scenario refuses
    with pytest.raises(sim.ScenarioError) as pooled:
        run_replicates(scenario, [1], 2.0, pool=pool)
    assert pooled.value.problems == serial.value.problems and "scale" in str(pooled.value)


def test_without_the_pool_the_run_does_its_replicates_itself(scenario):
    p = ReplicatePool(2)
    p.start()
    p.stop()
    deadline = time.monotonic() + 20
    while psutil.pid_exists(p.supervisor or -1) and time.monotonic() < deadline:
        time.sleep(0.05)
    seeds = sim.replicate_seeds(REPLICATE_SEED, 2)
    p.supervisor = -1                                     # as if it still ran: nothing listens any more
    alone, _ = run_replicates(scenario, seeds, SCALE, pool=p)
    assert alone.equals(run_replicates(scenario, seeds, SCALE)[0])


def test_populations_kept_in_memory_give_the_same_run(scenario, monkeypatch):
    monkeypatch.setenv("URBSIM_POPULATION_CACHE", "off")
    sc = sim.with_overrides(scenario, {"scale": SCALE, "seed": 11})
    fresh = sim.run(sc).outcomes
    try:
        sim.keep_populations_in_memory(50)
        first, second = sim.run(sc).outcomes, sim.run(sc).outcomes    # built, then copied from memory
    finally:
        sim.keep_populations_in_memory(0)
    assert first.equals(fresh) and second.equals(fresh)


def record(label: str, auto: bool) -> dict:
    return {"key": label, "label": label, "auto": auto}


def test_an_automatic_run_takes_the_place_of_the_last_one_and_run_keeps_it():
    a, b = record("a", False), record("b", False)
    first = place([a], record("x1", True))
    assert [r["label"] for r in first] == ["a", "x1"]
    second = place(first + [b], record("x2", True))                 # in its place, not added
    assert [r["label"] for r in second] == ["a", "x2", "b"]
    kept = place(second, record("c", False))                        # Run: kept, the automatic one dropped
    assert [r["label"] for r in kept] == ["a", "b", "c"]
