"""The planner's scorecard: what each scenario costs and brings over a period, per settler,
whether it meets the document's targets, and why two scenarios differ (docs/budget.md).

Every figure is a mean over replicate runs with an interval (Student t, `level`), and every
difference between scenarios is paired by seed: replicate k of each scenario uses the same
seed, so the common random numbers cancel and the interval is that of the paired differences.

    runs = sim.replicates(load_scenario("scenarios/tieling_reform_2020.yaml"), seeds=[1, 2, 3])
    card = sim.scorecard({"reform": runs, "pre": sim.replicates(pre, seeds=[1, 2, 3])}, baseline="pre")
    card.totals, card.targets, sim.explain(pre_runs, reform_runs)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .budget import INCOME_ITEMS, SPENDING_ITEMS
from .intervals import LEVEL, mean_interval
from .places import CITY_CODE
from .runner import RunResult, run
from .scenario import Scenario, with_overrides

Runs = Sequence[RunResult | pd.DataFrame]
MEASURES = ("settlements", "budget_spending", "budget_income", "budget_net", "spending_per_settler",
            "income_per_settler", "net_per_settler")
UNITS = {"settlements": "persons", "budget_spending": "yuan", "budget_income": "yuan", "budget_net": "yuan",
         "spending_per_settler": "yuan/person", "income_per_settler": "yuan/person", "net_per_settler": "yuan/person"}
TARGET_COLUMNS = ("id", "measure", "county", "comparison", "value", "by_year", "clause", "basis_zh", "basis_en", "zh",
                  "en", "source")


def replicates(scenario: Scenario, seeds: Sequence[int], progress: Callable[[int, int], None] | None = None
               ) -> list[RunResult]:
    """One run per seed (the same seeds for every scenario make the comparison paired)."""
    out = []
    for k, seed in enumerate(seeds):
        out.append(run(with_overrides(scenario, {"seed": int(seed)})))
        if progress is not None:
            progress(k + 1, len(seeds))
    return out


def _table(r: RunResult | pd.DataFrame) -> pd.DataFrame:
    return r.outcomes if isinstance(r, RunResult) else r


def _series(outcomes: pd.DataFrame, outcome: str, group: str = "all", county: str = CITY_CODE) -> pd.Series:
    rows = outcomes[(outcomes.outcome == outcome) & (outcomes.group == group) & (outcomes.county == county)]
    return rows.set_index("year").value.sort_index()


def interval(values: Sequence[float], level: float = LEVEL) -> tuple[float, float, float]:
    """Mean and the `level` Student-t interval of the mean (NaN bounds with one value);
    sim.intervals, as `urbsim compare` uses."""
    m = mean_interval(values, level)
    return m.mean, m.low, m.high


def _sums(outcomes: pd.DataFrame, start: int, end: int, county: str) -> Callable[..., float]:
    """total(outcome, group="all"): the sum over start..end in one area (one groupby per run)."""
    o = outcomes[(outcomes.county == county) & (outcomes.year >= start) & (outcomes.year <= end)]
    sums = o.groupby(["outcome", "group"], observed=True).value.sum()
    return lambda outcome, group="all": float(sums.get((outcome, group), 0.0))


def totals(outcomes: pd.DataFrame, start: int, end: int, county: str = CITY_CODE) -> dict[str, float]:
    """Sums over the years start..end of one run: settlements, spending, income, net, per settler,
    and each budget item (`spending.ITEM`, `income.ITEM`)."""
    total = _sums(outcomes, start, end, county)
    settlers, spend, income = total("settlements"), total("budget_spending"), total("budget_income")
    per = (lambda x: x / settlers) if settlers > 0 else (lambda x: np.nan)
    out = {"settlements": settlers, "budget_spending": spend, "budget_income": income,
           "budget_net": income - spend, "spending_per_settler": per(spend), "income_per_settler": per(income),
           "net_per_settler": per(income - spend)}
    out.update({f"spending.{i}": total("budget_spending", i) for i in SPENDING_ITEMS})
    out.update({f"income.{i}": total("budget_income", i) for i in INCOME_ITEMS})
    return out


@dataclass
class Scorecard:
    totals: pd.DataFrame     # scenario, measure, unit, mean, low, high, n, diff, diff_low, diff_high
    targets: pd.DataFrame    # scenario, id, zh, en, clause, source, met_share, first_year, value, n
    baseline: str
    start: int
    end: int
    level: float


def scorecard(runs: Mapping[str, Runs], baseline: str | None = None, start: int = 2021, end: int = 2035,
              level: float = LEVEL, county: str = CITY_CODE) -> Scorecard:
    """Per scenario (name -> replicate runs, paired by position): totals start..end with intervals,
    differences from `baseline` (default: the first) paired by replicate, and the targets."""
    names = list(runs)
    baseline = baseline or names[0]
    if baseline not in runs:
        raise KeyError(f"baseline {baseline!r} is not one of the scenarios {names}")
    per_run = {n: [totals(_table(r), start, end, county) for r in runs[n]] for n in names}
    rows = []
    for n in names:
        for m in per_run[n][0]:
            values = [t[m] for t in per_run[n]]
            mean, low, high = interval(values, level)
            pairs = min(len(per_run[n]), len(per_run[baseline]))
            diffs = [per_run[n][k][m] - per_run[baseline][k][m] for k in range(pairs)]
            d, dlo, dhi = interval(diffs, level)
            rows.append((n, m, UNITS.get(m, "yuan"), mean, low, high, len(values), d, dlo, dhi))
    table = pd.DataFrame(rows, columns=["scenario", "measure", "unit", "mean", "low", "high", "n", "diff",
                                        "diff_low", "diff_high"])
    return Scorecard(table, target_table({n: [_table(r) for r in runs[n]] for n in names}), baseline, start, end,
                     level)


# --- the document's targets ---------------------------------------------------------

@lru_cache(maxsize=1)
def targets() -> pd.DataFrame:
    """The targets of the document and of the provincial and national plans (data/targets.csv)."""
    path = resources.files("sim") / "data" / "targets.csv"
    with path.open(encoding="utf-8") as f:
        t = pd.read_csv(f, dtype={"county": str, "clause": str})
    missing = set(TARGET_COLUMNS) - set(t.columns)
    if missing:
        raise ValueError(f"data/targets.csv: missing columns {sorted(missing)}")
    return t


def measure(outcomes: pd.DataFrame, name: str, county: str = CITY_CODE) -> pd.Series:
    """A target's measure by year: an outcome, or `migrant_public_school_share` (admitted / all)."""
    if name == "migrant_public_school_share":
        num = _series(outcomes, "migrant_children_in_public_school", county=county)
        den = _series(outcomes, "migrant_children", county=county)
        return (num / den.where(den > 0)).dropna()
    return _series(outcomes, name, county=county)


def evaluate(target: pd.Series, outcomes: pd.DataFrame) -> tuple[bool, float | None, float]:
    """(met, first year met or None, the value the verdict rests on) for one run."""
    s = measure(outcomes, target.measure, target.county)
    base = int(s.index.min())
    sim_years = s[s.index > base]
    if target.comparison == "rising":
        steps = s.diff().dropna()
        return bool((steps >= 0).all()), None, float(steps.min())
    if target.comparison == "falling":
        return bool(s.iloc[-1] < s.iloc[0]), None, float(s.iloc[-1] - s.iloc[0])
    ok = s >= target.value if target.comparison == "at_least" else s <= target.value
    first = float(s.index[ok.values][0]) if ok.any() else None
    if pd.notna(target.by_year) and int(target.by_year) in s.index:
        year = int(target.by_year)
        return bool(ok.loc[year]), first, float(s.loc[year])
    if pd.notna(target.by_year):       # the deadline is outside the run: met if met at the end
        return bool(ok.iloc[-1]), first, float(s.iloc[-1])
    every = ok[s.index > base] if len(sim_years) else ok
    return bool(every.all()), first, float(sim_years.min() if len(sim_years) else s.iloc[-1])


def target_table(runs: Mapping[str, Sequence[pd.DataFrame]]) -> pd.DataFrame:
    """Per scenario and target: the share of replicates that meet it and the median first year."""
    rows = []
    wanted = set(targets().measure) | {"migrant_children_in_public_school", "migrant_children"}
    for name, tables in runs.items():
        tables = [o[o.outcome.isin(wanted) & (o.group == "all")] for o in tables]    # once, not per target
        for _, t in targets().iterrows():
            results = [evaluate(t, o) for o in tables]
            firsts = [f for _, f, _ in results if f is not None]
            rows.append((name, t.id, t.zh, t.en, t.clause, t.basis_zh, t.basis_en, t.source, t.comparison, t.value,
                         t.by_year,
                         float(np.mean([m for m, _, _ in results])),
                         float(np.median(firsts)) if firsts else np.nan,
                         float(np.mean([v for _, _, v in results])), len(tables)))
    return pd.DataFrame(rows, columns=["scenario", "id", "zh", "en", "clause", "basis_zh", "basis_en", "source",
                                       "comparison", "target", "by_year", "met_share", "first_year", "value", "n"])


# --- why two scenarios differ -----------------------------------------------------------

# (outcome, group, sign in the identity of the change of its stock, component name)
HUKOU_FLOWS = (("hukou_births", "all", 1), ("hukou_deaths", "all", -1),
               ("hukou_moved_in", "settlement", 1), ("hukou_moved_in", "student_return", 1),
               ("hukou_moved_out", "settled_elsewhere", -1), ("hukou_moved_out", "marriage", -1),
               ("hukou_moved_out", "student", -1), ("hukou_moved_out", "settlement", -1))
RESIDENT_FLOWS = (("births", "all", 1), ("deaths", "all", -1), ("moved_in", "all", 1), ("moved_out", "all", -1))
PATHWAYS = ("graduate", "purchase", "insurance", "residence_years", "three_dependents", "student")
KINDS = ("kind_migrant_worker", "kind_graduate", "kind_household")


def _components(outcomes: pd.DataFrame, start: int, end: int, county: str) -> dict[tuple[str, str], float]:
    """Flows of one run summed over start..end, signed, and the change of their stocks."""
    total = _sums(outcomes, start, end, county)
    ends = outcomes[(outcomes.county == county) & (outcomes.group == "all") & outcomes.year.isin([start - 1, end])]
    at_ends = ends.set_index(["outcome", "year"]).value

    def change(outcome):
        return float(at_ends.loc[(outcome, end)] - at_ends.loc[(outcome, start - 1)])
    out: dict[tuple[str, str], float] = {}
    for section, stock, flows in (("hukou_holders", "hukou_holders", HUKOU_FLOWS),
                                  ("residents", "residents", RESIDENT_FLOWS)):
        delta = change(stock)
        explained = 0.0
        for outcome, group, sign in flows:
            v = sign * total(outcome, group)
            out[(section, outcome if group == "all" else f"{outcome}.{group}")] = v
            explained += v
        out[(section, "other")] = delta - explained     # whatever the listed flows leave (rounding, county moves)
        out[(section, "change")] = delta
    for p in PATHWAYS:
        out[("settlements", p)] = total("settlements", p)
    for k in KINDS:
        out[("settlements", k)] = total("settlements", k)
    out[("settlements", "all")] = total("settlements")
    out[("urban_hukou_holders", "change")] = change("urban_hukou_holders")
    for i in SPENDING_ITEMS:
        out[("budget_spending", i)] = total("budget_spending", i)
    for i in INCOME_ITEMS:
        out[("budget_income", i)] = total("budget_income", i)
    return out


def explain(a: Runs, b: Runs, start: int = 2021, end: int = 2035, county: str = CITY_CODE,
            level: float = LEVEL) -> pd.DataFrame:
    """Why B differs from A over start..end: each flow's difference (B - A), paired by replicate,
    with its interval. Sections: `hukou_holders` and `residents` (the signed flows and `other` add
    up to `change`), `settlements` by pathway and by agent kind, `budget_spending` and
    `budget_income` by item."""
    pairs = min(len(a), len(b))
    if pairs == 0:
        raise ValueError("explain needs at least one run of each scenario")
    ca = [_components(_table(r), start, end, county) for r in a[:pairs]]
    cb = [_components(_table(r), start, end, county) for r in b[:pairs]]
    rows = []
    for key in ca[0]:
        d, lo, hi = interval([cb[k][key] - ca[k][key] for k in range(pairs)], level)
        rows.append((key[0], key[1], float(np.mean([c[key] for c in ca])), float(np.mean([c[key] for c in cb])),
                     d, lo, hi, pairs))
    return pd.DataFrame(rows, columns=["section", "component", "a", "b", "diff", "low", "high", "n"])
