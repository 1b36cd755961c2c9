"""Why two scenarios differ, by pathway, agent kind, budget item and county (sim/breakdown.py):
the parts add up to their totals, each part's difference is the mean of the per-seed paired
differences with its interval, the totals agree with the scorecard and `sim.explain`, and
`urbsim compare --explain` prints the breakdown."""
from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.breakdown import explain_breakdown
from sim.intervals import mean_interval
from sim.places import CODES

from .test_scorecard import END, runs  # noqa: F401

START = 2021


@pytest.fixture(scope="module")
def breakdown(runs):  # noqa: F811
    return explain_breakdown(runs["pre"], runs["reform"], START, END)


def test_parts_add_up_to_each_total(breakdown):
    for (m, by), part in breakdown.groupby(["measure", "by"]):
        total = part[part.component == "total"].iloc[0]
        rest = part[part.component != "total"]
        for col in ("a", "b", "diff"):
            assert rest[col].sum() == pytest.approx(total[col], rel=1e-9, abs=1e-6), (m, by, col)
    # every split of one measure has the same total
    totals = breakdown[breakdown.component == "total"].groupby("measure")["diff"].agg(["min", "max"])
    assert np.allclose(totals["min"], totals["max"])
    counties = breakdown[breakdown.by == "county"]
    assert set(counties.component) == set(CODES) | {"total"}


def test_totals_match_the_scorecard_and_explain(runs, breakdown):  # noqa: F811
    card = sim.scorecard(runs, baseline="pre", start=START, end=END)
    t = card.totals.set_index(["scenario", "measure"])
    tot = breakdown[breakdown.component == "total"].drop_duplicates("measure").set_index("measure")
    for m in ("settlements", "budget_spending", "budget_income", "budget_net"):
        assert tot.loc[m, "diff"] == pytest.approx(t.loc[("reform", m), "diff"])
        assert tot.loc[m, "low"] == pytest.approx(t.loc[("reform", m), "diff_low"])
    e = sim.explain(runs["pre"], runs["reform"], START, END).set_index(["section", "component"])
    assert tot.loc["hukou_holders", "diff"] == pytest.approx(e.loc[("hukou_holders", "change"), "diff"])
    kinds = breakdown[(breakdown.measure == "settlements") & (breakdown.by == "kind")].set_index("component")
    assert kinds.loc["migrant_worker", "diff"] == pytest.approx(e.loc[("settlements", "kind_migrant_worker"), "diff"])


def test_each_part_is_a_paired_interval(runs, breakdown):  # noqa: F811
    """One county's settlements by hand: per-seed differences of the county rows, then their t interval."""
    code = CODES[0]

    def settled(r):
        o = r.outcomes
        return o[(o.outcome == "settlements") & (o.county == code) & (o.group == "all")
                 & o.year.between(START, END)].value.sum()
    diffs = [settled(b) - settled(a) for a, b in zip(runs["pre"], runs["reform"])]
    want = mean_interval(diffs, 0.9)
    got = breakdown[(breakdown.measure == "settlements") & (breakdown.by == "county")
                    & (breakdown.component == code)].iloc[0]
    assert (got["diff"], got["low"], got["high"]) == pytest.approx((want.mean, want.low, want.high))
    assert got["n"] == len(diffs) == 3
    # the reform settles more people, distinguishably, and against itself nothing differs
    total = breakdown[(breakdown.measure == "settlements") & (breakdown.component == "total")].iloc[0]
    assert total["low"] > 0
    same = sim.explain_breakdown(runs["reform"], runs["reform"], START, END)
    assert (same["diff"] == 0).all()


def test_one_pair_has_no_interval_and_none_is_refused(runs):  # noqa: F811
    one = sim.explain_breakdown(runs["pre"][:1], runs["reform"][:1], START, END)
    assert one["low"].isna().all() and (one["n"] == 1).all()
    with pytest.raises(ValueError, match="at least one run"):
        sim.explain_breakdown([], runs["reform"], START, END)


def test_one_runs_parts_on_a_hand_made_table():
    """`breakdown.parts` of a tiny outcomes table: the settlements of the period by pathway, the
    register's change with `other` closing it, both adding up to their totals."""
    import pandas as pd

    from sim.breakdown import parts
    from sim.places import CITY_CODE
    rows = [(2021, CITY_CODE, "graduate", "settlements", 3.0), (2021, CITY_CODE, "purchase", "settlements", 2.0),
            (2022, CITY_CODE, "graduate", "settlements", 4.0), (2021, CITY_CODE, "all", "settlements", 5.0),
            (2022, CITY_CODE, "all", "settlements", 4.0), (2023, CITY_CODE, "all", "settlements", 100.0),
            (2020, CITY_CODE, "all", "hukou_holders", 1000.0), (2022, CITY_CODE, "all", "hukou_holders", 1010.0),
            (2021, CITY_CODE, "all", "hukou_births", 6.0)]
    table = pd.DataFrame(rows, columns=["year", "county", "group", "outcome", "value"])
    p = parts(table, 2021, 2022)
    assert p[("settlements", "pathway", "graduate")] == 7.0 and p[("settlements", "pathway", "total")] == 9.0
    assert p[("hukou_holders", "flow", "total")] == 10.0
    assert p[("hukou_holders", "flow", "hukou_births")] == 6.0 and p[("hukou_holders", "flow", "other")] == 4.0
