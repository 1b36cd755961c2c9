"""The budget (sim/budget.py, docs/budget.md): transfers follow settlers and permits, items add
up, unit costs move the cost they price and cite figures.csv."""
from __future__ import annotations

import csv
import re

import numpy as np
import pytest

from sim import CITY_CODE, load_scenario, run
from sim.costs import iter_costs
from sim.places import CODES

from .conftest import ROOT, SCENARIOS, small

YEARS = 3


def city(outcomes, outcome, group="all"):
    rows = outcomes[(outcomes.county == CITY_CODE) & (outcomes.outcome == outcome) & (outcomes.group == group)]
    values = rows.set_index("year").value.sort_index()
    return values[values.index > 2020]     # the simulated years


def counties(outcomes, outcome, group="all"):
    rows = outcomes[outcomes.county.isin(CODES) & (outcomes.outcome == outcome) & (outcomes.group == group)]
    return rows.set_index(["year", "county"]).value.sort_index()


@pytest.fixture(scope="module")
def three():
    """Pre-reform, the reform as written and strong transfers, same seed, three years."""
    names = ("baseline_pre_reform", "tieling_reform_2020", "reform_strong_transfers")
    return {n: run(small(load_scenario(SCENARIOS / f"{n}.yaml"), end_year=2020 + YEARS)).outcomes for n in names}


def test_transfers_differ_between_scenarios(three):
    base, reform, strong = (city(three[n], "transfers").sum() for n in three)
    pool = load_scenario(SCENARIOS / "baseline_pre_reform.yaml").behaviour.services.transfer_pool_yuan
    assert base == pytest.approx(pool * YEARS)        # no people-linked money before the reform
    assert reform > base and strong > reform


@pytest.mark.parametrize("name", ["tieling_reform_2020", "reform_strong_transfers"])
def test_linked_transfers_follow_settlers_and_permits(three, name):
    out = three[name]
    t = load_scenario(SCENARIOS / f"{name}.yaml").policy.transfers
    expected = (counties(out, "settlements") * t.yuan_per_settler
                + counties(out, "residence_permits_new") * t.yuan_per_permit)
    linked = counties(out, "budget_income", "linked_transfers")
    assert (expected > 0).any()
    np.testing.assert_allclose(linked.values, expected.loc[linked.index].values, rtol=1e-9)
    general = counties(out, "budget_income", "general_transfers")
    np.testing.assert_allclose((general + linked).values, counties(out, "transfers").loc[linked.index].values)
    central = counties(out, "budget_income", "central_reward")
    per = load_scenario(SCENARIOS / f"{name}.yaml").costs.income.central_reward_yuan_per_settler
    np.testing.assert_allclose(central.values, (counties(out, "settlements") * per).loc[central.index].values)


@pytest.mark.parametrize("outcome", ["budget_spending", "budget_income"])
def test_items_add_up_and_city_is_the_sum(three, outcome):
    out = three["tieling_reform_2020"]
    rows = out[out.outcome == outcome]
    wide = rows.pivot_table(index=["year", "county"], columns="group", values="value")
    items = wide.drop(columns="all")
    np.testing.assert_allclose(items.sum(axis=1), wide["all"], rtol=1e-9)
    per_county = wide["all"].drop(CITY_CODE, level="county").groupby("year").sum()
    np.testing.assert_allclose(per_county, wide["all"].xs(CITY_CODE, level="county"), rtol=1e-9)
    assert (items.values >= 0).all() and wide["all"].iloc[8:].sum() > 0


def test_unit_cost_prices_its_item_and_nothing_else(reform):
    sc = small(reform, end_year=2020 + YEARS)
    a = run(sc).outcomes
    b = run(small(sc, end_year=2020 + YEARS, **{"costs.spending.pupil_running_yuan_per_year": 26_166})).outcomes
    np.testing.assert_array_equal(city(a, "settlements").values, city(b, "settlements").values)
    run_a, run_b = city(a, "budget_spending", "school_running"), city(b, "budget_spending", "school_running")
    assert run_a.sum() > 0
    np.testing.assert_allclose(run_b.values, run_a.values * 2, rtol=1e-3)
    np.testing.assert_allclose(city(b, "budget_spending", "pension").values,
                               city(a, "budget_spending", "pension").values)


def test_school_admission_lever_changes_running_cost(reform):
    sc = small(reform, end_year=2020 + YEARS)
    equal = city(run(sc).outcomes, "budget_spending", "school_running").sum()
    hukou_only = city(run(small(sc, end_year=2020 + YEARS,
                                **{"policy.schools.migrant_children_admission": "hukou_only"})).outcomes,
                      "budget_spending", "school_running").sum()
    assert hukou_only == 0 < equal


# --- every unit cost names its source, and the sourced ones match figures.csv ------------

def figures() -> dict[tuple[str, str, str], float]:
    with open(ROOT / "sim" / "data" / "figures.csv", encoding="utf-8") as f:
        return {(r["geography"], r["year"], r["indicator"]): r["value"] for r in csv.DictReader(f)}


def figure(geography: str, year: str, start: str) -> float:
    hits = [v for (g, y, i), v in figures().items() if g.startswith(geography) and y == year and i.startswith(start)]
    assert len(hits) == 1, (geography, year, start, hits)
    return float(hits[0])


def test_every_cost_has_a_source_and_sourced_ones_cite_figures():
    for path, info in iter_costs():
        extra = info.json_schema_extra
        assert extra["source"] and extra["unit"], path
        if not extra["assumption"]:
            assert "figures.csv" in extra["source"] or "rule" in extra["source"], path


def test_derived_costs_follow_the_figures():
    from sim.costs import Income, Spending
    s, i = Spending(), Income()
    primary = figure("Liaoning", "2021", "per-pupil general public budget education expenditure, primary")
    junior = figure("Liaoning", "2021", "per-pupil general public budget education expenditure, junior")
    assert s.pupil_running_yuan_per_year == pytest.approx((6 * primary + 3 * junior) / 9, abs=1)
    wuhan = figure("Wuhan", "2018-2020", "investment to rebuild")
    assert s.school_place_build_yuan == pytest.approx(wuhan * 1e8 / 40_000)
    m2019 = figure("China", "2019", "minimum per-capita government subsidy for residents")
    assert s.medical_subsidy_yuan_per_year == m2019 + 30
    p2018 = figure("China", "2018", "minimum basic pension")
    p2023 = figure("China", "2023", "minimum basic pension")
    assert s.basic_pension_yuan_per_month == pytest.approx(p2018 + 2 * (p2023 - p2018) / 5)
    fund = figure("China", "2022", "central fiscal reward fund for agricultural-transfer population citizenization (")
    assert i.central_reward_yuan_per_settler == pytest.approx(fund * 1e8 / 930e4, rel=0.01)


def test_budget_doc_lists_every_cost():
    text = (ROOT / "docs" / "budget.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(costs\.[a-z0-9_.]+)`", text))
    assert {path for path, _ in iter_costs()} <= documented
