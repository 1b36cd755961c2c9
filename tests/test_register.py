"""The register as a ledger: hukou moves out of Tieling, conversions, the 2020 stock, the record."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import CITY_CODE, run, with_overrides
from sim import observed_points, register_points
from sim.draws import Draws
from sim.parameters import Outside, Registry
from sim.places import CODES, OUTSIDE
from sim.policies.rules import rules_for
from sim.population import registry
from sim.population.columns import Population

from .conftest import small

FLOW_NAMES = ("hukou_births", "hukou_deaths", "hukou_moved_in", "hukou_moved_out")


def _wide(outcomes: pd.DataFrame, names, group: str = "all") -> pd.DataFrame:
    o = outcomes[outcomes.outcome.isin(names) & (outcomes.group == group)]
    return o.pivot_table(index=["county", "year"], columns="outcome", values="value")


def test_register_is_a_ledger(reform):
    """For every county and the city: holders(y) = holders(y-1) + births - deaths + moved in - moved out."""
    out = run(small(reform, scale=0.01, end_year=2026, seed=3)).outcomes
    w = _wide(out, ("hukou_holders",) + FLOW_NAMES)
    for county, g in w.groupby(level="county"):
        g = g.droplevel("county").sort_index()
        change = g.hukou_holders.diff().iloc[1:]
        flows = (g.hukou_births - g.hukou_deaths + g.hukou_moved_in - g.hukou_moved_out).iloc[1:]
        np.testing.assert_allclose(change, flows, atol=1e-6, err_msg=county)
    city = w.loc[CITY_CODE]
    assert (city.hukou_moved_out.iloc[1:] > 0).all()


def test_reasons_add_up_and_city_counts_only_its_border(reform_small_result):
    out = reform_small_result.outcomes
    for name, reasons in (("hukou_moved_out", ("settled_elsewhere", "marriage", "student", "settlement")),
                          ("hukou_moved_in", ("settlement", "student_return"))):
        o = out[out.outcome == name]
        total = o[o.group == "all"].set_index(["county", "year"]).value
        parts = o[o.group.isin(reasons)].groupby(["county", "year"]).value.sum()
        np.testing.assert_allclose(parts.reindex(total.index), total, atol=1e-6)
    # Moves between Tieling's counties count for the counties, not the city: the city's moves out
    # by settlement (a registration moved to another county's town) are zero.
    o = out[(out.outcome == "hukou_moved_out") & (out.group == "settlement")]
    assert o[o.county == CITY_CODE].value.sum() == 0
    assert o[o.county != CITY_CODE].value.sum() > 0


def _tiny_outside(n_households: int = 40, size: int = 2, years_away: int = 5, county: int = 3) -> Population:
    """Households of registered people of `county` living outside Tieling, each with `size` adults."""
    n = n_households * size
    pop = Population(n, n_households, 1.0)
    p, h = pop.persons, pop.households
    idx, rows = p.add(n), h.add(n_households)
    h.alive[rows], h.county[rows], h.urban[rows] = True, OUTSIDE, True
    p.alive[idx], p.age[idx] = True, 30
    p.hh[idx] = np.repeat(rows, size)
    p.res[idx], p.res_urban[idx] = OUTSIDE, True
    p.hk[idx], p.origin[idx] = county, county
    p.town_years[idx] = years_away
    pop.residence_changed()
    return pop


def test_settling_outside_leaves_the_register_once():
    """A registered person living outside who settles there leaves the register and is counted once
    in hukou_moved_out (settled_elsewhere), for their county and the city."""
    pop = _tiny_outside()
    params = Registry(settle_out_rate=0.5, family_multiplier=10.0)
    rules = rules_for(__import__("sim").Policy(), 2030)
    ledger, before = registry.Ledger(), registry.Snapshot(pop)
    movers = registry.settle_outside(pop, pop.outside(), 2030, params, Outside(), rules,
                                     Draws(1).year(2030))
    before.count(pop, ledger, "settled_elsewhere", "settled_elsewhere")
    assert len(movers) > 0 and len(movers) % 2 == 0           # whole households
    p = pop.persons
    assert (p.hk[movers] == OUTSIDE).all() and not p.alive[movers].any()
    moved = ledger.flows[("hukou_moved_out", "settled_elsewhere")]
    assert moved[3] == len(movers) and moved[-1] == len(movers) and moved.sum() == 2 * len(movers)
    assert ledger.total("hukou_deaths").sum() == 0 and ledger.total("hukou_moved_in").sum() == 0


def test_nobody_settles_outside_before_years_to_settle():
    pop = _tiny_outside(years_away=1)
    params = Registry(settle_out_rate=0.5, years_to_settle=2)
    rules = rules_for(__import__("sim").Policy(), 2030)
    movers = registry.settle_outside(pop, pop.outside(), 2030, params, Outside(), rules, Draws(1).year(2030))
    assert len(movers) == 0


def test_openness_rises_in_2018():
    params = Registry(openness_before_2018=0.4)
    assert registry.openness(params, 2017) == 0.4 and registry.openness(params, 2018) == 1.0


def test_conversions_turn_village_registrations_into_town_ones_without_a_move():
    pop = _tiny_outside(n_households=400)
    p = pop.persons
    p.hk_urban[: p.n] = np.arange(p.n) % 4 == 0          # a quarter already town-registered
    res_before, hk_before = p.view("res").copy(), p.view("hk").copy()
    converted = registry.convert_villages(pop, pop.alive(), Registry(conversion_rate=0.1), Draws(2).year(2030))
    assert 0 < len(converted) < p.n
    assert p.hk_urban[converted].all()
    np.testing.assert_array_equal(p.view("res"), res_before)
    np.testing.assert_array_equal(p.view("hk"), hk_before)


@pytest.mark.parametrize("path, outcome, group", [
    ("behaviour.registry.settle_out_rate", "hukou_moved_out", "settled_elsewhere"),
    ("behaviour.registry.marriage_out_rate", "hukou_moved_out", "marriage"),
    ("behaviour.registry.conversion_rate", "hukou_converted", "all"),
])
def test_each_register_flow_stops_when_its_rate_is_zero(reform, path, outcome, group):
    sc = small(reform, scale=0.01, end_year=2023, seed=4)
    zero = run(with_overrides(sc, {path: 0.0})).outcomes
    on = run(sc).outcomes

    def total(o):
        return o[(o.outcome == outcome) & (o.group == group) & (o.county == CITY_CODE)].value.sum()
    assert total(zero) == 0 and total(on) > 0


def test_losing_the_land_contract_keeps_people_on_the_register(reform):
    """Clause 九: when settling costs the land contract, fewer registered people living outside move
    their hukou away (same seed, the lever alone differs)."""
    sc = small(reform, scale=0.02, end_year=2025, seed=5)
    kept = run(sc).outcomes
    lost = run(with_overrides(sc, {"policy.rural_rights.kept_after_settling": False})).outcomes

    def moved(o):
        return o[(o.outcome == "hukou_moved_out") & (o.group == "settled_elsewhere") & (o.county == CITY_CODE)].value.sum()
    assert moved(lost) < 0.9 * moved(kept)


def test_the_register_falls_from_2020(reform):
    """The record: Tieling's register fell every year 2017-2019 by about 23,500; from the 2020 start
    it keeps falling (the issue's criterion: at least 15,000 a year 2020-2022), mean of 3 seeds."""
    falls = []
    for seed in (1, 2, 3):
        o = run(small(reform, scale=0.02, end_year=2022, seed=seed)).outcomes
        city = o[(o.outcome == "hukou_holders") & (o.group == "all") & (o.county == CITY_CODE)].set_index("year").value
        falls.append(-city.diff().loc[2021:2022].to_numpy())
    assert np.mean(falls) > 15_000


def test_2020_stock_follows_the_record(reform):
    """The 2020 registered stock: the 2017-2019 line carried to the census date, counties adding up."""
    from experiments.register import record_total_at_census
    from sim.population.census import load_census
    from sim.population.synthesis import estimate_hukou
    hukou, share = estimate_hukou(load_census(2020), reform)
    total, _ = record_total_at_census()
    assert hukou.sum() == pytest.approx(total, abs=10)
    assert 2_850_000 < total < 2_890_000
    assert ((share > 0.05) & (share < 1)).all()
    # Held out: Tieling County's own record (37.7万 at the end of 2019).
    i = CODES.index("211221")
    assert hukou[i] == pytest.approx(377_000, rel=0.05)


def test_observed_points_come_from_the_figures():
    pts = register_points()
    city = pts[(pts.county == CITY_CODE) & (pts.outcome == "hukou_holders")].set_index("year").value
    assert list(city.index) == [2017, 2018, 2019]
    assert (np.diff(city.to_numpy()) < 0).all()
    share = pts[pts.outcome == "hukou_urbanization_rate"].set_index(["year", "county"]).value
    assert share.loc[(2018, CITY_CODE)] == pytest.approx(0.434)
    allp = observed_points()
    assert set(allp.role) == {"census", "fit", "held_out"}
    r = allp[(allp.outcome == "residents") & (allp.county == CITY_CODE)].set_index("year").value
    assert r.loc[2020] < r.loc[2010]


def _choices(model):
    from sim.population import registration
    b = model.config.behaviour
    congestion = np.array([c.congestion for c in model.counties])
    return registration.settle_choices(model.pop, model.pop.residents(), model.year, model.rules, b.settling,
                                       congestion, b.services.unregistered_access, model.year_draws)


def test_pathways_declined_before_the_start_stay_closed_until_settling_costs_less(reform):
    """At set-up, whoever could settle by a known pathway under the base year's rules had chosen not
    to: nobody is a candidate until something changes — settling stops costing the land (clause 九)
    or the person moves to another town."""
    from sim.model import UrbanizationModel
    from sim.population import registration
    from sim.population.moves import relocate
    m = UrbanizationModel(small(reform, scale=0.02, seed=6))
    p = m.pop.persons
    assert (p.declined[m.alive()] > 0).sum() > 100
    m.rules = m._rules_known(2020)          # the rules the census population chose under
    assert len(_choices(m).persons) == 0
    # The rules before the reform cost the land; the reform's do not: Tieling villagers reconsider.
    before = m._rules_known(2020)
    assert not before.rural_rights.kept_after_settling and rules_for(m.config.policy, 2021).rural_rights.kept_after_settling
    m.rules = rules_for(m.config.policy, 2021)
    newly_eligible = set(_choices(m).persons.tolist())
    registration.reopen_declined(m.pop, m.alive(), before, m.rules)
    c = _choices(m)
    reopened = ~np.isin(c.persons, list(newly_eligible))
    assert newly_eligible <= set(c.persons.tolist())
    assert reopened.sum() > 0 and c.rural_tieling[reopened].all()
    # Moving to another town clears the mark.
    outsider = np.flatnonzero(p.alive[: p.n] & (p.declined[: p.n] > 0) & (p.hk[: p.n] == OUTSIDE))[:5]
    assert len(outsider) > 0
    relocate(m.pop, outsider, (p.res[outsider] + 1) % 8, np.ones(len(outsider), bool))
    assert (p.declined[outsider] == 0).all()


def test_land_at_home_keeps_people_registered_elsewhere_from_settling(reform):
    """`settling.outside_land_share`: the more of those registered outside Tieling weigh their land
    at home, the fewer settle in Tieling (same seed)."""
    sc = small(reform, scale=0.02, end_year=2024, seed=7)

    def moved_in(share):
        o = run(with_overrides(sc, {"behaviour.settling.outside_land_share": share})).outcomes
        return o[(o.outcome == "hukou_moved_in") & (o.group == "settlement") & (o.county == CITY_CODE)].value.sum()
    none, all_ = moved_in(0.0), moved_in(1.0)
    assert all_ < 0.5 * none
