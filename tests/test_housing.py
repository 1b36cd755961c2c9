"""Public rental flats and home purchase (`sim.population.housing`) on hand-made households:
the queue is served in order of joining, never past the vacant flats of a county; eligibility
follows the groups of clause 八; buyers pay the deposit."""
from __future__ import annotations

import numpy as np
import pytest

from sim.draws import Draws
from sim.parameters import Housing
from sim.places import OUTSIDE
from sim.policies.rules import Rules
from sim.population import housing
from sim.population.columns import Job, Population, Tenure

YEAR = 2025


def town(counties: list[int], weight: float = 10.0, tenure: Tenure = Tenure.rented) -> Population:
    """One-person renting town households, one per entry of `counties`, each member a local
    town-hukou holder without work."""
    n = len(counties)
    pop = Population(n, n, weight)
    p, h = pop.persons, pop.households
    rows, people = h.add(n), p.add(n)
    h.alive[rows], h.county[rows], h.urban[rows], h.tenure[rows] = True, counties, True, tenure
    p.alive[people], p.hh[people], p.age[people] = True, rows, 40
    p.res[people], p.res_urban[people], p.hk[people], p.hk_urban[people] = counties, True, counties, True
    p.job[people] = Job.none
    return pop


def allocate(pop: Population, eligible: np.ndarray, flats: list[float], seed: int = 1):
    return housing.allocate_rental(pop, eligible, np.array(flats, float) * pop.weight, YEAR, Draws(seed).year(YEAR))


def test_the_queue_is_served_in_the_order_households_joined_up_to_the_vacant_flats():
    pop = town([0] * 5)
    h = pop.households
    h.queue_year[:5] = [2023, 0, 2021, 2024, 0]          # 0: joins this year
    waiting, occupied = allocate(pop, np.ones(5, bool), [2, 0, 0, 0, 0, 0, 0])
    assert list(h.tenure[:5] == Tenure.public_rental) == [True, False, True, False, False]
    assert occupied[0] == 2 and waiting[0] == 3
    assert list(h.queue_year[:5]) == [0, YEAR, 0, 2024, YEAR]    # the housed leave the queue


def test_occupied_flats_count_against_the_stock_of_their_county():
    pop = town([0, 0, 1, 1])
    h = pop.households
    h.tenure[0] = Tenure.public_rental                   # county 0: one flat taken already
    waiting, occupied = allocate(pop, np.array([False, True, True, True]), [1, 1, 0, 0, 0, 0, 0])
    assert h.tenure[1] == Tenure.rented and occupied[0] == 1 and waiting[0] == 1
    assert (h.tenure[2:4] == Tenure.public_rental).sum() == 1 and occupied[1] == 1 and waiting[1] == 1


def test_households_no_longer_eligible_leave_the_queue():
    pop = town([2, 2])
    h = pop.households
    h.queue_year[:2] = 2022
    waiting, _ = allocate(pop, np.array([False, True]), [0, 0, 0, 0, 0, 0, 0])
    assert list(h.queue_year[:2]) == [0, 2022] and waiting[2] == 1


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ties_in_the_queue_are_drawn_and_never_exceed_the_stock(seed):
    pop = town([3] * 20)
    waiting, occupied = allocate(pop, np.ones(20, bool), [0, 0, 0, 7, 0, 0, 0], seed)
    assert occupied[3] == 7 and waiting[3] == 13
    assert (pop.households.tenure[:20] == Tenure.public_rental).sum() == 7


def test_who_may_queue_follows_the_eligible_groups():
    pop = town([0, 0, 0])
    p, h = pop.persons, pop.households
    h.income[:3] = [1000.0, 1000.0, 99_000.0]            # the third is not poor
    p.hk[1], p.hk_urban[1], p.job[1], p.town_years[1] = OUTSIDE, False, Job.employee, 3    # a migrant worker
    data = Rules().model_dump()
    data["public_housing"].update(eligible_groups=["low_income_hukou"], income_threshold=2000.0)
    only_locals = Rules.model_validate(data)
    assert list(housing.rental_eligible(pop, pop.alive(), YEAR, only_locals, Housing())[:3]) == [True, False, False]
    data["public_housing"]["eligible_groups"] = ["low_income_hukou", "migrant_workers"]
    with_migrants = Rules.model_validate(data)
    assert list(housing.rental_eligible(pop, pop.alive(), YEAR, with_migrants, Housing())[:3]) == [True, True, False]


def test_buyers_pay_the_deposit_and_own_the_home():
    pop = town([0, 0])
    h = pop.households
    params = Housing()
    price = housing.prices(params)
    cost = price[0] * params.home_size_m2
    h.savings[:2] = [params.down_payment * cost * 1.01, params.down_payment * cost * 0.99]
    certain = np.ones(2) / params.purchase_propensity - 1      # motive that makes the chance 1
    bought = housing.buy_homes(pop, price, params, certain, Draws(1).year(YEAR))
    assert list(bought) == [0]
    assert h.tenure[0] == Tenure.owned and h.floor_m2[0] == params.home_size_m2
    assert h.savings[0] == pytest.approx(params.down_payment * cost * 0.01, rel=1e-3)
    assert h.tenure[1] == Tenure.rented
