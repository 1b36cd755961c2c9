"""Why two scenarios differ, broken down: the difference (B - A) over a period in settlements,
hukou holders and the people-linked budget, split by pathway, by agent kind, by budget item and
by county, each part paired by replicate seed with its interval (docs/budget.md).

    sim.explain_breakdown(runs["pre"], runs["reform"], 2021, 2035)
    # measure, by, component, a, b, diff, low, high, n

Every split uses what the runs record, nothing apportioned afterwards:
- `settlements` by `pathway` and by `kind` (the groups of the `settlements` outcome: the
  settler's agent kind before settling) and by `county` (the county rows);
- `hukou_holders` (the change of the stock over the period) by `flow` (the register's births,
  deaths and moves, as `sim.explain`) and by `county`; `urban_hukou_holders` by `county`;
- `budget_spending` and `budget_income` by `item` and by `county`, `budget_net` by `county`.

The parts of each (measure, by) add up to its `total` row, for A, for B and for every paired
difference, so the means add up too (the intervals do not: each is the part's own).
Budget items are priced per county from counts (places built, pupils admitted, settlers,
permits; sim/budget.py), so the budget has no split by agent kind: the runs do not record who
a school place or a transfer was for, and the model does not guess it.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from .budget import INCOME_ITEMS, SPENDING_ITEMS
from .intervals import LEVEL, mean_interval
from .places import CITY_CODE, COUNTIES
from .runner import RunResult

Runs = Sequence[RunResult | pd.DataFrame]
COUNTY_CODES = tuple(c.code for c in COUNTIES)
PATHWAYS = ("graduate", "purchase", "insurance", "residence_years", "three_dependents", "student")
KINDS = ("kind_migrant_worker", "kind_graduate", "kind_household")
# the register's flows (outcome, group, sign): with `other` they add up to the city's change of hukou holders
HUKOU_FLOWS = (("hukou_births", "all", 1), ("hukou_deaths", "all", -1),
               ("hukou_moved_in", "settlement", 1), ("hukou_moved_in", "student_return", 1),
               ("hukou_moved_out", "settled_elsewhere", -1), ("hukou_moved_out", "marriage", -1),
               ("hukou_moved_out", "student", -1), ("hukou_moved_out", "settlement", -1))
STOCKS = ("hukou_holders", "urban_hukou_holders")
FLOWS = ("settlements", "budget_spending", "budget_income", "hukou_births", "hukou_deaths", "hukou_moved_in",
         "hukou_moved_out")
COLUMNS = ["measure", "by", "component", "a", "b", "diff", "low", "high", "n"]


def _table(r: RunResult | pd.DataFrame) -> pd.DataFrame:
    return r.outcomes if isinstance(r, RunResult) else r


def parts(outcomes: pd.DataFrame, start: int, end: int) -> dict[tuple[str, str, str], float]:
    """One run's breakdown: {(measure, by, component): value} over the years start..end."""
    o = outcomes[outcomes.outcome.isin(FLOWS + STOCKS)]
    flows = o[o.year.between(start, end)].groupby(["outcome", "county", "group"], observed=True).value.sum()
    stocks = o[o.outcome.isin(STOCKS) & (o.group == "all") & o.year.isin([start - 1, end])]
    at = stocks.set_index(["outcome", "county", "year"]).value

    def flow(outcome, county=CITY_CODE, group="all"):
        return float(flows.get((outcome, county, group), 0.0))

    def change(outcome, county=CITY_CODE):
        return float(at.get((outcome, county, end), np.nan) - at.get((outcome, county, start - 1), np.nan))

    out: dict[tuple[str, str, str], float] = {}

    def split(measure, by, values, total):
        out.update({(measure, by, k): v for k, v in values.items()})
        out[(measure, by, "total")] = total

    split("settlements", "pathway", {p: flow("settlements", group=p) for p in PATHWAYS}, flow("settlements"))
    split("settlements", "kind", {k.removeprefix("kind_"): flow("settlements", group=k) for k in KINDS},
          flow("settlements"))
    split("settlements", "county", {c: flow("settlements", c) for c in COUNTY_CODES}, flow("settlements"))
    register = {(o if g == "all" else f"{o}.{g}"): sign * flow(o, group=g) for o, g, sign in HUKOU_FLOWS}
    register["other"] = change("hukou_holders") - sum(register.values())
    split("hukou_holders", "flow", register, change("hukou_holders"))
    for stock in STOCKS:
        split(stock, "county", {c: change(stock, c) for c in COUNTY_CODES}, change(stock))
    for side, items in (("budget_spending", SPENDING_ITEMS), ("budget_income", INCOME_ITEMS)):
        split(side, "item", {i: flow(side, group=i) for i in items}, flow(side))
        split(side, "county", {c: flow(side, c) for c in COUNTY_CODES}, flow(side))
    split("budget_net", "county", {c: flow("budget_income", c) - flow("budget_spending", c) for c in COUNTY_CODES},
          flow("budget_income") - flow("budget_spending"))
    return out


def explain_breakdown(a: Runs, b: Runs, start: int = 2021, end: int = 2035, level: float = LEVEL) -> pd.DataFrame:
    """B minus A over start..end by pathway, agent kind, budget item and county: for each part the
    means of A and B, the mean of the per-seed differences (replicate k of each paired) and its
    Student-t interval at `level` (NaN bounds with one pair)."""
    pairs = min(len(a), len(b))
    if pairs == 0:
        raise ValueError("explain_breakdown needs at least one run of each scenario")
    pa = [parts(_table(r), start, end) for r in a[:pairs]]
    pb = [parts(_table(r), start, end) for r in b[:pairs]]
    rows = []
    for key in pa[0]:
        d = mean_interval([pb[k][key] - pa[k][key] for k in range(pairs)], level)
        rows.append((*key, float(np.mean([p[key] for p in pa])), float(np.mean([p[key] for p in pb])),
                     d.mean, d.low, d.high, pairs))
    return pd.DataFrame(rows, columns=COLUMNS)
