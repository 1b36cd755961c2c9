"""A scenario over K members of the parameter ensemble, its K x R runs on the replicate pool
(dashboard/pool.py) instead of one after another: the very result of the serial
`sim.run(scenario, ensemble=K, replicates=R)` (tests/test_ensemble_panel.py compares them),
because both run the runs of `sim.plan_ensemble` and assemble them with its `result`. Without a
running pool the serial function itself runs.
"""
from __future__ import annotations

from typing import Any, Callable

import sim
from sim import EnsembleError, EnsembleResult


def serial(scenario: sim.Scenario, k: int, replicates: int,
           progress: Callable[[int, int], None] | None) -> EnsembleResult:
    """`sim.run(..., ensemble=k)` in this process; its progress (runs done) told in simulated years."""
    years = scenario.end_year - scenario.base_year
    step = (lambda done, total: progress(done * years, total * years)) if progress else None
    return sim.run(scenario, ensemble=k, replicates=replicates, progress=step)


def run_ensemble(scenario: sim.Scenario, k: int, replicates: int = 2,
                 progress: Callable[[int, int], None] | None = None, pool: Any = None) -> EnsembleResult:
    """The scenario over `k` ensemble members, `replicates` seeds each, on `pool`'s workers (a
    dashboard.pool.ReplicatePool, at most one run per worker at a time) when it is running, else
    serially; `progress(done, total)` counts simulated years. Raises EnsembleError as sim does."""
    if pool is None or not pool.running():
        return serial(scenario, k, replicates, progress)
    from .pool import PoolUnavailable

    plan = sim.plan_ensemble(scenario, k, replicates)
    tasks = [(sc, r, seed, float(scenario.scale)) for _, r, seed, sc in plan.runs]
    try:
        results = pool.run_each(tasks, progress, at_once=pool.workers)
    except PoolUnavailable:
        return serial(scenario, k, replicates, progress)
    return plan.result([out for out, _ in results])


__all__ = ["run_ensemble", "EnsembleError"]
