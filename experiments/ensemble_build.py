"""Building the parameter ensemble (`urbsim ensemble build`): history matching of the 2010-start
backtest to the 2020 census by county and the registered series 2017-2019, and the ensemble file
with its provenance (sim/data/ensemble.csv and ensemble.json; docs/calibration.md, "Ensemble").

Targets (errors relative for counts, differences for shares), with their stated uncertainties:

- census 2020 residents of each county: observation s.d. 0.5% (assumption: the 7th census's
  post-enumeration survey found a net omission of 0.05% nationally; a county's count is taken as
  ten times less sure), model discrepancy s.d. 3% (the calibration's acceptance tolerance);
- census 2020 urban share of each county: observation s.d. 0.5 points (assumption: the
  urban-rural classification of places), model discrepancy 2 points (the acceptance tolerance);
- the register's fitted points (sim.register_points, role "fit"): counts published in 万 with
  one decimal, so an observation s.d. of 1,000/sqrt(12) persons (rounding), shares to 0.1 point
  (0.001/sqrt(12)); model discrepancy 1% of the city's count and 2 points of a share (the
  objective's tolerances, experiments/calibrate.py REGISTER_TOLERANCE), 3% of a county's count
  (as its residents: the model's behaviour is city-wide).

Seed noise is measured: the calibrated point (data/calibration.json) is run with `noise_seeds`
other seeds and each target's error variance between seeds is V_seed.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from sim import CITY_CODE, register_points, write_text_whole

from .calibrate import DEFAULT_CACHE, DEFAULT_SCENARIO, FIT_YEAR, REGISTER_TOLERANCE, TOLERANCE, base_scenario
from .calibration_data import CODES, census_targets, code_fingerprint, summary_frame
from .calibration_params import ENSEMBLE_PARAMETERS, Parameter, REGISTER
from .calibration_runs import Evaluator, RunCache, make_executor
from .history_matching import CUT, HistoryMatch, Wave, history_match

FORMAT = 1
OBS_SD = {"residents": 0.005, "urban_share": 0.005, "hukou_holders": 1000 / 12 ** 0.5,
          "hukou_urbanization_rate": 0.001 / 12 ** 0.5}     # register counts: persons (made relative below)
PRIOR_DESIGN_OFFSET = 1000     # the whole-prior run's Latin hypercubes: seeds apart from the fit's
# A county's registered count: behaviour is city-wide, so a county's figures carry the discrepancy of
# its residents (3%; at the point fit Tieling County's register is 2-3% low, docs/calibration.md).
COUNTY_COUNT_DISCREPANCY = 0.03


@dataclass(frozen=True)
class Targets:
    names: list[str]            # "residents 211202", "register hukou_holders 211200 2017", ...
    relative: np.ndarray        # bool: error relative to the observed value
    observed: np.ndarray
    v_obs: np.ndarray
    v_md: np.ndarray


def fit_targets() -> Targets:
    """Census 2020 residents and urban share by county, and the register's fitted points."""
    census = census_targets(FIT_YEAR)
    rows = [(f"{m} {c}", m == "residents", census.loc[c, m], OBS_SD[m] ** 2, TOLERANCE[m] ** 2)
            for m in ("residents", "urban_share") for c in CODES]
    for r in register_points().itertuples():
        if r.role == "fit":
            count = r.outcome == "hukou_holders"
            sd = OBS_SD[r.outcome] / r.value if count else OBS_SD[r.outcome]
            md = COUNTY_COUNT_DISCREPANCY if count and r.county != CITY_CODE else REGISTER_TOLERANCE[r.outcome]
            rows.append((f"{REGISTER} {r.outcome} {r.county} {r.year}", count, r.value, sd ** 2, md ** 2))
    names, rel, obs, vo, vm = zip(*rows)
    return Targets(list(names), np.array(rel), np.array(obs, float), np.array(vo), np.array(vm))


def run_errors(result: dict, targets: Targets) -> np.ndarray:
    """One run's errors at every target, in the order of `targets.names`."""
    summary = summary_frame(result)
    fit = register_points().role.eq("fit").to_numpy()
    sim = np.concatenate([summary.loc[list(CODES), m].to_numpy(float) for m in ("residents", "urban_share")]
                         + [np.asarray(result["register"], float)[fit]])
    return np.where(targets.relative, sim / targets.observed - 1.0, sim - targets.observed)


def point_errors(per_seed: list[dict], targets: Targets) -> np.ndarray:
    return np.mean([run_errors(r, targets) for r in per_seed], axis=0)


@dataclass
class EnsembleBuild:
    parameters: list[Parameter]
    targets: Targets
    match: HistoryMatch
    v_seed: np.ndarray
    scale: float
    seeds: list[int]
    noise_seeds: list[int]
    runs: int
    cached: int
    wall_time_s: float
    around_fit: float = 0.0
    prior_sizes: list[int] = field(default_factory=list)     # the run of waves from the whole prior box

    def members(self) -> pd.DataFrame:
        pts, imax = self.match.members()
        frame = pd.DataFrame({p.path: [p.value_at(u) for u in pts[:, i]] for i, p in enumerate(self.parameters)})
        frame.insert(0, "member", range(1, len(frame) + 1))
        frame["max_implausibility"] = imax
        return frame


def calibrated_values() -> dict[str, float]:
    """The point fit's values (data/calibration.json) by path."""
    from sim import PARAMETERS

    return {p.path: p.default for p in PARAMETERS if p.calibrated}


def calibrated_point(parameters: Sequence[Parameter]) -> list[float]:
    """The point fit's values (data/calibration.json), clipped into the ensemble's prior box."""
    from .calibrate import declared_bounds

    fitted, declared = calibrated_values(), declared_bounds()
    return [min(max(fitted.get(p.path, declared[p.path][2]), p.lo), p.hi) for p in parameters]


def build_ensemble(parameters: Sequence[Parameter] = ENSEMBLE_PARAMETERS, *, scale: float = 0.03, seeds: int = 2,
                   noise_seeds: int = 8, sizes: Sequence[int] = (300, 200, 200, 200), min_members: int = 60,
                   seed: int = 2010, workers: int = 2, cache_dir: Path | str | None = DEFAULT_CACHE,
                   scenario: Path | str = DEFAULT_SCENARIO, end_year: int = FIT_YEAR,
                   targets: Targets | None = None, on_run: Callable[[bool], None] | None = None,
                   around_fit: float = 0.15, on_wave: Callable[[Wave], None] | None = None,
                   prior_sizes: Sequence[int] = ()) -> EnsembleBuild:
    """History-match `parameters` (priors: uniform on their bounds) in waves of `sizes` points, the
    first wave in `start_box(around_fit)`; and, with `prior_sizes` and a box around the fit, a second
    run of waves whose first samples the whole prior box. Their survivors are pooled: each run
    closes in on one region (its waves' boxes are bounding boxes), and the two find different ones
    (docs/calibration.md, "Waves")."""
    from .design import replicate_seeds

    from sim import code_version

    code_version()      # the commit the runs use, recorded now (cached): files may change while it runs
    start = time.perf_counter()
    params, targets = list(parameters), targets or fit_targets()
    base = base_scenario(scenario, scale, end_year)
    seed_list, noise_list = replicate_seeds(seed, seeds), replicate_seeds(seed + seeds, noise_seeds)
    with make_executor(workers) as ex:
        cache = RunCache(cache_dir, code_fingerprint())
        ev = Evaluator(base, params, seed_list, cache, ex, on_run)
        noise = Evaluator(base, params, noise_list, cache, ex, on_run)
        per_seed = np.array([run_errors(r, targets) for r in noise.evaluate([calibrated_point(params)])[0]])
        v_seed = per_seed.var(axis=0, ddof=1)

        def errors_of(points: np.ndarray) -> np.ndarray:
            values = [[p.value_at(u) for p, u in zip(params, x)] for x in points]
            return np.array([point_errors(r, targets) for r in ev.evaluate(values)])

        def waves(sizes_: Sequence[int], box, label: str, design_seed: int) -> list[Wave]:
            return history_match(errors_of, len(params), sizes_, lambda: (targets.v_obs, targets.v_md, v_seed),
                                 seeds, seed=design_seed, min_members=min_members, start=box, label=label,
                                 on_wave=on_wave).waves

        box = start_box(params, around_fit)
        pooled = waves(sizes, box, "fit" if box is not None else "prior", seed)
        prior = list(prior_sizes) if box is not None else []
        if prior:
            pooled += waves(prior, None, "prior", seed + PRIOR_DESIGN_OFFSET)
    return EnsembleBuild(params, targets, HistoryMatch(pooled), v_seed, scale, seed_list, noise_list,
                         ev.runs + noise.runs, ev.cached + noise.cached, time.perf_counter() - start, around_fit,
                         prior)


def start_box(parameters: Sequence[Parameter], around_fit: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The first wave's box in the unit cube: each calibrated parameter within `around_fit` of its
    prior range on either side of the point fit, the others over their whole prior (None: the
    whole prior box). The whole 12-dimensional box is too large to find the non-implausible region
    by running points (the first tries kept none of 500); the point fit is where the calibration's
    searches (2,400 runs) ended, and later waves may grow the box beyond this start."""
    if around_fit <= 0:
        return None
    fitted = calibrated_values()
    centre = np.array([p.unit_of(v) for p, v in zip(parameters, calibrated_point(parameters))])
    half = np.array([around_fit if p.path in fitted else 1.0 for p in parameters])
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def start_text(around_fit: float, prior_waves: int = 0) -> str:
    """Where wave 1 samples, in words (the build's printout and provenance)."""
    if around_fit <= 0:
        return "wave 1 over the whole prior box"
    text = (f"wave 1 in a box around the point fit (calibration.json): each calibrated parameter within "
            f"{around_fit:g} of its prior range on either side, the others over their whole prior")
    if prior_waves:
        text += (f"; and a second run of up to {prior_waves} waves whose wave 1 covers the whole prior box, "
                 f"its survivors pooled with the first's")
    return text


def ensemble_paths(folder: Path | None = None) -> tuple[Path, Path]:
    folder = Path(str(resources.files("sim") / "data")) if folder is None else Path(folder)
    return folder / "ensemble.csv", folder / "ensemble.json"


def provenance(b: EnsembleBuild, command: str, version: int) -> dict:
    from sim import code_version

    members = b.members()
    return {
        "format": FORMAT, "version": version, "command": command, "date": time.strftime("%Y-%m-%d"),
        "method": (f"history matching without an emulator: waves of Latin-hypercube points, each wave in the "
                   f"bounding box of the survivors so far (widened 10%); a point is kept when its maximum "
                   f"implausibility over the targets is at most {CUT:g}; while fewer than 10 survive, the box "
                   f"of the 10 least implausible points; the survivors of every start's waves pooled"),
        "implausibility": "|mean error over seeds| / sqrt(V_obs + V_md + V_seed / seeds)",
        "start": start_text(b.around_fit, len(b.prior_sizes)),
        "cut": CUT, "scale": b.scale, "seeds": b.seeds, "noise_seeds": b.noise_seeds,
        "scenario": "scenarios/backtest_2010.yaml, end of 2020",
        "waves": [{"wave": w.number, "start": w.start, "points": len(w.points), "survivors": w.survivors,
                   "box": [[round(p.value_at(lo), 6), round(p.value_at(hi), 6)]
                           for p, lo, hi in zip(b.parameters, w.lo, w.hi)]} for w in b.match.waves],
        "targets": [{"target": n, "observed": float(o), "error": "relative" if r else "difference",
                     "obs_sd": float(np.sqrt(vo)), "discrepancy_sd": float(np.sqrt(vm)), "seed_sd": float(np.sqrt(vs))}
                    for n, r, o, vo, vm, vs in zip(b.targets.names, b.targets.relative, b.targets.observed,
                                                   b.targets.v_obs, b.targets.v_md, b.v_seed)],
        "parameters": [{"path": p.path, "prior": [p.lo, p.hi],
                        "posterior": [float(members[p.path].min()), float(members[p.path].max())], "why": p.why}
                       for p in b.parameters],
        "members": int(len(members)), "runs": b.match.runs * len(b.seeds) + len(b.noise_seeds),
        "code_version": code_version(), "code_fingerprint": code_fingerprint(),
    }


def write_ensemble(b: EnsembleBuild, command: str, folder: Path | None = None) -> tuple[Path, Path]:
    """Write ensemble.csv (one member per row) and ensemble.json (provenance), each whole."""
    csv_path, json_path = ensemble_paths(folder)
    version = 1
    if json_path.is_file():
        try:
            version = int(json.loads(json_path.read_text(encoding="utf-8")).get("version", 0)) + 1
        except (ValueError, json.JSONDecodeError):
            pass
    members = b.members().round(6)
    write_text_whole(csv_path, members.to_csv(index=False))
    write_text_whole(json_path, json.dumps(provenance(b, command, version), indent=2, ensure_ascii=False) + "\n")
    return csv_path, json_path
