"""Runs of the whole model: conservation of people, registration, determinism, and the
outcomes table contract (docs/outcomes.md)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import CITY_CODE, COUNTIES, OUTCOMES, run, with_overrides
from sim.population.census import load_census

ROOT = Path(__file__).resolve().parents[1]
CODES = [c.code for c in COUNTIES]
AREAS = CODES + [CITY_CODE]
REQUIRED = ("residents", "urban_residents", "hukou_holders", "urban_hukou_holders", "resident_urbanization_rate",
            "hukou_urbanization_rate", "urbanization_gap", "births", "deaths", "moved_out", "moved_in", "households")
STOCK_BALANCE = ("births", "deaths", "moved_in", "moved_out")


def is_flow(name: str) -> bool:
    """Flows are counted over a year: their unit is per year (docs/outcomes.md)."""
    return OUTCOMES[name].unit.endswith("/year")


def wide(outcomes: pd.DataFrame, group: str = "all") -> pd.DataFrame:
    """(county, year) x outcome table of one group."""
    df = outcomes[outcomes.group == group]
    return df.pivot_table(index=["county", "year"], columns="outcome", values="value", aggfunc="first")


def small_run(reform, **over):
    return run(with_overrides(reform, {"scale": 0.01, "end_year": 2025, **over}))


# Variants that stress different parts of the year: the 2010 census start, the reform closed,
# and heavy moves in and out of the city with whole families.
VARIANTS = {
    "reform-2020": {},
    "backtest-2010": {"base_year": 2010, "end_year": 2016, "scale": 0.02, "policy.start_year": 2014},
    "closed": {"policy.graduates.settlement": "closed", "policy.purchase.enabled": False,
               "policy.insurance.enabled": False, "policy.students.hukou_mobility": "none",
               "policy.settlement.residence_years_required": 10, "seed": 7},
    "mobile": {"behaviour.outside.out_rate_peak": 0.25, "behaviour.outside.family_share": 0.9,
               "behaviour.outside.return_rate": 0.3, "behaviour.outside.in_rate": 0.05,
               "behaviour.migration.reconsider_rate": 0.8, "seed": 11},
}


@pytest.fixture(scope="module", params=list(VARIANTS), ids=list(VARIANTS))
def variant_result(request, reform):
    return small_run(reform, **VARIANTS[request.param])


# --- conservation -----------------------------------------------------------------

def test_residents_change_only_by_births_deaths_and_moves(variant_result):
    """residents_t = residents_{t-1} + births - deaths + moved_in - moved_out, per county and for
    the city, whose moves count only those across its border."""
    w = wide(variant_result.outcomes)
    years = sorted(variant_result.outcomes.year.unique())
    assert len(years) >= 6
    for area in AREAS:
        g = w.loc[area]
        expected = g.residents.shift(1) + g.births - g.deaths + g.moved_in - g.moved_out
        gap = (g.residents - expected).iloc[1:]
        assert np.allclose(gap, 0, atol=1e-6 * g.residents.max()), f"{area}: residents minus balance {gap.to_dict()}"


def test_flows_are_non_negative_and_happen(variant_result):
    w = wide(variant_result.outcomes)
    later = w[w.index.get_level_values("year") > w.index.get_level_values("year").min()]
    for name in STOCK_BALANCE:
        assert (later[name] >= 0).all(), name
        assert later.loc[CITY_CODE, name].sum() > 0, f"no {name} in the whole run"


def test_city_is_the_sum_of_its_counties(variant_result):
    w = wide(variant_result.outcomes)
    city = w.loc[CITY_CODE]
    counties = w.drop(index=CITY_CODE, level="county").groupby(level="year").sum(min_count=1)
    for name in ("residents", "urban_residents", "hukou_holders", "urban_hukou_holders", "births", "deaths",
                 "households", "registered_outside"):
        np.testing.assert_allclose(city[name], counties[name], rtol=1e-9, err_msg=name)
    # Moves within Tieling count for the counties but not for the city.
    flows_years = city.index > city.index.min()
    for name in ("moved_in", "moved_out"):
        assert (city[name][flows_years] <= counties[name][flows_years] + 1e-6).all(), name


def test_registration_is_consistent(variant_result):
    """One hukou per person: holders add up over counties; town holders are a part; rates are shares."""
    w = wide(variant_result.outcomes)
    assert (w.urban_hukou_holders <= w.hukou_holders + 1e-9).all()
    assert (w.urban_residents <= w.residents + 1e-9).all()
    assert (w.registered_outside <= w.hukou_holders + 1e-9).all()
    assert (w.residents_registered_elsewhere <= w.residents + 1e-9).all()
    for rate in ("resident_urbanization_rate", "hukou_urbanization_rate"):
        assert w[rate].between(0, 1).all(), rate
    np.testing.assert_allclose(w.resident_urbanization_rate, w.urban_residents / w.residents)
    np.testing.assert_allclose(w.hukou_urbanization_rate, w.urban_hukou_holders / w.hukou_holders)
    np.testing.assert_allclose(w.urbanization_gap, w.resident_urbanization_rate - w.hukou_urbanization_rate,
                               atol=1e-12)


def test_age_groups_add_up_to_residents(variant_result):
    df = variant_result.outcomes
    res = df[df.outcome == "residents"].pivot_table(index=["county", "year"], columns="group", values="value")
    np.testing.assert_allclose(res[["age_0_14", "age_15_64", "age_65_plus"]].sum(axis=1), res["all"])


def test_base_year_residents_are_the_census(reform_small_result, reform):
    """The first row of every run is the synthesized census population, at its scale."""
    df = reform_small_result.outcomes
    base = df[(df.year == reform.base_year) & (df.group == "all")].set_index(["outcome", "county"]).value
    census = load_census(reform.base_year)
    np.testing.assert_allclose(base.loc["residents"].loc[CODES].to_numpy(), census.residents, rtol=0.005)
    np.testing.assert_allclose(base.loc["households"].loc[CODES].to_numpy(), census.households, rtol=0.01)
    np.testing.assert_allclose(base.loc["urban_residents"].loc[CODES].to_numpy(), census.urban, rtol=0.01)


# --- determinism ------------------------------------------------------------------

@pytest.mark.xdist_group("determinism")
def test_same_scenario_and_seed_give_identical_outcomes(reform):
    sc = with_overrides(reform, {"scale": 0.01, "end_year": 2024})
    a, b = run(sc), run(sc)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes, check_exact=True)
    assert a.manifest["seed"] == b.manifest["seed"] == sc.seed
    assert a.manifest["scenario"] == b.manifest["scenario"]


@pytest.mark.xdist_group("determinism")
def test_another_seed_gives_other_outcomes(reform):
    a = run(with_overrides(reform, {"scale": 0.01, "end_year": 2024, "seed": 1}))
    b = run(with_overrides(reform, {"scale": 0.01, "end_year": 2024, "seed": 2}))
    assert a.outcomes.shape == b.outcomes.shape
    assert not np.array_equal(a.outcomes.value.to_numpy(), b.outcomes.value.to_numpy())
    later = lambda r: r.outcomes[(r.outcomes.year == 2024) & (r.outcomes.outcome == "births")].value.to_numpy()
    assert not np.array_equal(later(a), later(b))


def test_run_accepts_a_scenario_file(tmp_path, reform):
    from sim import scenario_yaml
    sc = with_overrides(reform, {"scale": 0.01, "end_year": 2022})
    path = tmp_path / "small.yaml"
    path.write_text(scenario_yaml(sc), encoding="utf-8")
    pd.testing.assert_frame_equal(run(path).outcomes, run(sc).outcomes, check_exact=True)


def test_progress_is_reported_each_year(reform):
    seen = []
    run(with_overrides(reform, {"scale": 0.01, "end_year": 2023}), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


# --- the outcomes table contract --------------------------------------------------

def test_outcome_columns_and_dtypes(reform_small_result):
    df = reform_small_result.outcomes
    assert list(df.columns) == ["year", "county", "group", "outcome", "value"]
    assert pd.api.types.is_integer_dtype(df.year)
    assert pd.api.types.is_float_dtype(df.value)
    for col in ("county", "group", "outcome"):
        assert pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object, col
        assert df[col].map(type).eq(str).all(), col
    assert len(df) > 0 and df.index.equals(pd.RangeIndex(len(df)))


def test_county_codes_are_six_digit_text_with_the_city(reform_small_result):
    df = reform_small_result.outcomes
    assert df.county.str.fullmatch(r"\d{6}").all()
    assert set(df.county) == set(AREAS)
    # Every record covers all seven counties and the city.
    per_record = df.groupby(["year", "group", "outcome"]).county.agg(lambda s: tuple(sorted(s)))
    assert (per_record == tuple(sorted(AREAS))).all()


def test_rows_are_unique(reform_small_result):
    df = reform_small_result.outcomes
    assert not df.duplicated(["year", "county", "group", "outcome"]).any()


def test_outcomes_are_declared_with_their_groups(reform_small_result):
    df = reform_small_result.outcomes
    assert set(df.outcome) <= set(OUTCOMES), set(df.outcome) - set(OUTCOMES)
    for (name, group), _ in df.groupby(["outcome", "group"]):
        declared = re.split(r"[;,]\s*", OUTCOMES[name].groups)
        assert group in declared, f"{name} recorded for group {group!r}; declared {OUTCOMES[name].groups!r}"
    for name, info in OUTCOMES.items():
        assert info.zh and info.en and info.unit, name


def test_required_outcomes_exist(reform_small_result):
    df = reform_small_result.outcomes
    recorded = set(df[df.group == "all"].outcome)
    assert set(REQUIRED) <= recorded, set(REQUIRED) - recorded
    assert set(OUTCOMES) == set(df.outcome), set(OUTCOMES) ^ set(df.outcome)


def test_years_run_from_base_to_end(reform_small_result, reform):
    df = reform_small_result.outcomes
    assert sorted(df.year.unique()) == list(range(reform.base_year, reform.base_year + 6))


def test_base_year_has_stocks_but_no_flows(reform_small_result, reform):
    df = reform_small_result.outcomes
    base = set(df[df.year == reform.base_year].outcome)
    later = set(df[df.year == reform.base_year + 1].outcome)
    flows = {n for n in OUTCOMES if is_flow(n)}
    assert {"births", "deaths", "moved_in", "moved_out"} <= flows
    assert not base & flows, base & flows
    assert base == later - flows
    assert flows <= later


def test_values_are_finite_where_defined(reform_small_result):
    df = reform_small_result.outcomes
    persons = df[df.outcome.map(lambda n: OUTCOMES[n].unit.startswith("persons"))]
    assert np.isfinite(persons.value).all() and (persons.value >= 0).all()


# --- docs/outcomes.md is kept in step -------------------------------------------------

DOC = ROOT / "docs" / "outcomes.md"


def doc_rows() -> dict[str, list[str]]:
    """Rows of the outcome table of docs/outcomes.md: name -> cells."""
    rows = {}
    text = DOC.read_text(encoding="utf-8").split("## Person and household panels")[0]   # the panels' columns follow
    for line in text[text.index("\n## The outcomes"):].splitlines():   # the compare CSV's columns come before
        m = re.match(r"^\|\s*`([a-z0-9_]+)`\s*\|(.*)\|\s*$", line)
        if m and not re.fullmatch(r"\d{6}", m.group(1)):
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def test_every_outcome_is_documented():
    rows = doc_rows()
    missing = [name for name in OUTCOMES if name not in rows]
    assert not missing, f"add these outcomes to docs/outcomes.md: {missing}"
    for name, info in OUTCOMES.items():
        zh, en, unit, groups = rows[name][:4]
        assert (zh, en, unit, groups) == (info.zh, info.en, info.unit, info.groups), name
        assert rows[name][4], f"{name}: say what it means"


def test_documented_outcomes_exist():
    rows = {n for n in doc_rows() if n not in ("year", "county", "group", "outcome", "value")}
    assert not rows - set(OUTCOMES), f"documented but not in sim.OUTCOMES: {rows - set(OUTCOMES)}"


def test_areas_are_documented():
    text = DOC.read_text(encoding="utf-8")
    for c in COUNTIES:
        assert re.search(rf"\|\s*`{c.code}`\s*\|\s*{c.zh}\s*\|\s*{c.en}\s*\|", text), c.code
    assert re.search(rf"\|\s*`{CITY_CODE}`\s*\|\s*铁岭市\s*\|\s*Tieling City\s*\|", text)
