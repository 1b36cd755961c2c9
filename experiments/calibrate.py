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

import hashlib
import json
import math
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from sim import Scenario, ScenarioError, iter_parameters, load_scenario, with_overrides, write_text_whole

from .calibration_data import (CODES, FIT_MEASURES, HELD_OUT, MEASURES, census_targets, code_fingerprint,
                               register_table, simulate, summary_frame)

DEFAULT_SCENARIO = Path("scenarios/backtest_2010.yaml")
FIT_YEAR = 2020
DEFAULT_CACHE = Path(".cache/calibration")
# Tolerances that scale each target's error in the objective (the acceptance criteria).
TOLERANCE = {"residents": 0.03, "urban_share": 0.02, "age_0_14": 0.01, "age_15_64": 0.01, "age_65_plus": 0.01,
             "household_size": 0.05, "registered_elsewhere": 0.10}
RELATIVE = {"residents", "household_size", "registered_elsewhere"}   # errors relative to the census value
# The target of the registered population between the censuses (sim.observed.register_points: city
# 2017-2019, Tieling County 2018-2019, the city's 2018 town share), with its tolerances: 1% of a
# registered count, 2 points of a town share.
REGISTER = "register"
REGISTER_TOLERANCE = {"hukou_holders": 0.01, "hukou_urbanization_rate": 0.02}


class CalibrationError(ValueError):
    """A problem with a calibration request; `problems` holds one line each."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


# --- parameters and their search bounds -------------------------------------------

@dataclass(frozen=True)
class Parameter:
    path: str
    lo: float
    hi: float
    why: str = ""

    def value_at(self, u: float) -> float:
        return float(self.lo + (self.hi - self.lo) * min(max(u, 0.0), 1.0))


# What identifies the fit targets (residents and urban share by county), with search bounds
# inside each parameter's declared bounds.
DEFAULT_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("behaviour.outside.out_rate_peak", 0.01, 0.15,
              "level of leaving Tieling: the city's resident decline"),
    Parameter("behaviour.outside.rural_multiplier", 0.5, 4.0,
              "village vs town residents leaving: decline of rural counties vs towns"),
    Parameter("behaviour.outside.return_rate", 0.0, 0.10,
              "returns of registered people living outside: the decline net of returns"),
    Parameter("behaviour.migration.reconsider_rate", 0.02, 0.6,
              "how many households weigh a move within Tieling: urban shares, growth of the centre"),
    Parameter("behaviour.migration.nearby_preference", 0.0, 5.0,
              "own county town vs the central districts and other towns: the centre's share of movers"),
    # Upper bound: central wages no higher than outside wages (figures.csv, 2020: out-migrating migrant
    # workers earn 4,549 yuan/month, local ones 3,606, a ratio of 1.26). Unbounded, the fit pushes the
    # premium to ~1.9, central wages far above Shenyang's: the premium then stands in for a pull of the
    # centre the model lacks (docs/calibration.md).
    Parameter("behaviour.work.central_wage_premium", 1.0, 1.25,
              "pull of the central districts' labour market: growth of the centre against the county towns"),
    Parameter("behaviour.education.graduate_return_rate", 0.1, 0.8,
              "graduates who come back work in the towns, mostly the centre: growth of the centre"),
)
# Parameters whose effect is mostly on held-out targets (listed in docs/calibration.md); they can
# be fitted with `--params` together with `--targets` that include what identifies them.
OTHER_SUGGESTED: tuple[Parameter, ...] = (
    Parameter("behaviour.demography.leave_home_rate", 0.0, 0.3, "family-household size"),
    Parameter("behaviour.outside.in_rate", 0.0, 0.04, "residents registered outside Tieling"),
    Parameter("behaviour.outside.in_leave_rate", 0.0, 0.5, "residents registered outside Tieling"),
    Parameter("behaviour.migration.moving_cost", 0.0, 8.0, "internal mobility (an alternative to reconsider_rate)"),
    # With --targets register (docs/calibration.md, "The registered population").
    Parameter("behaviour.registry.settle_out_rate", 0.0, 0.1, "registered population 2017-2019: hukou moved out"),
    Parameter("behaviour.registry.conversion_rate", 0.0, 0.05, "registered town share 2018: conversions in place"),
    Parameter("behaviour.settling.outside_land_share", 0.0, 1.0,
              "registered population 2017-2019: people registered elsewhere settling in Tieling"),
)


def declared_bounds() -> dict[str, tuple[float, float, float]]:
    """(lower, upper, default) of every behavioural parameter, from the schema."""
    out = {}
    for path, info in iter_parameters():
        lo = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)
        hi = next((m.le for m in info.metadata if hasattr(m, "le")), None)
        out[path] = (lo, hi, info.default)
    return out


def parse_parameters(text: str | None) -> list[Parameter]:
    """'behaviour.outside.return_rate,outside.in_rate:0:0.05' -> Parameters. A name may leave out
    the `behaviour.` prefix; bounds default to the suggested search bounds or the declared ones."""
    if not text:
        return list(DEFAULT_PARAMETERS)
    known = declared_bounds()
    suggested = {p.path: p for p in DEFAULT_PARAMETERS + OTHER_SUGGESTED}
    out, problems = [], []
    for item in [s.strip() for s in text.split(",") if s.strip()]:
        name, *bounds = item.split(":")
        path = name if name.startswith("behaviour.") else f"behaviour.{name}"
        if path not in known:
            close = [k for k in known if k.endswith("." + name.split(".")[-1])]
            problems.append(f"--params {name}: no behavioural parameter {path}"
                            + (f"; did you mean {', '.join(close)}?" if close else ""))
            continue
        lo_decl, hi_decl, default = known[path]
        if not isinstance(default, float):
            problems.append(f"--params {name}: {path} is not a continuous parameter")
            continue
        if bounds:
            try:
                lo, hi = (float(b) for b in bounds)
            except ValueError:
                problems.append(f"--params {item}: expected NAME or NAME:LOW:HIGH with numbers")
                continue
        elif path in suggested:
            lo, hi = suggested[path].lo, suggested[path].hi
        else:
            lo, hi = lo_decl, hi_decl
        if not (lo_decl <= lo < hi <= hi_decl):
            problems.append(f"--params {item}: bounds must satisfy {lo_decl} <= low < high <= {hi_decl}")
            continue
        out.append(Parameter(path, lo, hi, suggested[path].why if path in suggested else ""))
    if len({p.path for p in out}) != len(out):
        problems.append("--params: a parameter is named twice")
    if problems:
        raise CalibrationError(problems)
    return out


def parse_targets(text: str | None) -> tuple[str, ...]:
    if not text:
        return FIT_MEASURES
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    known = MEASURES + (REGISTER,)
    bad = [n for n in names if n not in known]
    if bad:
        raise CalibrationError(f"--targets: unknown {', '.join(bad)}; expected some of {', '.join(known)}")
    return names


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


# --- running points, with a cache ---------------------------------------------------

def _key(scenario: dict, fingerprint: str) -> str:
    text = json.dumps(scenario, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{fingerprint}\n{text}".encode()).hexdigest()[:24]


class RunCache:
    """One JSON file per run under DIR/<code fingerprint>/; written whole (temporary file + os.replace)."""

    def __init__(self, root: Path | str | None, fingerprint: str):
        self.dir = None if root is None else Path(root) / fingerprint
        self.fingerprint = fingerprint

    def get(self, key: str) -> dict | None:
        if self.dir is None:
            return None
        f = self.dir / f"{key}.json"
        try:
            return json.loads(f.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def put(self, key: str, data: dict) -> None:
        if self.dir is None:
            return
        write_text_whole(self.dir / f"{key}.json", json.dumps(data))


class InlineExecutor(Executor):
    """Runs each task when submitted, in this process (workers=0)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:  # pragma: no cover - surfaced by fut.result()
            fut.set_exception(e)
        return fut


def make_executor(workers: int) -> Executor:
    if workers <= 0:
        return InlineExecutor()
    import multiprocessing as mp
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["experiments.calibration_data"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


@dataclass
class Evaluator:
    """Runs parameter points at every seed (cached) and returns per-seed summaries."""
    base: Scenario
    parameters: Sequence[Parameter]
    seeds: Sequence[int]
    cache: RunCache
    executor: Executor
    on_run: Callable[[bool], None] | None = None     # called per finished run (True: from the cache)
    runs: int = 0
    cached: int = 0

    def scenario(self, values: Sequence[float], seed: int) -> dict:
        over = {p.path: float(v) for p, v in zip(self.parameters, values)}
        over["seed"] = int(seed)
        return with_overrides(self.base, over).model_dump(mode="json")

    def evaluate(self, points: Sequence[Sequence[float]]) -> list[list[dict]]:
        """Per point, the list of per-seed results of `calibration_data.simulate`."""
        jobs: dict[str, Future | dict] = {}
        plan = []
        for values in points:
            keys = []
            for seed in self.seeds:
                sc = self.scenario(values, seed)
                key = _key(sc, self.cache.fingerprint)
                keys.append(key)
                if key in jobs:
                    continue
                hit = self.cache.get(key)
                if hit is not None:
                    jobs[key] = hit
                    self.cached += 1
                    if self.on_run:
                        self.on_run(True)
                else:
                    jobs[key] = self.executor.submit(simulate, sc)
            plan.append(keys)
        for key, job in jobs.items():
            if isinstance(job, Future):
                data = job.result()
                if data.get("code_fingerprint", self.cache.fingerprint) != self.cache.fingerprint:
                    raise CalibrationError("the model's code changed while calibrating (its fingerprint is "
                                           f"{data['code_fingerprint']}, was {self.cache.fingerprint}): run again")
                self.cache.put(key, data)
                jobs[key] = data
                self.runs += 1
                if self.on_run:
                    self.on_run(False)
        return [[jobs[k] for k in keys] for keys in plan]


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


# --- the optimiser (works on any objective over the unit cube) ----------------------

@dataclass
class OptimiseResult:
    x: np.ndarray                   # best point in the unit cube
    fun: float
    history: list[tuple[str, np.ndarray, float]] = field(default_factory=list)   # (stage, x, f)

    @property
    def evaluations(self) -> int:
        return len(self.history)


def optimise(batch: Callable[[np.ndarray], np.ndarray], dim: int, budget: int, n_initial: int | None = None,
             seed: int = 0, step: float = 0.15, xatol: float = 0.01, fatol: float = 1e-3, starts: int = 1,
             min_distance: float = 0.25, on_best: Callable[[float], None] | None = None) -> OptimiseResult:
    """Minimise `batch` (points (k, dim) in [0, 1]^dim -> values (k,)) within `budget` evaluations:
    a Latin hypercube of `n_initial` points, then bounded Nelder-Mead from the best of them, and
    (with `starts` > 1) from the next best points lying at least `min_distance` (root-mean-square
    distance per coordinate) from the starts already used: one search per basin, the budget after
    the Latin hypercube shared equally."""
    from scipy.optimize import minimize
    from scipy.stats import qmc

    if budget < 2:
        raise CalibrationError("the budget must allow at least 2 parameter points")
    n_initial = n_initial or max(2 * dim + 2, min(30 * dim, budget // 3))
    n_initial = min(n_initial, budget)
    history: list[tuple[str, np.ndarray, float]] = []
    best = [math.inf]

    def note(stage: str, xs, fs) -> None:
        for x, f in zip(xs, fs):
            history.append((stage, np.array(x, float), float(f)))
            if f < best[0]:
                best[0] = float(f)
                if on_best:
                    on_best(best[0])

    xs = qmc.LatinHypercube(d=dim, seed=seed).random(n_initial)
    note("lhs", xs, np.asarray(batch(xs), float))
    initial = sorted(history, key=lambda h: h[2])
    chosen: list[np.ndarray] = []
    for _, x, _ in initial:
        if len(chosen) == max(starts, 1):
            break
        if all(np.sqrt(np.mean((x - c) ** 2)) >= min_distance for c in chosen):
            chosen.append(x)
    left = budget - n_initial

    class Done(Exception):
        pass

    for i, start in enumerate(chosen):
        cap = budget if i == len(chosen) - 1 else n_initial + (i + 1) * left // len(chosen)
        if cap - len(history) <= dim + 1:
            break
        stage = "nelder-mead" if len(chosen) == 1 else f"nelder-mead-{i + 1}"

        def single(x: np.ndarray) -> float:
            if len(history) >= cap:
                raise Done
            x = np.clip(x, 0, 1)
            for _, hx, hf in reversed(history):      # the simplex revisits points: no second run
                if np.array_equal(hx, x):
                    note(stage, [x], [hf])
                    return hf
            f = float(np.asarray(batch(x[None, :]), float)[0])
            note(stage, [x], [f])
            return f

        simplex = [start] + [np.clip(start + step * np.eye(dim)[j] * (1 if start[j] < 0.5 else -1), 0, 1)
                             for j in range(dim)]
        try:
            minimize(single, start, method="Nelder-Mead", bounds=[(0.0, 1.0)] * dim,
                     options={"initial_simplex": np.array(simplex), "xatol": xatol, "fatol": fatol,
                              "maxfev": cap - len(history), "adaptive": dim > 3})
        except Done:
            pass
    bx, bf = min(((h[1], h[2]) for h in history), key=lambda t: t[1])
    return OptimiseResult(bx, bf, history)


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
