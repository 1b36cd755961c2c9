"""Work, incomes and insurance (`sim.population.economy`) on hand-made persons."""
from __future__ import annotations

import numpy as np
import pytest

from sim.constants import JOB_ENTRY_AGES
from sim.draws import Draws
from sim.parameters import Work
from sim.places import OUTSIDE
from sim.population import economy
from sim.population.columns import Insured, Job, Population


def people(jobs, ages=None, urban=True) -> Population:
    n = len(jobs)
    pop = Population(n, n, 1.0)
    p, h = pop.persons, pop.households
    rows, idx = h.add(n), p.add(n)
    h.alive[rows], h.urban[rows] = True, urban
    p.alive[idx], p.hh[idx], p.job[idx], p.res_urban[idx] = True, rows, jobs, urban
    p.age[idx] = 30 if ages is None else ages
    return pop


def test_incomes_by_job_and_a_years_savings():
    jobs = [Job.employee, Job.outside, Job.farming, Job.retired, Job.none]
    pop = people(jobs)
    p, h = pop.persons, pop.households
    p.res[1] = OUTSIDE
    p.hk_urban[3] = True
    work = Work()
    wages = np.arange(1, 9) * 1000.0                      # county 0 pays 1000, outside 8000
    income = economy.earn(pop, pop.alive(), wages, work, 0, 0.25)
    np.testing.assert_allclose(income, [1000, 8000, work.farm_income, work.urban_pension_share * work.town_wage, 0],
                               rtol=1e-6)
    np.testing.assert_allclose(h.income[:5], income, rtol=1e-6)
    np.testing.assert_allclose(h.savings[:5], income * 12 * 0.25, rtol=1e-6)


def test_employers_pay_both_insurances_and_payers_add_a_year():
    pop = people([Job.employee, Job.flexible, Job.none])
    economy.contribute(pop, pop.alive(), pop.residents(), Work(flexible_insurance_uptake=0.0), Draws(1).year(2021))
    p = pop.persons
    assert list(p.ins_schemes[:3]) == [Insured.both, 0, 0]
    assert list(p.ins_years[:3]) == [1.0, 0.0, 0.0]
    economy.contribute(pop, pop.alive(), pop.residents(), Work(flexible_insurance_uptake=1.0), Draws(1).year(2022))
    assert p.ins_schemes[1] in (Insured.medical, Insured.pension, Insured.both) and p.ins_years[1] == 1.0


@pytest.mark.parametrize("age, urban, land, job", [
    (JOB_ENTRY_AGES[0], True, False, {Job.employee, Job.flexible}),
    (JOB_ENTRY_AGES[1], False, True, {Job.farming}),
    (JOB_ENTRY_AGES[1], False, False, {Job.employee, Job.flexible}),
    (JOB_ENTRY_AGES[0] - 1, True, False, {Job.none}),
    (JOB_ENTRY_AGES[1] + 1, True, False, {Job.none}),
])
def test_young_adults_take_a_first_job_where_they_live(age, urban, land, job):
    pop = people([Job.none], [age], urban)
    pop.households.land[0] = land
    economy.enter_work(pop, pop.residents(), Work(job_entry_rate=1.0), Draws(1).year(2021))
    assert pop.persons.job[0] in job


def test_wages_follow_labour_demand_within_bounds():
    work = Work()
    market = economy.LabourMarket(np.full(7, 100.0), work)
    even = market.wages(np.full(7, 100.0), 0)
    assert even[:7] == pytest.approx(market.base_wage) and even[OUTSIDE] == work.outside_wage
    assert even[0] > even[3]                                      # the central premium
    scarce = market.wages(np.full(7, 1000.0), 0)                 # ten workers per job: floor of the bound
    assert scarce[:7] == pytest.approx(market.base_wage * np.sqrt(0.5))
