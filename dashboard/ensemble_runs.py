"""A scenario over K members of the parameter ensemble, its K x R runs on the replicate pool
(dashboard/pool.py) instead of one after another: the very result of the serial
`sim.run(scenario, ensemble=K, replicates=R)` (tests/test_ensemble_panel.py compares them).

The runs are planned as `sim.run_ensemble` plans them (sim/ensemble.py): the K members drawn from
the scenario's seed (`Ensemble.draw`), a member's values replacing the scenario's values of the
ensemble's parameters, member i's replicate r run with seed `seed + i * R + r` at the scenario's
scale. Without a running pool the serial function itself runs.
"""
from __future__ import annotations

from typing import Any, Callable

import pandas as pd

import sim
from sim import EnsembleError, EnsembleResult

COLUMNS = ["member", "replicate", "seed", "year", "county", "group", "outcome", "value"]


def member_tasks(scenario: sim.Scenario, members: pd.DataFrame, parameters: list[str],
                 replicates: int) -> list[tuple[sim.Scenario, int, int, float]]:
    """(scenario with the member's values, replicate, seed, scale) of every run, member by member."""
    tasks = []
    for i, member in members.iterrows():
        sc = sim.with_overrides(scenario, {p: float(member[p]) for p in parameters})
        tasks += [(sc, r, scenario.seed + i * replicates + r, float(scenario.scale)) for r in range(replicates)]
    return tasks


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

    if replicates < 2 or k < 2:   # the serial run's own check, before anything runs
        return serial(scenario, k, replicates, progress)
    ens = sim.load_ensemble()
    members = ens.draw(k, scenario.seed)
    tasks = member_tasks(scenario, members, ens.parameters, replicates)
    try:
        results = pool.run_each(tasks, progress, at_once=pool.workers)
    except PoolUnavailable:
        return serial(scenario, k, replicates, progress)
    ids = [int(m) for m in members["member"] for _ in range(replicates)]
    runs = pd.concat([out.assign(member=m) for (out, _), m in zip(results, ids)], ignore_index=True)
    total = k * replicates
    manifest = {"scenario": scenario.model_dump(mode="json"), "members": members["member"].tolist(),
                "replicates": replicates, "seeds": f"{scenario.seed} .. {scenario.seed + total - 1}",
                "ensemble_version": ens.provenance.get("version"), "ensemble_file": ens.path.name,
                "code_version": sim.code_version()}
    return EnsembleResult(runs[COLUMNS], members, manifest)


__all__ = ["run_ensemble", "member_tasks", "EnsembleError"]
