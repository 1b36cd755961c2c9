"""Calibration of behavioural parameters to the 2010 -> 2020 census change, by county.

The run is `scenarios/backtest_2010.yaml` (6th census start, historical rules to 2019,
the reform from 2020) with `end_year = 2020`, compared at the end of 2020 with the 7th
census (2020-11-01). What is fitted and what is held out:

- fit targets: residents and urban share of each of the 7 county-level units;
- held out (reported, never in the objective unless asked for with `targets`): age
  shares 0-14/15-64/65+, family-household size, residents registered in another county.

Objective (smaller is better), on the mean over seeds of each county's values:

    J = mean_c rho(rel_resid_c / 0.03) + mean_c rho(d_urban_c / 0.02)

with rel_resid = simulated/census - 1, d_urban = simulated - census urban share, and
rho(z) = 2 (sqrt(1 + z^2) - 1) the pseudo-Huber loss: quadratic for errors within the
tolerances (3% of residents, 2 percentage points of urban share, the acceptance
criteria), linear beyond, so a county that city-wide behaviour cannot fit does not
drag the others (the criteria are mean *absolute* errors). Every county has the same
weight: no county-specific factors.

Method: a Latin-hypercube sample (scipy.stats.qmc, seeded) over the parameter bounds,
then bounded Nelder-Mead (scipy.optimize) from the best sample point, in the unit cube.
Every point is run with the same seeds (common random numbers), so two points differ
by their parameters, not by noise. Runs are cached on disk, one JSON file per run,
keyed by a hash of the resolved scenario (parameters, seed, scale, end year, ...)
and of the model's code and data: the optimiser is deterministic, so running the same
command again replays cached runs and continues where a killed run stopped.
"""
from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from sim import Scenario, ScenarioError, load_scenario, with_overrides, write_text_whole

from .calibration_data import (CODES, FIT_MEASURES, HELD_OUT, MEASURES, census_targets, code_fingerprint,
                               register_table, summary_frame)
# Re-exported: the parameters, the run cache and the optimiser used to live here.
from .calibration_params import (DEFAULT_PARAMETERS, OTHER_SUGGESTED, REGISTER, CalibrationError,  # noqa: F401
                                 Parameter, declared_bounds, parse_parameters, parse_targets)
from .calibration_runs import Evaluator, InlineExecutor, RunCache, make_executor  # noqa: F401
from .optimise import OptimiseResult, optimise  # noqa: F401

DEFAULT_SCENARIO = Path("scenarios/backtest_2010.yaml")
FIT_YEAR = 2020
DEFAULT_CACHE = Path(".cache/calibration")
# Tolerances that scale each target's error in the objective (the acceptance criteria).
TOLERANCE = {"residents": 0.03, "urban_share": 0.02, "age_0_14": 0.01, "age_15_64": 0.01, "age_65_plus": 0.01,
             "household_size": 0.05, "registered_elsewhere": 0.10}
RELATIVE = {"residents", "household_size", "registered_elsewhere"}   # errors relative to the census value
# Tolerances of the register's points: 1% of a registered count, 2 points of a town share.
REGISTER_TOLERANCE = {"hukou_holders": 0.01, "hukou_urbanization_rate": 0.02}


# --- the base scenario --------------------------------------------------------------

def _calibrated_paths() -> dict[str, float]:
    path = resources.files("sim") / "data" / "calibration.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("values", {}))


def base_scenario(path: Path | str = DEFAULT_SCENARIO, scale: float = 0.1, end_year: int = FIT_YEAR,
                  from_defaults: bool = True, only: Sequence[str] | None = None) -> Scenario:
    """The backtest scenario ending in `end_year` at `scale`. With `from_defaults`, behaviour
    values that came from `data/calibration.json` are reset to the code's defaults, so that a
    calibration depends only on the code and its own choices, not on an earlier calibration;
    with `only`, just those paths are reset (a staged fit: the others keep their calibrated values)."""
    try:
        sc = load_scenario(path)
    except ScenarioError as e:
        raise CalibrationError(e.problems) from None
    over: dict[str, Any] = {"scale": scale, "end_year": end_year}
    if from_defaults:
        declared = declared_bounds()
        over.update({p: declared[p][2] for p in _calibrated_paths() if p in declared and (only is None or p in only)})
    try:
        return with_overrides(sc, over)
    except ScenarioError as e:
        raise CalibrationError(e.problems) from None


# --- the objective ------------------------------------------------------------------

def pseudo_huber(z: np.ndarray) -> np.ndarray:
    return 2.0 * (np.sqrt(1.0 + z * z) - 1.0)


def errors(sim: pd.DataFrame, census: pd.DataFrame, measure: str) -> pd.Series:
    """Simulated minus census per county (relative for counts and sizes)."""
    s, c = sim[measure].loc[list(CODES)], census[measure].loc[list(CODES)]
    return s / c - 1.0 if measure in RELATIVE else s - c


def objective(mean: pd.DataFrame, census: pd.DataFrame, targets: Sequence[str] = FIT_MEASURES) -> float:
    total = 0.0
    for m in targets:
        e = errors(mean, census, m).to_numpy(float)
        if not np.all(np.isfinite(e)):
            return math.inf
        total += float(pseudo_huber(e / TOLERANCE[m]).mean())
    return total


def register_objective(results: list[dict]) -> float:
    """Mean pseudo-Huber loss of the fitted register points (mean over seeds; counts relative)."""
    table = register_table([r["register"] for r in results])
    fit = table[table.role == "fit"]
    z = fit.error / fit.outcome.map(REGISTER_TOLERANCE)
    return float(pseudo_huber(z.to_numpy(float)).mean()) if np.all(np.isfinite(z)) else math.inf


def score(results: list[dict], census: pd.DataFrame, targets: Sequence[str]) -> float:
    """The objective of one parameter point from its per-seed results."""
    value = objective(mean_summary(results), census, [t for t in targets if t != REGISTER])
    return value + (register_objective(results) if REGISTER in targets else 0.0)


def mean_summary(results: list[dict]) -> pd.DataFrame:
    frames = [summary_frame(r) for r in results]
    return sum(frames[1:], frames[0]) / len(frames)


def fit_statistics(per_seed: list[pd.DataFrame], census: pd.DataFrame,
                   targets: Sequence[str] = FIT_MEASURES) -> pd.DataFrame:
    """Per county and measure: census, simulated mean, seed s.d., error of the mean."""
    stack = pd.concat(per_seed, keys=range(len(per_seed)), names=["seed_index"])
    mean = stack.groupby(level="county", sort=False).mean()
    sd = stack.groupby(level="county", sort=False).std(ddof=1) if len(per_seed) > 1 else mean * 0
    rows = []
    for county in mean.index:
        for m in MEASURES:
            c, s = census.loc[county, m], mean.loc[county, m]
            err = s / c - 1 if m in RELATIVE else s - c
            rows.append({"county": county, "measure": m, "role": "fit" if m in targets else "held_out",
                         "census": c, "sim_mean": s, "sim_sd": sd.loc[county, m],
                         "sim_min": stack.xs(county, level="county")[m].min(),
                         "sim_max": stack.xs(county, level="county")[m].max(),
                         "error": err, "error_kind": "relative" if m in RELATIVE else "difference"})
    return pd.DataFrame(rows)


def headline_errors(stats: pd.DataFrame) -> dict[str, float]:
    """Mean absolute error across the 7 counties per measure (relative ones as fractions)."""
    counties = stats[stats.county.isin(CODES)]
    return {m: float(g.error.abs().mean()) for m, g in counties.groupby("measure", sort=False)}


# --- calibration --------------------------------------------------------------------

@dataclass
class Calibration:
    parameters: list[Parameter]
    values: dict[str, float]
    objective: float
    stats: pd.DataFrame             # fit_statistics at the best point
    history: pd.DataFrame           # every evaluated point: stage, values, objective
    seeds: list[int]
    scale: float
    targets: tuple[str, ...]
    runs: int
    cached: int
    wall_time_s: float
    validation_seeds: list[int] = field(default_factory=list)
    candidates: pd.DataFrame | None = None   # best points re-run with the validation seeds
    fit_objective: float = math.nan          # the chosen point's objective on the fitting seeds
    register: pd.DataFrame | None = None     # the register's points at the chosen point
    staged: bool = False                     # the other calibrated values were kept (a staged fit)


def calibrate(parameters: Sequence[Parameter] | None = None, *, scale: float = 0.1, seeds: int = 4,
              budget: int = 400, targets: Sequence[str] = FIT_MEASURES, scenario: Path | str = DEFAULT_SCENARIO,
              cache_dir: Path | str | None = DEFAULT_CACHE, workers: int = 2, seed: int = 2010,
              n_initial: int | None = None, on_run: Callable[[bool], None] | None = None,
              on_best: Callable[[float], None] | None = None, observed: pd.DataFrame | None = None,
              end_year: int = FIT_YEAR, validate: int = 0, validation_seeds: int = 8,
              starts: int = 1, keep_calibrated: bool = False) -> Calibration:
    """Fit `parameters` so that the backtest reproduces the 2020 census `targets` by county.
    `budget` counts model runs (parameter points x seeds), cached ones included. `observed`
    replaces the census (a table shaped like `census_targets()`), e.g. synthetic targets.

    With `validate` > 0, the best `validate` distinct points of the search are run again with
    `validation_seeds` other seeds and the one best on those is chosen: the minimum of a noisy
    objective over hundreds of points is biased low (it picks lucky draws), an independent
    re-run is not. The reported fit statistics are then those of the validation seeds."""
    from .design import replicate_seeds

    start = time.perf_counter()
    params = list(parameters or DEFAULT_PARAMETERS)
    if seeds < 1:
        raise CalibrationError("--seeds must be at least 1")
    points = budget // seeds
    if points < 2:
        raise CalibrationError(f"--budget {budget} allows fewer than 2 parameter points at {seeds} seeds")
    base = base_scenario(scenario, scale, end_year, only=[p.path for p in params] if keep_calibrated else None)
    seed_list = replicate_seeds(seed, seeds)
    census = census_targets(FIT_YEAR) if observed is None else observed
    with make_executor(workers) as ex:
        ev = Evaluator(base, params, seed_list, RunCache(cache_dir, code_fingerprint()), ex, on_run)

        def batch(xs: np.ndarray) -> np.ndarray:
            vals = [[p.value_at(u) for p, u in zip(params, x)] for x in xs]
            return np.array([score(r, census, targets) for r in ev.evaluate(vals)])

        res = optimise(batch, len(params), points, n_initial=n_initial, seed=seed, starts=starts, on_best=on_best)
        history = pd.DataFrame([{"stage": s, **{p.path: p.value_at(u) for p, u in zip(params, x)},
                                 "objective": f} for s, x, f in res.history])
        best, chosen, fit_value = [p.value_at(u) for p, u in zip(params, res.x)], res.fun, res.fun
        check_seeds, candidates, used = seed_list, None, ev
        if validate > 0:
            check_seeds = replicate_seeds(seed + seeds, validation_seeds)     # the seeds after the fit's
            top = history.drop_duplicates([p.path for p in params]).nsmallest(validate, "objective")
            used = Evaluator(base, params, check_seeds, ev.cache, ex, on_run)
            points_ = top[[p.path for p in params]].to_numpy().tolist()
            scores = [score(r, census, targets) for r in used.evaluate(points_)]
            candidates = top.rename(columns={"objective": "objective_fit_seeds"}).assign(
                objective_validation_seeds=scores).reset_index(drop=True)
            k = int(np.argmin(scores))
            best, chosen = points_[k], scores[k]
            fit_value = float(candidates.objective_fit_seeds[k])
        best_runs = used.evaluate([best])[0]
        per_seed = [summary_frame(r) for r in best_runs]
    runs, cached = ev.runs + (used.runs if used is not ev else 0), ev.cached + (used.cached if used is not ev else 0)
    return Calibration(params, {p.path: float(v) for p, v in zip(params, best)}, float(chosen),
                       fit_statistics(per_seed, census, targets), history, seed_list, scale, tuple(targets),
                       runs, cached, time.perf_counter() - start, list(check_seeds) if validate else [],
                       candidates, fit_value, register_table([r["register"] for r in best_runs]), keep_calibrated)


def objective_text(targets: Sequence[str]) -> str:
    terms = " + ".join(f"mean_c rho(({'sim/census - 1' if m in RELATIVE else 'sim - census'} of {m})"
                       f" / {TOLERANCE[m]})" for m in targets if m != REGISTER)
    if REGISTER in targets:
        terms += (" + mean_k rho(error_k / tol_k) over the registered population's fitted points (city 2017-2019, "
                  "Tieling County 2018-2019: sim/observed - 1, tol 0.01; city town share 2018: sim - observed, "
                  "tol 0.02)")
    return (f"{terms}; rho(z) = 2(sqrt(1+z^2)-1) (pseudo-Huber); on the mean over seeds; 7 counties equally "
            f"weighted; census 2020 by county; backtest_2010 run to the end of {FIT_YEAR}")


def write_calibration(cal: Calibration, command: str, path: Path | None = None) -> Path:
    """Write `sim/data/calibration.json` (or `path`) whole: values and provenance."""
    from sim import code_version

    path = Path(str(resources.files("sim") / "data" / "calibration.json")) if path is None else Path(path)
    values, stages = {k: round(v, 6) for k, v in cal.values.items()}, []
    if cal.staged and path.is_file():      # a staged fit keeps the earlier values and says how they came
        earlier = json.loads(path.read_text(encoding="utf-8"))
        values = {**earlier.get("values", {}), **values}
        stages = earlier.get("earlier_stages", []) + [earlier.get("provenance", {})]
    payload = {
        "values": values,
        "provenance": {
            "command": command,
            "date": time.strftime("%Y-%m-%d"),
            "scale": cal.scale,
            "seeds": cal.seeds,
            "objective": objective_text(cal.targets),
            "objective_value": round(cal.objective, 6),
            "validation_seeds": cal.validation_seeds,
            "objective_value_fit_seeds": round(cal.fit_objective, 6),
            "selection": ("the best points of the search re-run with the validation seeds; the best on those"
                          if cal.validation_seeds else "the best point of the search"),
            "targets": list(cal.targets),
            "held_out": [m for m in HELD_OUT if m not in cal.targets],
            "bounds": {p.path: [p.lo, p.hi] for p in cal.parameters},
            "mean_abs_error": {k: round(v, 6) for k, v in headline_errors(cal.stats).items()},
            "evaluations": int(len(cal.history)),
            "code_version": code_version(),
            "code_fingerprint": code_fingerprint(),
        },
    }
    if cal.register is not None:
        payload["provenance"]["register"] = [
            {"year": int(r.year), "county": r.county, "outcome": r.outcome, "role": r.role,
             "observed": r.value, "sim_mean": round(float(r.sim_mean), 6), "error": round(float(r.error), 6)}
            for r in cal.register.itertuples()]
    if stages:
        payload["earlier_stages"] = stages
    return write_text_whole(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
