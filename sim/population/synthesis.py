"""Build the base-year population of Tieling from the census, at any scale.

Steps (each reproduces census marginals by county; see docs/model.md):
1. residents by county x sex x 5-year age group, rounded so county totals hold;
2. the urban (城镇) part of each county;
3. family households by size and generations, filled by matching age slots;
4. education by sex, employment and farming share;
5. hukou: residents registered elsewhere (census), the town/village split of
   hukou, and the registered people living outside Tieling.
"""
from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from ..constants import (BASE_STUDENT_AGES, BASE_STUDENT_SHARE, CHILD_AGE_GAP_YEARS, COLLECTIVE_AGE_WEIGHTS,
                         HEAD_AGES, INSURANCE_YEARS_MEAN, OLDEST_YEARS_MEAN, OUTSIDE_STOCK_PROFILE, OUTSIDE_TOWN_ODDS,
                         PARENT_GAP_YEARS, RURAL_RENT_ODDS, SAVINGS_MONTHS_SHAPE, SCHOOL_STAGE_AGES, SIBLING_GAP_YEARS,
                         SLOT_AGE_SD, SPOUSE_GAP_YEARS, TOWN_RETIREMENT_AGE, VILLAGE_RETIREMENT_AGE, WORKING_AGE)
from ..parameters import Outside
from ..places import CODES, N_COUNTIES, OUTSIDE, county_index, county_sums
from ..scenario import Scenario
from .census import AGE_LOWER, AGE_UPPER, CensusYear, load_census
from .columns import Edu, Insured, Job, Population, Tenure
from .moves import household_sizes



def round_preserving(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integer counts whose sum is round(x.sum()), each within 1 of x (randomised largest remainder)."""
    base = np.floor(x).astype(np.int64)
    short = int(round(x.sum())) - base.sum()
    if short > 0:
        rem = x - base + rng.random(x.shape) * 1e-9
        base[np.argsort(-rem, kind="stable")[:short]] += 1
    return base


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
    plus its registered people living in another county's town (spread as `_assign_hukou` draws them).
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


def synthesize(sc: Scenario, rng: np.random.Generator) -> Population:
    census = load_census(sc.base_year)
    s = sc.scale
    hukou, urban_share = estimate_hukou(census, sc)
    within = sc.initial.within_city_share
    # Registered in Tieling but living outside: hukou holders minus those living in the city.
    elsewhere_city = census.elsewhere_other_county * within
    from_outside = census.elsewhere_other_county * (1 - within) + census.elsewhere_province
    n_res = round_preserving(census.residents * s, rng)
    n_hukou = round_preserving(hukou * s, rng)
    pop = Population(int(n_res.sum()), int((census.households * s).sum()), 1.0 / s,
                     headroom=0.3 + max(n_hukou.sum() - n_res.sum(), 0) / max(n_res.sum(), 1))
    for c in range(N_COUNTIES):
        _add_residents(pop, c, census, n_res[c], rng, s, sc.behaviour.work.flexible_share)
    village_hh = _assign_hukou(pop, census, s, from_outside, elsewhere_city, urban_share, rng)
    # Registered here but living outside Tieling: the hukou stock minus those drawn as living in the city.
    p = pop.persons
    live_hk = p.view("hk")[p.view("alive")]
    registered_in_city = county_sums(live_hk)
    n_out = np.maximum(n_hukou - registered_in_city, 0)
    for c in range(N_COUNTIES):
        _add_outside(pop, c, census, n_out[c], sc.behaviour.outside, rng)
    _urban_hukou(pop, urban_share, village_hh, rng)
    _finish_households(pop, census, sc, rng)
    _years_in_town(pop, sc.behaviour.settling.years_in_town_unregistered, rng)
    return pop


def _spread(total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Distribute total (registered in another Tieling county) over the other counties by weight."""
    out = np.zeros(N_COUNTIES)
    for c in range(N_COUNTIES):
        w = weights.copy()
        w[c] = 0
        out += total[c] * w / w.sum()
    return out


# --- residents ----------------------------------------------------------

def _ages_in_groups(counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Single-year ages for counts per census age group: uniform within a group, 85+ tapering."""
    group = np.repeat(np.arange(len(counts)), counts)
    lo, hi = AGE_LOWER[group], AGE_UPPER[group]
    age = lo + np.floor(rng.random(len(group)) * (hi - lo + 1)).astype(np.int16)
    old = group == len(AGE_LOWER) - 1
    age[old] = AGE_LOWER[-1] + np.minimum(rng.exponential(OLDEST_YEARS_MEAN, old.sum()).astype(np.int16), 19)
    return age


def _add_residents(pop: Population, c: int, census: CensusYear, n: int, rng, s: float,
                   flexible_share: float) -> None:
    cells = round_preserving(census.age_sex[c].ravel() * s, rng)
    cells[np.argmax(cells)] += n - cells.sum()
    sexes = np.repeat([0, 1], len(AGE_LOWER))
    female = np.repeat(sexes, cells).astype(bool)
    age = np.concatenate([_ages_in_groups(cells[:19], rng), _ages_in_groups(cells[19:], rng)])
    n = len(age)
    p = pop.persons
    idx = p.add(n)
    p.alive[idx] = True
    p.age[idx], p.female[idx] = age, female
    p.res[idx] = c
    pop.residence_changed()
    p.hk[idx] = c
    p.origin[idx] = c
    # Urban part: the census gives no age x urban table per county, so the town share
    # is drawn at household level below and is age-neutral (assumption).
    n_urban = int(round(census.urban[c] / census.residents[c] * n))
    hh_persons = int(round(census.household_persons[c] / census.residents[c] * n))
    urban = np.zeros(n, bool)
    urban[rng.permutation(n)[:n_urban]] = True
    for is_urban in (True, False):
        members = idx[urban == is_urban]
        share = len(members) / n
        _build_households(pop, c, is_urban, members, int(round(hh_persons * share)),
                          census, share * s, rng)
    _education(pop, idx, census.education[c], rng)
    _employment(pop, idx, census.farm_share[c], census.employed_per_adult[c], flexible_share, rng)


def _household_sizes(census: CensusYear, c: int, share: float, persons: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Sizes and generation counts of family households: census counts of one-person,
    one/two/three/four-generation households; persons beyond the minimal sizes are spread
    over the multi-generation households at random."""
    gens = round_preserving(census.generations[c] * share, rng)
    one = min(int(round(census.one_person[c] * share)), gens[0])
    gen = np.repeat(np.arange(1, 5), gens)
    size = np.select([gen == 1, gen == 2, gen == 3], [2, 2, 3], 4)
    size[:one] = 1
    extra = persons - size.sum()
    if extra > 0:
        # Couples living alone are one-generation; extra members go to parent-child households.
        eligible = np.flatnonzero(gen >= 2)
        if len(eligible) == 0:
            eligible = np.flatnonzero(size >= 2)
        if len(eligible):
            size += np.bincount(rng.choice(eligible, extra), minlength=len(size)).astype(size.dtype)
    elif extra < 0:
        # Fewer persons than minimal slots (tiny samples): drop the last households.
        keep = np.cumsum(size) <= persons
        size, gen = size[keep], gen[keep]
    return size, gen


def _build_households(pop: Population, c: int, urban: bool, members: np.ndarray, hh_persons: int,
                      census: CensusYear, share: float, rng) -> None:
    """Group persons into family households by matching them to age slots, and put the rest
    (collective quarters: dormitories, institutions) in one-person collective households."""
    p, h = pop.persons, pop.households
    size, gen = _household_sizes(census, c, share, min(hh_persons, len(members)), rng)
    n_slots = int(size.sum())
    # Collective quarters house mostly young adults (students, workers): pick them by age.
    ages = p.age[members]
    young, old, other = COLLECTIVE_AGE_WEIGHTS
    w = np.where((ages >= 16) & (ages <= 30), young, np.where(ages >= 80, old, other))
    # A weighted random order (successive sampling without replacement, as rng.choice(..., replace=False,
    # p=w / w.sum()) but in one sort): exponential keys divided by the weights (Efraimidis & Spirakis 2006).
    order = np.argsort(rng.exponential(size=len(members)) / w)
    coll, fam = members[order[: len(members) - n_slots]], members[order[len(members) - n_slots:]]
    hh_idx = h.add(len(size))
    h.alive[hh_idx], h.county[hh_idx], h.urban[hh_idx] = True, c, urban
    slot_hh = np.repeat(hh_idx, size)
    pos = np.arange(n_slots) - np.repeat(np.cumsum(size) - size, size)
    sz, g = np.repeat(size, size), np.repeat(gen, size)
    k = len(size)
    one, *by_generations, four = [rng.normal(mean, sd, k) for mean, sd in HEAD_AGES.values()]
    head = np.select([size == 1, gen == 1, gen == 2, gen == 3], [one, *by_generations], four)
    head = np.repeat(head, size)
    # Slot roles: 0 head, 1 spouse, then children; 3+ generations add grandparents first.
    child_rank = pos - 2 - (g >= 3) * 2
    target = np.select(
        [pos == 0, (pos == 1) & ((g == 1) | (sz >= 3)), (g >= 3) & (pos <= 3)],
        [head, head - SPOUSE_GAP_YEARS, head + PARENT_GAP_YEARS],
        head - CHILD_AGE_GAP_YEARS - SIBLING_GAP_YEARS * np.maximum(child_rank, 0))
    target = np.clip(target + rng.normal(0, SLOT_AGE_SD, n_slots), 0, 100)
    slots = np.argsort(target, kind="stable")
    persons = fam[np.argsort(p.age[fam] + rng.random(len(fam)))]     # continuous keys: no ties to keep in order
    p.hh[persons] = slot_hh[slots]
    p.res_urban[members] = urban
    if len(coll):
        cidx = h.add(len(coll))
        h.alive[cidx], h.county[cidx], h.urban[cidx], h.collective[cidx] = True, c, urban, True
        p.hh[coll] = cidx


def _education(pop: Population, idx: np.ndarray, counts: np.ndarray, rng) -> None:
    """Highest level by sex: children by their age, adults by census counts, younger adults
    more educated (rank by age with noise, as cohorts' schooling rose over time)."""
    p = pop.persons
    age = p.age[idx]
    primary, junior, senior = SCHOOL_STAGE_AGES
    level = np.select([age < primary, age < junior, age < senior, age < BASE_STUDENT_AGES[0]],
                      [Edu.none, Edu.primary, Edu.junior, Edu.senior], 255).astype(np.uint8)
    p.edu[idx] = np.minimum(level, Edu.senior)
    for sex in (0, 1):
        adults = idx[(level == 255) & (p.female[idx] == bool(sex))]
        kids = idx[(level < 255) & (p.female[idx] == bool(sex)) & (age >= primary)]
        left = counts[sex].copy()
        left -= np.bincount(p.edu[kids], minlength=len(Edu))[:len(Edu)] * pop.weight   # census counts are real persons
        left = np.clip(left, 0, None)
        n = round_preserving(left / left.sum() * len(adults), rng) if left.sum() else np.zeros(len(Edu), int)
        n[0] += len(adults) - n.sum()
        score = p.age[adults] + rng.normal(0, 12, len(adults))
        order = adults[np.argsort(score)]      # youngest first -> highest level
        p.edu[order] = np.repeat(np.arange(Edu.bachelor, -1, -1), n[::-1]).astype(np.uint8)


def _employment(pop: Population, idx: np.ndarray, farm_share: float, employed: float, flexible_share: float,
                rng) -> None:
    p = pop.persons
    age = p.age[idx]
    job = np.full(len(idx), Job.none, np.uint8)
    job[age < WORKING_AGE] = Job.child
    job[(age >= TOWN_RETIREMENT_AGE) & p.res_urban[idx]] = Job.retired
    job[age >= VILLAGE_RETIREMENT_AGE] = Job.retired
    first, last = BASE_STUDENT_AGES
    students = ((age >= first) & (age <= last) & (p.edu[idx] >= Edu.college)
                & (rng.random(len(idx)) < BASE_STUDENT_SHARE))
    job[students] = Job.student
    p.study_left[idx[students]] = (last + 1 - age[students]).astype(np.int8)
    working_age = (age >= WORKING_AGE) & (job == Job.none) & ~students
    works = working_age & (rng.random(len(idx)) < employed)
    # Farming belongs to village residents: fill the county's farm jobs from the rural employed.
    rural = ~p.res_urban[idx]
    n_farm = int(round(farm_share * works.sum()))
    cand = np.flatnonzero(works & rural)
    farm = rng.permutation(cand)[:n_farm]
    job[works] = Job.employee
    job[farm] = Job.farming
    job[(job == Job.employee) & (rng.random(len(idx)) < flexible_share)] = Job.flexible
    p.job[idx] = job
    ins = job == Job.employee
    p.ins_years[idx[ins]] = np.minimum(rng.exponential(INSURANCE_YEARS_MEAN, ins.sum()),
                                       age[ins] - WORKING_AGE).astype(np.float32)
    p.ins_schemes[idx[ins]] = Insured.both


# --- hukou --------------------------------------------------------------

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


def _assign_hukou(pop: Population, census: CensusYear, s: float, from_outside, elsewhere_city, urban_share,
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


def _add_outside(pop: Population, c: int, census: CensusYear, n: int, params: Outside, rng) -> None:
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
    _education(pop, idx, census.education[c], rng)
    job = np.where(age < WORKING_AGE, Job.child,
                   np.where(age >= TOWN_RETIREMENT_AGE, Job.retired, Job.outside)).astype(np.uint8)
    p.job[idx] = job


def _urban_hukou(pop: Population, share: np.ndarray, village: np.ndarray, rng) -> None:
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


def _years_in_town(pop: Population, mean_unregistered: float, rng) -> None:
    """Years lived in the current town (or away, outside Tieling) at the base year: a lifetime for
    local town-hukou holders, an exponential draw with mean `mean_unregistered` for everyone else
    (`behaviour.settling.years_in_town_unregistered`)."""
    p = pop.persons
    idx = np.flatnonzero(p.view("alive") & p.view("res_urban") & (p.view("res") != OUTSIDE))
    local = (p.hk[idx] == p.res[idx]) & p.hk_urban[idx]
    years = np.where(local, p.age[idx], rng.exponential(mean_unregistered, len(idx)))
    p.town_years[idx] = np.minimum(years, p.age[idx]).astype(np.int16)
    # Registered people living outside: years away, drawn the same way (no survey of how long
    # Tieling's people have been away exists; the same assumption as for unregistered town residents).
    out = np.flatnonzero(p.view("alive") & (p.view("res") == OUTSIDE))
    years = rng.exponential(mean_unregistered, len(out))
    p.town_years[out] = np.minimum(years, p.age[out]).astype(np.int16)


def _finish_households(pop: Population, census: CensusYear, sc: Scenario, rng) -> None:
    """Land contract, housing tenure, floor area, income and savings of each household."""
    p, h = pop.persons, pop.households
    live = p.view("alive")
    hh_of = p.view("hh")[live]
    n_h = h.n
    rural_hukou = np.bincount(hh_of, weights=((p.view("hk")[live] < OUTSIDE) & ~p.view("hk_urban")[live]),
                              minlength=n_h) > 0
    h.land[:n_h] = rural_hukou
    size = np.bincount(hh_of, minlength=n_h)
    county, urban = h.view("county"), h.view("urban")
    tenure = np.full(n_h, Tenure.owned, np.uint8)
    tenure[~urban] = Tenure.self_built
    for c in range(N_COUNTIES):
        t = census.tenure[c]          # rented, self-built, bought, other
        town = np.flatnonzero((county == c) & urban & ~h.view("collective"))
        rent_p = t[0] / (t[0] + t[2] + t[3]) * np.where(rural_hukou[town], RURAL_RENT_ODDS, 1.0)
        u = rng.random(len(town))
        tenure[town[u < rent_p]] = Tenure.rented
        pub = town[(u >= rent_p) & (u < rent_p + sc.behaviour.housing.public_rental_initial_share)]
        tenure[pub] = Tenure.public_rental
        h.floor_m2[np.flatnonzero(county == c)] = census.floor_area_pc[c] * np.maximum(size[county == c], 1)
    tenure[county == OUTSIDE] = Tenure.rented
    tenure[h.view("collective")] = Tenure.rented
    h.tenure[:n_h] = tenure
    h.savings[:n_h] = (rng.gamma(SAVINGS_MONTHS_SHAPE, 1.0, n_h) * 12 * sc.behaviour.work.town_wage * sc.behaviour.housing.savings_rate
                       * np.maximum(size, 1)).astype(np.float32)
