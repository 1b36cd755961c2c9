"""Steps of the base-year synthesis (sim/population/synthesis_residents.py, synthesis_hukou.py):
rounding that keeps totals, households picked whole, registrations spread over other counties,
and the town/village split of hukou in its order of tiers."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.places import N_COUNTIES, OUTSIDE
from sim.population.columns import Population
from sim.population.synthesis_hukou import _pick_households, _spread, urban_hukou
from sim.population.synthesis_residents import round_preserving


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=40), st.integers(0, 2**32 - 1))
def test_rounding_keeps_the_total_and_each_count_within_one(values, seed):
    x = np.array(values)
    n = round_preserving(x, np.random.default_rng(seed))
    assert n.sum() == round(x.sum())
    assert (np.abs(n - x) < 1 + 1e-9).all() and n.dtype == np.int64


def households(sizes: list[int]) -> Population:
    pop = Population(sum(sizes), len(sizes), 1.0)
    rows = pop.households.add(len(sizes))
    pop.households.alive[rows] = True
    idx = pop.persons.add(sum(sizes))
    pop.persons.alive[idx], pop.persons.hh[idx] = True, np.repeat(rows, sizes)
    return pop


def test_households_are_picked_whole_until_about_the_count():
    sizes = [1, 4, 2, 3, 5, 2, 1, 6]
    pop = households(sizes)
    picked = _pick_households(pop, np.arange(len(sizes)), 10, np.random.default_rng(0), ordered=True)
    assert picked.tolist() == [0, 1, 2, 3]                       # 1+4+2+3 = 10; the next one's middle is past 10
    for seed in range(20):
        picked = _pick_households(pop, np.arange(len(sizes)), 12, np.random.default_rng(seed))
        covered = sum(sizes[i] for i in picked)
        assert abs(covered - 12) <= max(sizes) / 2 and len(set(picked)) == len(picked)
    assert len(_pick_households(pop, np.arange(len(sizes)), 0, np.random.default_rng(0))) == 0


def test_registrations_elsewhere_in_the_city_spread_over_the_other_counties():
    total = np.arange(1.0, N_COUNTIES + 1)
    weights = np.ones(N_COUNTIES)
    out = _spread(total, weights)
    assert np.isclose(out.sum(), total.sum())
    # County c receives from every other county an equal share of its total.
    expected = np.array([(total.sum() - total[c]) / (N_COUNTIES - 1) for c in range(N_COUNTIES)])
    np.testing.assert_allclose(out, expected)


def test_town_hukou_goes_first_to_town_residents_then_to_those_outside_then_to_villagers():
    # County 0: 2 town residents, 2 living outside, 2 village residents, all registered there.
    pop = households([1] * 6)
    p = pop.persons
    idx = np.arange(6)
    p.hk[idx], p.res[idx] = 0, [0, 0, OUTSIDE, OUTSIDE, 0, 0]
    p.res_urban[idx] = [True, True, True, True, False, False]
    pop.residence_changed()
    share = np.zeros(N_COUNTIES)
    share[0] = 3 / 6
    urban_hukou(pop, share, np.empty(0, np.int64), np.random.default_rng(1))
    assert p.hk_urban[:2].all() and p.hk_urban[2:4].sum() == 1 and not p.hk_urban[4:6].any()
