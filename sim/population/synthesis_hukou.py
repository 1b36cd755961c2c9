"""Where the base-year population is registered (户籍), drawn from the census (`synthesis.py`
orders the steps): the hukou holders of each county, residents registered elsewhere (whole
households at a time), the registered people living outside Tieling, and the town/village split
of hukou.
"""
from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from ..constants import OUTSIDE_STOCK_PROFILE, OUTSIDE_TOWN_ODDS, TOWN_RETIREMENT_AGE, WORKING_AGE
from ..parameters import Outside
from ..places import CODES, N_COUNTIES, OUTSIDE, county_index
from ..scenario import Scenario
from .census import AGE_LOWER, AGE_UPPER, CensusYear, load_census
from .columns import Job, Population
from .moves import household_sizes
from .synthesis_residents import education


def estimate_hukou(census: CensusYear, sc: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """Hukou holders and their town share per county at the base year.

    2010: the census's 户籍人口 and 非农业户口 share. 2020 (not published): `data/register_2020.csv`,
    the city total from the recorded registered population 2017-2019 carried on to the census date,
    split by county with the town shares of the 2010 backtest (experiments/register.py says how).
    Any county can be overridden with `initial.hukou_holders` / `initial.urban_hukou_share`.
    """
    if census.year == 2010:
        c2010 = load_census(2010)
        hukou, share = c2010.hukou.copy(), c2010.nonagri_share.copy()
    else:
        hukou, share = _register_2020()
    for code in list(sc.initial.hukou_holders) + list(sc.initial.urban_hukou_share):
        i = county_index(code)
        hukou[i] = sc.initial.hukou_holders.get(code, hukou[i])
        share[i] = sc.initial.urban_hukou_share.get(code, share[i])
    return hukou, share


def registered_residents(base_year: int, within_city_share: float) -> np.ndarray:
    """Residents of Tieling registered in each county at the base year, as synthesis expects to draw
    them: the county's residents less those registered outside Tieling or in another Tieling county,
    plus its registered people living in another county's town (spread as `assign_hukou` draws them).
    A county's hukou holders cannot be fewer (the scenario refuses `initial.hukou_holders` below this)."""
    census = load_census(base_year)
    elsewhere_city = census.elsewhere_other_county * within_city_share
    from_outside = census.elsewhere_other_county * (1 - within_city_share) + census.elsewhere_province
    return (census.residents - from_outside - elsewhere_city
            + _spread(elsewhere_city, census.residents - census.urban))


def _register_2020() -> tuple[np.ndarray, np.ndarray]:
    """Registered population and town share per county on 2020-11-01 (data/register_2020.csv)."""
    with (resources.files("sim") / "data" / "register_2020.csv").open(encoding="utf-8") as f:
        table = pd.read_csv(f, dtype={"code": str}).set_index("code").loc[list(CODES)]
    # copies: the caller writes the scenario's overrides into them
    return np.array(table.hukou_holders, dtype=float), np.array(table.urban_hukou_share, dtype=float)


def _spread(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Distribute total (registered in another Tieling county) over the other counties by weight."""
    out = np.zeros(N_COUNTIES)
    for c in range(N_COUNTIES):
        w = weights.copy()
        w[c] = 0
        out += total[c] * w / w.sum()
    return out



def _pick_households(pop: Population, cand_hh: np.ndarray, n_persons: int, rng, ordered: bool = False,
                     sizes: np.ndarray | None = None) -> np.ndarray:
    """Whole households from cand_hh, in random order (or in the given order), until about
    n_persons are covered. `sizes`: pop.household_sizes(), when the caller has it."""
    if n_persons <= 0 or len(cand_hh) == 0:
        return np.empty(0, np.int64)
    sizes = (pop.household_sizes() if sizes is None else sizes)[cand_hh]
    order = np.arange(len(cand_hh)) if ordered else rng.permutation(len(cand_hh))
    # include a household while its middle member is within the count: unbiased, off by half a household at most
    take = np.cumsum(sizes[order]) - sizes[order] / 2 <= n_persons
    return np.sort(cand_hh[order[take]])


def assign_hukou(pop: Population, census: CensusYear, s: float, from_outside, elsewhere_city, urban_share,
                  rng) -> np.ndarray:
    """Residents registered elsewhere, whole households at a time (census 户口登记地在外).
    Returns the town households registered in a village of their own county."""
    p, h = pop.persons, pop.households
    live = p.view("alive")
    hh_of = p.view("hh")
    taken = np.zeros(h.n, bool)
    rural_pop = census.residents - census.urban
    sizes = pop.household_sizes()          # households keep their members while hukou is assigned
    village = []
    for c in range(N_COUNTIES):
        in_c = (h.view("county") == c) & ~taken
        urban_hh = np.flatnonzero(in_c & h.view("urban"))
        any_hh = np.flatnonzero(in_c)
        # Registered outside Tieling: mostly in towns.
        w = np.where(h.urban[any_hh], OUTSIDE_TOWN_ODDS, 1.0)
        ordered = any_hh[np.argsort(-w * rng.random(len(any_hh)))]
        hhs = _pick_households(pop, ordered, int(from_outside[c] * s), rng, ordered=True, sizes=sizes)
        taken[hhs] = True
        m = live & _members_of(hhs, h.n)[hh_of]
        p.hk[: p.n][m], p.origin[: p.n][m] = OUTSIDE, OUTSIDE
        # Registered in another Tieling county (village hukou there), living in this county's town.
        cand = urban_hh[~taken[urban_hh]]
        hhs = _pick_households(pop, cand, int(elsewhere_city[c] * s), rng, sizes=sizes)
        taken[hhs] = True
        m = live & _members_of(hhs, h.n)[hh_of]
        w = rural_pop.copy()
        w[c] = 0
        home = rng.choice(N_COUNTIES, len(hhs), p=w / w.sum())
        p.hk[: p.n][m] = home[np.searchsorted(hhs, hh_of[m])] if len(hhs) else 0
        p.origin[: p.n][m] = p.hk[: p.n][m]
        # Registered in another township of the same county (本县, 人户分离) and living in its
        # town: a village hukou in the share the county's hukou is rural (assumption; in the
        # central districts most such moves are between urban streets).
        cand = urban_hh[~taken[urban_hh]]
        n_village = census.elsewhere_same_county[c] * (1 - urban_share[c]) * s
        hhs = _pick_households(pop, cand, int(n_village), rng, sizes=sizes)
        taken[hhs] = True
        village.append(hhs)
    return np.concatenate(village)


def _members_of(rows: np.ndarray, n_households: int) -> np.ndarray:
    """Household flags, True at `rows` (for `flags[hh]`: cheaper than np.isin(hh, rows))."""
    flags = np.zeros(n_households, bool)
    flags[rows] = True
    return flags


def add_outside(pop: Population, c: int, census: CensusYear, n: int, params: Outside, rng) -> None:
    """Registered in county c, living outside Tieling: ages drawn from the county's own
    structure weighted toward working ages (migration age profile, Rogers & Castro 1981)."""
    if n <= 0:
        return
    p, h = pop.persons, pop.households
    ages = np.arange(100)
    groups = np.searchsorted(AGE_LOWER, ages, side="right") - 1
    width = (AGE_UPPER - AGE_LOWER + 1)[groups]
    base = census.age_sex[c].sum(axis=0)[groups] / width
    peak, width, floor = OUTSIDE_STOCK_PROFILE
    w = base * (floor + np.exp(-((ages - peak) / width) ** 2))
    age = rng.choice(ages, n, p=w / w.sum()).astype(np.int16)
    female = rng.random(n) < 0.5
    idx = p.add(n)
    p.alive[idx], p.age[idx], p.female[idx] = True, age, female
    p.res[idx], p.hk[idx], p.origin[idx] = OUTSIDE, c, c
    pop.residence_changed()
    p.res_urban[idx] = True
    # Households outside: singles and small families of 1-3 persons (behaviour.outside shares).
    order = idx[np.argsort(age + rng.normal(0, 8, n))]
    sizes = household_sizes(n, params, rng)
    hh = h.add(len(sizes))
    h.alive[hh], h.county[hh], h.urban[hh] = True, OUTSIDE, True
    p.hh[order] = np.repeat(hh, sizes)
    education(pop, idx, census.education[c], rng)
    job = np.where(age < WORKING_AGE, Job.child,
                   np.where(age >= TOWN_RETIREMENT_AGE, Job.retired, Job.outside)).astype(np.uint8)
    p.job[idx] = job


def urban_hukou(pop: Population, share: np.ndarray, village: np.ndarray, rng) -> None:
    """Town (urban) hukou for `share` of each county's hukou holders: first town residents
    with local hukou, then people registered here and living outside, last village residents."""
    p = pop.persons
    live = p.view("alive")
    village_hh = np.zeros(pop.households.n, bool)
    village_hh[village] = True
    hh_of = p.view("hh")
    for c in range(N_COUNTIES):
        mine = live & (p.view("hk") == c)
        want = int(round(mine.sum() * share[c]))
        res_here = p.view("res") == c
        tiers = [mine & res_here & p.view("res_urban") & ~village_hh[hh_of],
                 mine & (p.view("res") == OUTSIDE),
                 mine & res_here & ~p.view("res_urban")]
        for tier in tiers:
            cand = np.flatnonzero(tier)
            pick = rng.permutation(cand)[: max(want, 0)]
            p.hk_urban[pick] = True
            want -= len(pick)
