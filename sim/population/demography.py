"""Life course: deaths, births, ageing, household formation and dissolution.

Deaths follow China's central death rates m(x) by sex and age (UN WPP 2024), applied
to Tieling's own age structure; births follow the 2020 census's distribution of
births by mother's age, with a level anchored on the persons aged 0 at the base-year
census in each county (data/demographic_schedules.csv, tieling_census_*.csv). No
Tieling or Liaoning schedule exists in the data: this rescaling is the stated method.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..constants import (LEAVE_HOME_AGES, LEAVE_HOME_WIDTH, LEAVER_FLOOR_M2, MOTHER_AGES, PARENT_GIFT_SHARE,
                         TOWN_RETIREMENT_AGE, VILLAGE_RETIREMENT_AGE, WORKING_AGE)
from ..draws import YearDraws
from ..places import OUTSIDE
from ..parameters import Demography
from .census import AGE_LOWER, CensusYear
from .columns import Job, Population, Tenure, any_member, is_job, select

MOTHER_AGE_LOWER = np.arange(MOTHER_AGES[0], MOTHER_AGES[1] + 1, 5)    # the census's 5-year groups


@lru_cache(maxsize=1)
def _schedules() -> pd.DataFrame:
    with (resources.files("sim") / "data" / "demographic_schedules.csv").open("rb") as f:
        return pd.read_csv(f, dtype=str)


@lru_cache(maxsize=4)
def death_rates(base_year: int) -> np.ndarray:
    """m(x) for single ages 0..110, shape (2, 111): sex 0 male, 1 female."""
    period = "2010-2015" if base_year < 2015 else "2015-2020"
    df = _schedules()
    df = df[(df.geography == "China") & (df.year == period) & (df.indicator == "central_death_rate_mx")]
    out = np.zeros((2, 111))
    for s, sex in enumerate(("male", "female")):
        rows = df[df.sex == sex]
        for group, value in zip(rows.age_group, rows.value.astype(float)):
            lo, hi = _age_range(group)
            out[s, lo: hi + 1] = value
    return out


def _age_range(group: str) -> tuple[int, int]:
    if group.endswith("+"):
        return int(group[:-1]), 110
    if "-" in group:
        lo, hi = group.split("-")
        return int(lo), int(hi)
    return int(group), int(group)


@lru_cache(maxsize=1)
def birth_shape() -> np.ndarray:
    """Share of births by mother's 5-year age group 15-49 (China, 2020 census)."""
    df = _schedules()
    df = df[(df.geography == "China") & (df.indicator == "share_of_births_by_mother_age")
            & df.year.str.contains("2020")]
    shares = df.set_index("age_group").value.astype(float)
    v = np.array([shares[f"{a}-{a + 4}"] for a in MOTHER_AGE_LOWER])
    return v / v.sum()


@dataclass
class Fertility:
    """Births per woman-year by mother's age group (7,) and a level per county (8,; index 7 outside)."""
    asfr: np.ndarray
    county_level: np.ndarray

    @classmethod
    def anchored(cls, census: CensusYear) -> "Fertility":
        women = census.age_sex[:, 1, :]                       # (7, 19)
        w = women[:, np.searchsorted(AGE_LOWER, MOTHER_AGE_LOWER)]     # census groups 15-19 .. 45-49
        births = census.births_proxy
        asfr = birth_shape() * births.sum() / w.sum(axis=0)   # city rates that reproduce the age pattern
        level = births / (w * asfr).sum(axis=1)
        return cls(asfr, np.append(level, 1.0))


def deaths(pop: Population, alive: np.ndarray, mx: np.ndarray, params: Demography, draws: YearDraws) -> np.ndarray:
    """Mark deaths; returns indices of those who died."""
    p = pop.persons
    chance = (-np.expm1(-mx * params.mortality_multiplier)).astype(np.float32).ravel()   # by sex x age, (2 * 111,)
    age = np.minimum(p.age[alive], 110)
    cell = np.where(p.female[alive], age + mx.shape[1], age)
    dead = alive[draws.chance("death", p.key, np.take(chance, cell), np.float32, at=alive)]   # np.take: int16 cells
    p.alive[dead] = False
    return dead


def births(pop: Population, alive: np.ndarray, fert: Fertility, params: Demography, years_since_base: int,
           draws: YearDraws) -> np.ndarray:
    """Add newborns to mothers' households; they take the mother's residence and hukou.
    Returns the indices of the newborns."""
    p = pop.persons
    age = p.age[alive]
    women = select(alive, p.female[alive] & (age >= MOTHER_AGES[0]) & (age <= MOTHER_AGES[1]))
    group = (p.age[women] - MOTHER_AGES[0]) // 5
    rate = (fert.asfr[group] * fert.county_level[p.res[women]] * params.fertility_multiplier
            * np.exp(params.fertility_trend_per_year * years_since_base))
    mothers = women[draws.chance("birth", p.key, rate, at=women)]
    k = len(mothers)
    if k == 0:
        return np.empty(0, np.int64)
    # The child's draw key comes from its mother's and the year (a mother has at most one birth a
    # year): the same child in two scenarios where she gives birth; drawn before p.add, which may
    # reallocate the columns.
    keys = draws.origin_keys("birth", p.key[mothers])
    female = ~draws.chance("birth.sex", keys, params.sex_ratio_at_birth / (1 + params.sex_ratio_at_birth))
    idx = p.add(k, keys)
    p.alive[idx], p.age[idx], p.female[idx] = True, 0, female
    for col in ("hh", "res", "res_urban", "hk", "hk_urban", "origin", "permit", "knows"):
        getattr(p, col)[idx] = getattr(p, col)[mothers]
    pop.residence_changed()
    p.hk_kind[idx] = 0      # newborns are registered in the family household
    p.job[idx] = Job.child
    return idx


def leave_home(pop: Population, residents: np.ndarray, params: Demography, draws: YearDraws) -> int:
    """Adult children living in the city (`residents`) form their own household (marriage, first
    job); leavers of the same place and opposite sex pair into couples. Returns the number of new
    households."""
    p, h = pop.persons, pop.households
    hh = p.hh[residents]
    size = np.bincount(hh, minlength=h.n)     # a household's members all live in one place
    age = p.age[residents]
    cand = np.flatnonzero((age >= LEAVE_HOME_AGES[0]) & (age <= LEAVE_HOME_AGES[1]))
    hh_cand = hh[cand]
    cand = cand[(np.take(size, hh_cand) >= 3) & ~np.take(h.collective, hh_cand)]   # np.take: int32 rows
    hazard = params.leave_home_rate * np.exp(-(((age[cand] - params.marriage_age) / LEAVE_HOME_WIDTH) ** 2))
    leavers = residents[cand[draws.chance("leave_home", p.key[residents[cand]], hazard)]]
    if len(leavers) == 0:
        return 0
    # Pair men and women of the same county and town/village into couples.
    key = p.res[leavers].astype(np.int64) * 2 + p.res_urban[leavers]
    order = np.lexsort((draws.uniform("leave_home.pairing", p.key[leavers]), p.female[leavers], key))
    leavers = leavers[order]
    new_hh = np.arange(len(leavers))
    for k in np.unique(key):
        grp = np.flatnonzero(key[order] == k)
        men, women = grp[~p.female[leavers[grp]]], grp[p.female[leavers[grp]]]
        n = min(len(men), len(women))
        new_hh[women[:n]] = new_hh[men[:n]]
    uniq, inverse = np.unique(new_hh, return_inverse=True)
    first = np.zeros(len(uniq), np.int64)
    first[inverse[::-1]] = np.arange(len(leavers))[::-1]
    founder = leavers[first]
    rows = h.add(len(uniq), draws.origin_keys("household.leave_home", p.key[founder]))
    old = p.hh[founder]
    h.alive[rows] = True
    h.county[rows], h.urban[rows] = p.res[founder], p.res_urban[founder]
    h.land[rows] = h.land[old] & ~p.res_urban[founder]          # a village son or daughter gets a share of land
    h.tenure[rows] = np.where(p.res_urban[founder], Tenure.rented, Tenure.self_built)
    h.floor_m2[rows] = LEAVER_FLOOR_M2 * np.bincount(inverse)
    h.savings[rows] = h.savings[old] * PARENT_GIFT_SHARE
    p.hh[leavers] = rows[inverse]
    return len(rows)


def dissolve_empty(pop: Population, alive: np.ndarray) -> None:
    h = pop.households
    h.alive[: h.n] &= any_member(pop.persons.hh[alive], h.n)


def age_one_year(pop: Population, alive: np.ndarray, residents: np.ndarray) -> None:
    p = pop.persons
    live_age = p.age[alive] + 1
    p.age[alive] = live_age
    town = select(residents, p.res_urban[residents])
    p.town_years[town] += 1
    p.town_years[select(alive, p.res[alive] == OUTSIDE)] += 1   # years away, for people living outside (registry.py)
    job = p.job[alive]
    # Children come of working age; workers retire (town and village retirement ages).
    grown = alive[(job == Job.child) & (live_age >= WORKING_AGE)]
    p.job[grown] = Job.none
    retire = alive[((live_age >= VILLAGE_RETIREMENT_AGE) | ((live_age >= TOWN_RETIREMENT_AGE) & p.res_urban[alive])) &
                   is_job(job, Job.none, Job.farming, Job.employee, Job.flexible)]
    p.job[retire] = Job.retired

