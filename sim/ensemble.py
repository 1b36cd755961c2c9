"""The parameter ensemble: parameter sets that all fit the 2020 census by county and the registered
series 2017-2019 (history matching, `urbsim ensemble build`; docs/calibration.md, "Ensemble"),
and runs of a scenario over K of them.

    result = sim.run(scenario, ensemble=20, replicates=2)    # EnsembleResult
    result.bands()             # per year: mean and 90% band of the headline outcomes, parameters and seeds together
    result.variance_shares()   # per year: the shares of the variance due to parameters and to seeds
    result.drivers()           # last year: which parameters drive the spread (first-order indices, intervals)

The K members are drawn without replacement, deterministically from the scenario's seed (the
first K in an order of the member ids keyed by the seed, sim/draws.py: a member drawn for K is
drawn for every larger K too); each runs
with `replicates` seeds of its own (member i, replicate r: seed + i * replicates + r), so that the
seed noise is independent between members and the two-level decomposition is unbiased: with R
replicates of each of K members, the within-member variance s_w^2 (mean of the members' variances)
estimates the seeds' part and var(member means) - s_w^2 / R (at least 0) the parameters' part
(one-way random-effects analysis of variance, method of moments; Searle, Casella & McCulloch,
*Variance Components*, 1992, §3.5).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, ClassVar

import numpy as np
import pandas as pd

from .draws import Draws
from .intervals import LEVEL
from .places import CITY_CODE
from .scenario import Scenario, load_scenario, with_overrides

FORMAT = 1
HEADLINE = ("residents", "hukou_holders", "hukou_urbanization_rate", "resident_urbanization_rate")
META = ("member", "max_implausibility")      # the CSV's columns that are not parameters
DRAW_PURPOSE = "ensemble members"            # keys the members' draw apart from every other use of the seed


class EnsembleError(ValueError):
    """A bad ensemble file or request; `problems` holds one line each (file, field, expected, found)."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Ensemble:
    members: pd.DataFrame      # `member`, one column per parameter path, `max_implausibility`
    provenance: dict
    path: Path

    @property
    def parameters(self) -> list[str]:
        return [c for c in self.members.columns if c not in META]

    def draw(self, k: int, seed: int) -> pd.DataFrame:
        """K members without replacement, the same K for the same seed."""
        if not 1 <= k <= len(self.members):
            raise EnsembleError(f"ensemble: expected between 1 and {len(self.members)} members (the file's "
                                f"count), found {k}")
        ids = self.members["member"].to_numpy(np.int64)
        order = Draws(seed).year(0).order(DRAW_PURPOSE, ids)      # keyed by (seed, member): sim/draws.py
        return self.members.iloc[order[:k]].reset_index(drop=True)


def default_paths() -> tuple[Path, Path]:
    data = Path(str(resources.files("sim") / "data"))
    return data / "ensemble.csv", data / "ensemble.json"


def _shown(path: Path) -> str:
    parts = path.parts
    return "/".join(parts[-3:]) if "sim" in parts[-3:-1] else str(path)


def _check_values(frame: pd.DataFrame, name: str, bounds: dict[str, tuple[float, float]]) -> list[str]:
    problems = []
    for col in frame.columns:
        if col == "member":
            ok = frame[col].str.fullmatch(r"\d+").fillna(False)
            expected = "a whole number"
        else:
            lo, hi = bounds.get(col, (-math.inf, math.inf))
            num = pd.to_numeric(frame[col], errors="coerce")
            ok = num.between(lo, hi) & np.isfinite(num)
            expected = f"a number within [{lo:g}, {hi:g}]" if col in bounds else "a finite number"
        for i in np.flatnonzero(~ok.to_numpy())[:1]:
            problems.append(f"{name}: row {i + 2}, field {col}: expected {expected}, found {frame[col].iloc[i]!r}")
    if not problems and frame["member"].duplicated().any():
        dup = frame["member"][frame["member"].duplicated()].iloc[0]
        problems.append(f"{name}: field member: expected each member once, found {dup} twice")
    return problems


def _check_columns(columns: list[str], prov: dict, name: str, json_name: str,
                   bounds: dict[str, tuple[float, float]]) -> list[str]:
    problems = [f"{name}: field {c}: expected a column of that name, found none" for c in META if c not in columns]
    params = [c for c in columns if c not in META]
    problems += [f"{name}: field {c}: expected a behavioural parameter path (sim.PARAMETERS), found {c!r}"
                 for c in params if c not in bounds]
    declared = [p.get("path") for p in prov.get("parameters", []) if isinstance(p, dict)]
    if not problems and declared != params:
        problems.append(f"{json_name}: field parameters: expected the parameter columns of {name} "
                        f"({', '.join(params)}), found {', '.join(map(str, declared)) or 'none'}")
    return problems


def _read_provenance(path: Path) -> dict:
    name = _shown(path)
    try:
        prov = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EnsembleError(f"{name}: file not found (expected the provenance written by `urbsim ensemble build`)")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise EnsembleError(f"{name}: expected JSON, found text that does not parse ({e})") from None
    if not isinstance(prov, dict) or prov.get("format") != FORMAT:
        found = prov.get("format") if isinstance(prov, dict) else type(prov).__name__
        raise EnsembleError(f"{name}: field format: expected {FORMAT}, found {found!r}")
    return prov


@lru_cache(maxsize=4)
def _load(csv_path: Path, json_path: Path) -> Ensemble:
    from .parameters import PARAMETERS

    prov = _read_provenance(json_path)
    name = _shown(csv_path)
    try:
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise EnsembleError(f"{name}: file not found (expected the members written by `urbsim ensemble build`)")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise EnsembleError(f"{name}: expected a CSV table, found {e}") from None
    bounds = {p.path: (p.lo, p.hi) for p in PARAMETERS} | {"max_implausibility": (0.0, math.inf)}
    problems = _check_columns(list(frame.columns), prov, name, _shown(json_path), bounds)
    if not problems and frame.empty:
        problems.append(f"{name}: expected at least one member, found none")
    problems = problems or _check_values(frame, name, bounds)
    if problems:
        raise EnsembleError(problems)
    members = frame.astype({c: float for c in frame.columns if c != "member"}).astype({"member": int})
    return Ensemble(members, prov, csv_path)


def load_ensemble(path: str | Path | None = None) -> Ensemble:
    """The ensemble in `path` (a CSV with its provenance beside it, same name with .json) or the
    one shipped in sim/data; every value checked (EnsembleError: file, field, expected, found)."""
    if path is None:
        csv_path, json_path = default_paths()
    else:
        csv_path = Path(path)
        json_path = csv_path.with_suffix(".json")
    return _load(csv_path.resolve(), json_path.resolve())


# --- running a scenario over the ensemble ---------------------------------------------

def variance_shares(values: np.ndarray) -> tuple[float, float, float]:
    """(parameter share, seed share, total variance) of values shaped (members, replicates)."""
    values = np.asarray(values, float)
    k, r = values.shape
    if k < 2 or r < 2:
        raise EnsembleError(f"variance shares: expected at least 2 members and 2 replicates, found {k} and {r}")
    within = float(values.var(axis=1, ddof=1).mean())
    between = max(float(values.mean(axis=1).var(ddof=1)) - within / r, 0.0)
    total = between + within
    if total <= 0:
        return math.nan, math.nan, 0.0
    return between / total, within / total, total


@dataclass
class EnsembleResult:
    """Runs of one scenario over K ensemble members with R seeds each."""
    HEADLINE: ClassVar[tuple[str, ...]] = HEADLINE      # the outcomes bands and shares default to
    runs: pd.DataFrame                 # member, replicate, seed, year, county, group, outcome, value
    members: pd.DataFrame              # the members drawn, in draw order
    manifest: dict = field(default_factory=dict)

    def _select(self, outcomes, county: str, group: str) -> pd.DataFrame:
        r = self.runs
        return r[r.outcome.isin(list(outcomes)) & (r.county == county) & (r.group == group)]

    def bands(self, level: float = LEVEL, outcomes=HEADLINE, county: str = CITY_CODE,
              group: str = "all") -> pd.DataFrame:
        """Per year and outcome: mean, median and the central `level` band over all K x R runs
        (parameter and seed uncertainty together)."""
        g = self._select(outcomes, county, group).groupby(["year", "outcome"], sort=True)["value"]
        out = pd.DataFrame({"mean": g.mean(), "median": g.median(), "lo": g.quantile((1 - level) / 2),
                            "hi": g.quantile((1 + level) / 2), "runs": g.size()}).reset_index()
        return out.assign(county=county, level=level)

    def variance_shares(self, outcomes=HEADLINE, county: str = CITY_CODE, group: str = "all") -> pd.DataFrame:
        """Per year and outcome: total variance, and the shares due to parameters (between
        members) and to seeds (within members); the shares add up to 1 (NaN without variance)."""
        rows = []
        for (year, outcome), g in self._select(outcomes, county, group).groupby(["year", "outcome"], sort=True):
            table = g.pivot_table(index="member", columns="replicate", values="value").to_numpy()
            p, s, total = variance_shares(table)
            rows.append({"year": year, "outcome": outcome, "county": county, "total_sd": math.sqrt(total),
                         "parameter_share": p, "seed_share": s})
        return pd.DataFrame(rows)

    def drivers(self, year: int | None = None, outcomes=HEADLINE, county: str = CITY_CODE, group: str = "all",
                level: float = LEVEL, resamples: int = 200) -> pd.DataFrame:
        """Per outcome in `year` (default: the last): each parameter's first-order index S1 on the
        member means, with a `level` interval, its rank, and its most correlated parameter among
        the members (sim/ensemble_drivers.py: what the indices mean for a correlated sample)."""
        from .ensemble_drivers import MIN_MEMBERS, drivers_table

        k = len(self.members)
        if k < MIN_MEMBERS:
            raise EnsembleError(f"drivers: expected at least {MIN_MEMBERS} members (an index from given data needs "
                                f"them), found {k}")
        sel = self._select(outcomes, county, group)
        year = int(sel.year.max()) if year is None else int(year)
        if year not in set(sel.year):
            raise EnsembleError(f"drivers: field year: expected a simulated year ({sel.year.min()}-{sel.year.max()}), "
                                f"found {year}")
        means = sel[sel.year == year].pivot_table(index="member", columns=["year", "outcome", "county"],
                                                  values="value", aggfunc="mean")
        params = [c for c in self.members.columns if c not in META]
        seed = int(self.manifest.get("scenario", {}).get("seed", 0))
        return drivers_table(self.members, params, means, seed, level=level, resamples=resamples)


RUN_COLUMNS = ["member", "replicate", "seed", "year", "county", "group", "outcome", "value"]


@dataclass
class EnsemblePlan:
    """The runs of a scenario over K members, R seeds each: `runs` lists (member id, replicate,
    seed, the scenario with the member's values and that seed), member by member. Whoever runs them
    (here one after another, or the dashboard's process pool) hands their outcomes, in this order,
    to `result`."""
    scenario: Scenario
    ensemble: Ensemble
    members: pd.DataFrame
    replicates: int
    runs: list[tuple[int, int, int, Scenario]]

    def result(self, outcomes: list[pd.DataFrame]) -> EnsembleResult:
        from .runner import code_version
        frames = [o.assign(member=m, replicate=r, seed=seed) for o, (m, r, seed, _) in zip(outcomes, self.runs)]
        sc, total = self.scenario, len(self.runs)
        manifest = {"scenario": sc.model_dump(mode="json"), "members": self.members["member"].tolist(),
                    "replicates": self.replicates, "seeds": f"{sc.seed} .. {sc.seed + total - 1}",
                    "ensemble_version": self.ensemble.provenance.get("version"),
                    "ensemble_file": self.ensemble.path.name, "code_version": code_version()}
        return EnsembleResult(pd.concat(frames, ignore_index=True)[RUN_COLUMNS], self.members, manifest)


def plan_ensemble(scenario: Scenario | str | Path, k: int, replicates: int = 2,
                  path: str | Path | None = None) -> EnsemblePlan:
    """The runs of `scenario` over `k` members drawn from the ensemble by the scenario's seed,
    `replicates` seeds each: member i's replicate r with seed `seed + i R + r`. A member's values
    replace the scenario's values of the ensemble's parameters; everything else is the scenario's."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if replicates < 2 or k < 2:
        raise EnsembleError(f"ensemble run: expected at least 2 members and 2 replicates (to split the variance), "
                            f"found {k} and {replicates}")
    ens = load_ensemble(path)
    members = ens.draw(k, scenario.seed)
    runs = []
    for i, member in members.iterrows():
        values = {p: float(member[p]) for p in ens.parameters}
        for r in range(replicates):
            seed = scenario.seed + i * replicates + r
            runs.append((int(member["member"]), r, seed, with_overrides(scenario, {**values, "seed": seed})))
    return EnsemblePlan(scenario, ens, members, replicates, runs)


def run_ensemble(scenario: Scenario | str | Path, k: int, *, replicates: int = 2,
                 progress: Callable[[int, int], None] | None = None, path: str | Path | None = None) -> EnsembleResult:
    """Run `scenario` over `k` members drawn from the ensemble, `replicates` seeds each, one run
    after another (`plan_ensemble`); `progress(done, total)` counts runs."""
    from .runner import run

    plan = plan_ensemble(scenario, k, replicates, path)
    outcomes = []
    for done, (_, _, _, sc) in enumerate(plan.runs, start=1):
        outcomes.append(run(sc).outcomes)
        if progress is not None:
            progress(done, len(plan.runs))
    return plan.result(outcomes)
