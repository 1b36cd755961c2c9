"""The vectorised engine and the one-household-at-a-time reference (sim/reference.py) decide alike.

Both read the same state of a small engine model. First the chances themselves must agree
person by person (leaving, the four place utilities, the settlement pathway and utility);
then the realised decisions, drawn from different random streams, must agree as shares
within sampling error, pooled over several seeds.
"""
from __future__ import annotations

import numpy as np
import pytest

from sim import UrbanizationModel, with_overrides
from sim.decisions import migration as mig
from sim.decisions.outside import leave_probability
from sim.draws import Draws
from sim.places import OUTSIDE
from sim.population import moves_within, registration
from sim.population.columns import Edu, Job
from sim.reference import Decisions, ReferenceModel, engine_decisions, timed_ratio

SCALE = 0.004


def engine_after(reform, seed: int, years: int = 1, **overrides) -> UrbanizationModel:
    sc = with_overrides(reform, {"scale": SCALE, "seed": seed, **overrides})
    model = UrbanizationModel(sc)
    for _ in range(years):
        model.step()
    return model


@pytest.fixture(scope="module")
def everyone_reconsiders(reform):
    """Two years in, with every head and village youth reconsidering (so all of them are compared)."""
    model = engine_after(reform, 7, years=2, **{"behaviour.migration.reconsider_rate": 1.0})
    return model, ReferenceModel(model, seed=1)


def test_leaving_chances_are_the_same(everyone_reconsiders):
    model, ref = everyone_reconsiders
    p, alive = model.pop.persons, model.alive()
    res = alive[p.res[alive] != OUTSIDE]
    prob = leave_probability(p.age[res], p.edu[res] >= Edu.college, ~p.res_urban[res], model.config.behaviour.outside,
                             model._outside_pull(), p.res[res])       # as moves.choose_leavers calls it
    prob[p.job[res] == Job.student] = 0.0
    theirs = {q.row: agent.leave_chance(q) for agent in ref.agents for q in agent.members if q.res != OUTSIDE}
    assert sorted(theirs) == sorted(res.tolist())
    assert np.allclose([theirs[r] for r in res.tolist()], prob, rtol=1e-6, atol=0)   # the engine's table is float32


def test_place_utilities_are_the_same(everyone_reconsiders):
    model, ref = everyone_reconsiders
    residents = model.pop.residents()
    within = moves_within.deciders(model.pop, residents, model.config.behaviour.migration.reconsider_rate, model.year_draws)
    heads, youths, setting = within.heads, within.youths, model.within_setting()
    assert len(heads) > 500 and len(youths) > 20
    for deciders, whole in ((heads, True), (youths, False)):
        ours = mig.utilities(moves_within.options(model.pop, deciders, whole, residents, setting),
                             model.config.behaviour.migration)
        theirs = {}
        for agent in ref.agents:
            for q, role in zip(agent.members, agent.roles()):
                if agent.is_head_decider(q, role) if whole else agent.is_youth_decider(q, role):
                    theirs[q.row] = agent.place_utilities(q, whole)
        assert sorted(theirs) == sorted(deciders.tolist()), "the same persons decide"
        theirs = np.array([theirs[r] for r in deciders.tolist()])
        finite = np.isfinite(ours)
        assert np.array_equal(finite, np.isfinite(theirs)), "the same alternatives are unavailable"
        # float32 household incomes in the engine: agreement to about 1e-7 relative
        assert np.allclose(ours[finite], theirs[finite], rtol=1e-5, atol=1e-5)


def test_settlement_pathways_and_utilities_are_the_same(everyone_reconsiders):
    model, ref = everyone_reconsiders
    b = model.config.behaviour
    congestion = np.array([g.congestion for g in model.counties])
    c = registration.settle_choices(model.pop, model.pop.residents(), model.year, model.rules, b.settling, congestion,
                                    b.services.unregistered_access, model.year_draws)
    theirs = {}
    for agent in ref.agents:
        for q, role in zip(agent.members, agent.roles()):
            k = agent.settle_pathway(q, role)
            if k >= 0:
                theirs[q.row] = (k, agent.settle_utility(q))
    assert len(c.persons) > 100
    assert sorted(theirs) == sorted(c.persons.tolist())
    assert [theirs[r][0] for r in c.persons.tolist()] == c.pathway.tolist()
    assert np.allclose([theirs[r][1] for r in c.persons.tolist()], c.utility, rtol=1e-12, atol=1e-12)


def _z(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-proportion z statistic (0 when both shares are 0 or 1)."""
    if n1 == 0 or n2 == 0:
        return 0.0
    pooled = (k1 + k2) / (n1 + n2)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return 0.0 if se == 0 else (k1 / n1 - k2 / n2) / se


def test_decisions_agree_statistically(reform):
    """Four seeds, four decision steps each: every share within 4 standard errors (about 1 in
    16,000 per comparison by chance; the seeds are fixed, so the test is deterministic)."""
    ours, theirs = Decisions(), Decisions()
    for seed in (11, 12, 13, 14):
        model = engine_after(reform, seed)
        ref = ReferenceModel(model, seed=seed)
        for i in range(4):
            # Keyed draws repeat for the same state, year and seed: another seed for each step.
            model.year_draws = Draws(seed * 10 + i).year(model.year)
            ours = ours + engine_decisions(model)
            ref.step()
            theirs = theirs + ref.decisions
    assert ours.residents == theirs.residents
    assert np.array_equal(ours.candidates, theirs.candidates), "the same persons are eligible"
    shares = {
        "leave": (ours.leavers, ours.residents, theirs.leavers, theirs.residents),
        "family": (ours.family_leavers, ours.leavers, theirs.family_leavers, theirs.leavers),
        "heads reconsider": (ours.heads, ours.residents, theirs.heads, theirs.residents),
        "youths reconsider": (ours.youths, ours.residents, theirs.youths, theirs.residents),
    }
    for j in range(mig.N_ALTERNATIVES):
        shares[f"head picks {j}"] = (ours.head_choice[j], ours.heads, theirs.head_choice[j], theirs.heads)
        shares[f"youth picks {j}"] = (ours.youth_choice[j], ours.youths, theirs.youth_choice[j], theirs.youths)
    for k in range(len(ours.candidates)):
        shares[f"settle by pathway {k}"] = (ours.settlers[k], ours.candidates[k], theirs.settlers[k],
                                            theirs.candidates[k])
    assert ours.leavers > 300 and ours.heads > 300 and ours.settlers.sum() > 300, "enough decisions to compare"
    far = {name: round(_z(*v), 2) for name, v in shares.items() if abs(_z(*v)) > 4}
    assert not far, f"shares differ (z): {far}"


def test_timed_ratio_reports_both_sides(reform):
    model = engine_after(reform, 3, years=0)
    out = timed_ratio(model, repeats=1)
    assert out["households"] > 1000 and out["engine_s"] > 0 and out["reference_s"] > 0
    assert out["ratio"] == pytest.approx(out["reference_s"] / out["engine_s"])
