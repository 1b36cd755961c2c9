"""Births, deaths and ageing (`sim.population.demography`) on hand-made persons: who ages into
work and out of it, whose years in town count, who can give birth and where the child belongs."""
from __future__ import annotations

import numpy as np
import pytest

from sim.constants import MOTHER_AGES, TOWN_RETIREMENT_AGE, VILLAGE_RETIREMENT_AGE, WORKING_AGE
from sim.draws import Draws
from sim.parameters import Demography
from sim.places import OUTSIDE
from sim.population import demography
from sim.population.census import load_census
from sim.population.columns import Job, Population


def people(ages, jobs, res=0, urban=True, female=False) -> Population:
    n = len(ages)
    pop = Population(n, n, 1.0)
    p, h = pop.persons, pop.households
    rows, idx = h.add(n), p.add(n)
    h.alive[rows] = True
    p.alive[idx], p.hh[idx], p.age[idx], p.job[idx] = True, rows, ages, jobs
    p.res[idx], p.res_urban[idx], p.female[idx] = res, urban, female
    return pop


@pytest.mark.parametrize("age, job, urban, after", [
    (WORKING_AGE - 1, Job.child, True, Job.none),             # comes of working age
    (WORKING_AGE - 2, Job.child, True, Job.child),
    (TOWN_RETIREMENT_AGE - 1, Job.employee, True, Job.retired),
    (TOWN_RETIREMENT_AGE - 1, Job.farming, False, Job.farming),   # villagers work on
    (VILLAGE_RETIREMENT_AGE - 1, Job.farming, False, Job.retired),
    (VILLAGE_RETIREMENT_AGE - 1, Job.student, True, Job.student),
])
def test_ageing_moves_people_into_and_out_of_work(age, job, urban, after):
    pop = people([age], [job], urban=urban)
    demography.age_one_year(pop, pop.alive(), pop.residents())
    assert pop.persons.age[0] == age + 1 and pop.persons.job[0] == after


def test_years_in_town_count_in_a_town_or_away_but_not_in_a_village():
    pop = people([30, 30, 30], [Job.employee] * 3)
    p = pop.persons
    p.res_urban[1] = False
    p.res[2] = OUTSIDE
    pop.residence_changed()
    demography.age_one_year(pop, pop.alive(), pop.residents())
    assert list(p.town_years[:3]) == [1, 0, 1]


def test_only_women_of_childbearing_age_give_birth_and_the_child_joins_them():
    ages = [MOTHER_AGES[0] - 1, MOTHER_AGES[0], 30, MOTHER_AGES[1], MOTHER_AGES[1] + 1, 30]
    pop = people(ages, [Job.none] * 6, res=3, female=True)
    pop.persons.female[5] = False
    fert = demography.Fertility(np.full(7, 50.0), np.ones(8))      # a birth is certain where allowed
    born = demography.births(pop, pop.alive(), fert, Demography(), 0, Draws(1).year(2021))
    p = pop.persons
    assert len(born) == 3
    np.testing.assert_array_equal(p.hh[born], [1, 2, 3])
    assert (p.age[born] == 0).all() and (p.job[born] == Job.child).all() and (p.res[born] == 3).all()
    barren = demography.Fertility(np.zeros(7), np.ones(8))
    none = demography.births(pop, pop.alive(), barren, Demography(), 0, Draws(1).year(2021))
    assert len(none) == 0


def test_death_rates_rise_with_age_and_deaths_follow_the_multiplier():
    mx = demography.death_rates(2020)
    assert mx.shape == (2, 111) and (mx[:, 80] > mx[:, 30]).all()
    pop = people([90] * 400, [Job.retired] * 400)
    dead = demography.deaths(pop, pop.alive(), mx, Demography(), Draws(1).year(2021))
    share = len(dead) / 400
    assert share == pytest.approx(1 - np.exp(-mx[0, 90]), abs=0.08)
    assert not pop.persons.alive[dead].any()


def test_fertility_is_anchored_to_the_census_births():
    census = load_census(2020)
    fert = demography.Fertility.anchored(census)
    women = census.age_sex[:, 1, :][:, 4:11]
    expected = (women * fert.asfr * fert.county_level[:7, None]).sum(axis=1)
    np.testing.assert_allclose(expected, census.births_proxy)
