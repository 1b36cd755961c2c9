"""Policy behaviour people rely on: the reform against the pre-reform baseline, pathways
used, and the invariants of institutions each year."""
from __future__ import annotations

import numpy as np
import pytest

from sim import CITY_CODE, load_scenario, run

from .conftest import SCENARIOS, small

PATHWAYS = ("graduate", "purchase", "insurance", "residence_years", "three_dependents", "student")


def city(outcomes, outcome, group="all"):
    rows = outcomes[(outcomes.county == CITY_CODE) & (outcomes.outcome == outcome) & (outcomes.group == group)]
    return rows.set_index("year").value


@pytest.fixture(scope="module")
def pair():
    """Reform and pre-reform baseline, 2020-2030, two seeds each (common across the two)."""
    out = {}
    for name in ("baseline_pre_reform", "tieling_reform_2020"):
        sc = load_scenario(SCENARIOS / f"{name}.yaml")
        out[name] = [run(small(sc, scale=0.02, end_year=2030, seed=s)).outcomes for s in (1, 2)]
    return out


def test_reform_beats_baseline_on_hukou_urbanization_by_2030(pair):
    for base, reform in zip(pair["baseline_pre_reform"], pair["tieling_reform_2020"]):
        b = city(base, "hukou_urbanization_rate")[2030]
        r = city(reform, "hukou_urbanization_rate")[2030]
        assert r > b + 0.01, (b, r)
        # ... and narrows the gap between the two rates
        assert city(reform, "urbanization_gap")[2030] < city(base, "urbanization_gap")[2030]


def test_reform_uses_every_pathway_it_opens(pair):
    for reform in pair["tieling_reform_2020"]:
        for pathway in PATHWAYS:
            assert city(reform, "settlements", pathway).sum() > 0, pathway


def test_baseline_never_uses_the_insurance_pathway(pair):
    for base in pair["baseline_pre_reform"]:
        assert city(base, "settlements", "insurance").sum() == 0
        assert city(base, "settlements", "all").sum() > 0


def test_settlements_add_up_by_pathway_and_by_kind(pair):
    for out in pair["tieling_reform_2020"]:
        s = out[out.outcome == "settlements"].pivot_table(index=["year", "county"], columns="group", values="value")
        np.testing.assert_allclose(s[list(PATHWAYS)].sum(axis=1), s["all"])
        kinds = [c for c in s.columns if c.startswith("kind_")]
        np.testing.assert_allclose(s[kinds].sum(axis=1), s["all"])


def test_institution_invariants_every_year(pair):
    for out in pair["tieling_reform_2020"] + pair["baseline_pre_reform"]:
        wide = out[out.group == "all"].pivot_table(index=["year", "county"], columns="outcome", values="value")
        flows = wide.dropna(subset=["transfers"])      # years after the base year
        # nobody placed past the hard limit of school places
        assert (flows.migrant_children_in_public_school <= flows.school_places + 1e-6).all()
        assert (flows.migrant_children_in_public_school <= flows.migrant_children + 1e-6).all()
        # queues and stocks are never negative; flats occupied never exceed the stock (rounding: 1 flat)
        assert (flows.public_rental_queue >= 0).all()
        assert (flows.public_rental_occupancy <= flows.public_rental_stock + 1 / 0.02).all()
        # budget identity: what the city pays is exactly what the counties receive, the general
        # pool (constant per year) plus the people-linked money
        counties = flows.transfers.drop(index=CITY_CODE, level="county").groupby("year").sum()
        city_total = flows.transfers.xs(CITY_CODE, level="county")
        np.testing.assert_allclose(counties, city_total)
        items = out[(out.county == CITY_CODE) & (out.outcome == "budget_income")].pivot_table(
            index="year", columns="group", values="value")
        assert np.allclose(items.general_transfers, items.general_transfers.iloc[0])
        np.testing.assert_allclose(items.general_transfers + items.linked_transfers, city_total.loc[items.index])
        # the cumulative land quota never falls
        land = wide.land_quota_m2.xs(CITY_CODE, level="county")
        assert (np.diff(land.to_numpy()) >= 0).all()
        # services congest softly: congestion is a share
        cong = out[out.outcome == "service_congestion"].value
        assert cong.between(0, 1).all()


def test_residence_permits_only_for_people_without_local_town_hukou(pair):
    for out in pair["tieling_reform_2020"]:
        permits = city(out, "residence_permits")
        elsewhere = city(out, "residents_registered_elsewhere")
        urban = city(out, "urban_residents")
        assert (permits <= urban).all()
        assert permits.iloc[-1] > 0
        assert (elsewhere >= 0).all()


def test_every_shipped_scenario_runs(tmp_path):
    for path in sorted(SCENARIOS.glob("*.yaml")):
        sc = load_scenario(path)
        res = run(small(sc, scale=0.005, end_year=sc.base_year + 2))
        assert set(res.outcomes.year) == {sc.base_year, sc.base_year + 1, sc.base_year + 2}, path.name
