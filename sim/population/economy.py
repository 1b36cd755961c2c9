"""Work and income: wages by county town, farming income, outside wages, employee
insurance contributions, household savings (docs/design.md §1, work phase).

A town's wage follows labour demand: jobs grow or shrink at `work.town_job_growth` a
year and the wage moves with the square root of jobs per town worker, so crowded towns
pay less (an assumption standing in for the missing Tieling wage series).
"""
from __future__ import annotations

import numpy as np

from ..draws import YearDraws
from ..parameters import Work
from ..decisions import centre
from ..places import N_COUNTIES, OUTSIDE, county_sums
from ..constants import JOB_ENTRY_AGES
from .columns import Insured, Job, Population, any_member, is_job, select

TOWN_JOBS = (Job.employee, Job.flexible)


class LabourMarket:
    """Town jobs and wages per county."""

    def __init__(self, workers: np.ndarray, params: Work, new_district_pull: float = 0.0):
        self.params = params
        self.jobs = workers.astype(float).copy()
        # The central premium is paid in the central districts and, in part, in the new district's
        # town, where the city government moved (decisions/centre.py).
        self.base_wage = params.town_wage * centre.wage_premium(params.central_wage_premium, new_district_pull)

    def wages(self, workers: np.ndarray, years: int) -> np.ndarray:
        """Monthly town wage per county this year (index 7: outside)."""
        g = (1 + self.params.wage_growth) ** years
        tightness = np.sqrt(np.clip(self.jobs / np.maximum(workers, 1.0), 0.5, 1.5))
        town = self.base_wage * g * tightness
        return np.append(town, self.params.outside_wage * g)

    def grow(self) -> None:
        self.jobs *= 1 + self.params.town_job_growth


def town_workers(pop: Population, residents: np.ndarray) -> np.ndarray:
    p = pop.persons
    res = p.res[residents]
    m = is_job(p.job[residents], *TOWN_JOBS)
    return county_sums(res, pop.weight, m)


def earn(pop: Population, alive: np.ndarray, wages: np.ndarray, params: Work, years: int,
         savings_rate: float) -> np.ndarray:
    """Set the incomes (yuan/month) of the households of `alive` and add a year's savings. Returns
    person incomes."""
    p, h = pop.persons, pop.households
    g = (1 + params.wage_growth) ** years
    # Income by job x county of residence x town hukou, looked up per person: town jobs earn the
    # wage where the person lives (index OUTSIDE: the outside wage), migrant work the outside wage,
    # farming the farm income, the retired a town or rural pension; everyone else nothing.
    table = np.zeros((len(Job), N_COUNTIES + 1, 2), np.float32)
    for j in TOWN_JOBS:
        table[j] = wages[:, None]
    table[Job.outside] = wages[OUTSIDE]
    table[Job.farming] = params.farm_income * g
    table[Job.retired] = np.array([params.rural_pension_share, params.urban_pension_share]) * params.town_wage * g
    cell = (p.job[alive].astype(np.int16) * (N_COUNTIES + 1) + p.res[alive]) * 2 + p.hk_urban[alive]
    income = np.take(table.ravel(), cell)         # np.take: indexing with int16 takes a slower path
    hh = p.hh[alive]
    rows = np.flatnonzero(any_member(hh, h.n))   # only these households: a phase writes only the rows it is given
    h.income[rows] = 0
    np.add.at(h.income, hh, income)               # float32 household sums; faster than a weighted bincount
    h.savings[rows] += h.income[rows] * 12 * savings_rate
    return income


def enter_work(pop: Population, residents: np.ndarray, params: Work, draws: YearDraws) -> None:
    """Young adults without work take a job where they live: farming in a village household
    with land, otherwise a town job (flexible with `flexible_share`)."""
    p, h = pop.persons, pop.households
    age = p.age[residents]
    first, last = JOB_ENTRY_AGES
    idle = residents[(p.job[residents] == Job.none) & (age >= first) & (age <= last)]
    start = idle[draws.chance("job_entry", p.key[idle], params.job_entry_rate)]
    farm = ~p.res_urban[start] & h.land[p.hh[start]]
    flexible = draws.chance("job_entry.flexible", p.key[start], params.flexible_share)
    p.job[start] = np.where(farm, Job.farming, np.where(flexible, Job.flexible, Job.employee))


def contribute(pop: Population, alive: np.ndarray, residents: np.ndarray, params: Work, draws: YearDraws) -> None:
    """Employees' employers pay both employee insurances; flexible workers start paying
    medical, pension or both with a yearly chance; payers add a year of contributions."""
    p = pop.persons
    job = p.job[alive]
    emp = select(alive, job == Job.employee)
    p.ins_schemes[emp] = Insured.both
    flex = alive[(job == Job.flexible) & (p.ins_schemes[alive] == 0)]
    start = flex[draws.chance("insurance_uptake", p.key[flex], params.flexible_insurance_uptake)]
    # The first scheme: medical only, pension only or both (behaviour.work shares, assumptions).
    medical, pension = params.first_scheme_medical_share, params.first_scheme_pension_share
    p.ins_schemes[start] = draws.choice("insurance_scheme", p.key[start], np.array([Insured.medical, Insured.pension, Insured.both], np.uint8),
                                        [medical, pension, max(1.0 - medical - pension, 0.0)])
    payers = select(residents, is_job(p.job[residents], *TOWN_JOBS) & (p.ins_schemes[residents] > 0))
    p.ins_years[payers] += 1


def wage_ratio(wages: np.ndarray) -> float:
    """The outside wage over the mean town wage of the counties."""
    return float(wages[OUTSIDE] / wages[:N_COUNTIES].mean())


def outside_pull(wages: np.ndarray, base_ratio: float, elasticity: float) -> np.ndarray:
    """Per county (index 7 unused): (outside wage / town wage)^e, 1 at the base year's city mean
    (`base_ratio`, `wage_ratio` of the base year's wages)."""
    ratio = wages[OUTSIDE] / wages[:N_COUNTIES]
    return np.append((ratio / base_ratio) ** elasticity, 1.0)
