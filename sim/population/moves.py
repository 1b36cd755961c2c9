"""Applying moves to the population columns: leaving Tieling, coming back, arrivals of
people registered elsewhere, and moves of whole households or single persons
within the city. The choices themselves are made in `sim/decisions/`.
"""
from __future__ import annotations

import numpy as np

from ..constants import (ARRIVAL_AGE, ARRIVAL_EDUCATION_AGES, ARRIVAL_TOWN_SHARE, MOVE_AGE_FROM,
                         NEW_HOUSEHOLD_FLOOR_M2, SAVINGS_TAKEN_SHARE, SCHOOL_STAGE_AGES, TOWN_RETIREMENT_AGE,
                         WORKING_AGE)
from ..draws import YearDraws
from ..parameters import Outside
from ..places import N_COUNTIES, OUTSIDE, county_sums
from ..decisions import outside as rules
from .columns import Edu, HukouKind, Job, Population, Tenure, is_job, select


def new_households(pop: Population, members: np.ndarray, county: np.ndarray, urban: np.ndarray,
                   tenure: int, draws: YearDraws, purpose: str) -> np.ndarray:
    """One new household per member (each a single person); returns their rows. A household's
    draw key comes from its founder's, the year and `purpose` (why it was founded; a person founds
    at most one household for a purpose a year)."""
    h = pop.households
    rows = h.add(len(members), draws.origin_keys("household." + purpose, pop.persons.key[members]))
    h.alive[rows], h.county[rows], h.urban[rows] = True, county, urban
    h.tenure[rows] = tenure
    old = pop.persons.hh[members]
    known = old >= 0          # arrivals from outside have no household yet
    h.land[rows[known]] = h.land[old[known]]
    h.savings[rows[known]] = h.savings[old[known]] * SAVINGS_TAKEN_SHARE
    h.floor_m2[rows] = NEW_HOUSEHOLD_FLOOR_M2
    pop.persons.hh[members] = rows
    return rows


def relocate(pop: Population, persons: np.ndarray, county: np.ndarray, urban: np.ndarray) -> None:
    """Set residence of persons (whose households move along with them or were just created)."""
    p = pop.persons
    moved_town = (p.res[persons] != county) | (p.res_urban[persons] != urban)
    p.town_years[persons[moved_town]] = 0
    p.res[persons], p.res_urban[persons] = county, urban
    pop.residence_changed()
    p.permit[persons[moved_town]] = False
    p.declined[persons[moved_town]] = 0      # a new town: settling there is a new decision


def whole_households(pop: Population, alive: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split chosen persons into (members of households that move whole, lone movers).
    A household moves whole when one of its members is chosen and it is a family household
    flagged in `family` (decided by the caller): here, persons are grouped by household."""
    hh = pop.persons.hh
    moving_hh = np.zeros(pop.households.n, bool)
    moving_hh[hh[chosen]] = True
    return alive[np.take(moving_hh, hh[alive])], moving_hh     # np.take: int32 household rows


def leave_tieling(pop: Population, residents: np.ndarray, params: Outside, pull: np.ndarray,
                  draws: YearDraws) -> tuple[np.ndarray, np.ndarray]:
    """Residents (`Population.residents()`) who leave for outside; `pull` scales the chance by
    county of residence. Tieling-registered movers stay in the model, living outside; people
    registered elsewhere leave the model. Returns (from_county of every mover, indices of those
    who left the model)."""
    p, h = pop.persons, pop.households
    res, chosen, family = choose_leavers(pop, residents, params, pull, draws)
    members, moving_hh = whole_households(pop, res, family)
    lone = np.setdiff1d(chosen, members, assume_unique=True)
    movers = np.concatenate([members, lone])
    origin = p.res[movers].copy()
    exits = movers[p.hk[movers] == OUTSIDE]
    p.alive[exits] = False
    stay = movers[p.hk[movers] != OUTSIDE]
    lone_stay = lone[p.hk[lone] != OUTSIDE]
    new_households(pop, lone_stay, np.full(len(lone_stay), OUTSIDE, np.int8), np.ones(len(lone_stay), bool),
                   Tenure.rented, draws, "leave_tieling")
    rows = np.flatnonzero(moving_hh)
    h.county[rows], h.urban[rows], h.tenure[rows] = OUTSIDE, True, Tenure.rented
    relocate(pop, stay, np.full(len(stay), OUTSIDE, np.int8), np.ones(len(stay), bool))
    working = stay[is_job(p.job[stay], Job.none, Job.farming, Job.employee, Job.flexible)]
    p.job[working] = Job.outside
    return origin, exits


def choose_leavers(pop: Population, residents: np.ndarray, params: Outside, pull: np.ndarray,
                   draws: YearDraws) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The decision to leave, without acting on it: residents (not students) leave with the
    chance of `decisions/outside.py`; a leaver in a family household takes the whole household
    along with chance `family_share`. Returns (residents, leavers, family leavers)."""
    p, h = pop.persons, pop.households
    res = residents
    # The chances of all rows, then the residents' (three quarters of the rows): contiguous passes
    # cost less than gathering five columns.
    prob = rules.leave_probability(p.view("age"), p.view("edu") >= Edu.college, ~p.view("res_urban"), params, pull,
                                   p.view("res"))
    np.copyto(prob, 0.0, where=p.view("job") == Job.student)
    prob = prob[res]
    chosen = select(res, draws.chance("leave_tieling", p.key, prob, prob.dtype, at=res))
    family = chosen[draws.chance("leave_tieling.family", p.key[chosen], params.family_share)
                    & ~h.collective[p.hh[chosen]]]
    return res, chosen, family


def come_back(pop: Population, outside: np.ndarray, params: Outside, town_share: float,
              draws: YearDraws) -> np.ndarray:
    """Households living outside (`outside`: `Population.outside()`) come back to their home
    county, to its town if their hukou is urban, otherwise to the town with chance `town_share`.
    Returns the returners."""
    p, h = pop.persons, pop.households
    out = outside
    if len(out) == 0:
        return out
    hh = p.hh[out].astype(np.intp)
    # The household decides by the age of its oldest member (one draw per household).
    oldest = np.zeros(h.n, np.int32)
    np.maximum.at(oldest, hh, p.age[out].astype(np.int32))   # intp rows, int32 values: ufunc.at's fast path
    present = np.zeros(h.n, bool)
    present[hh] = True
    rows = np.flatnonzero(present)                             # = np.unique(hh), without sorting
    back = rows[draws.chance("come_back", h.key[rows], rules.return_probability(oldest[rows], params))]
    home = np.full(h.n, -1, np.int8)
    first = np.zeros(h.n, np.int64)
    first[hh[::-1]] = out[::-1]
    home[back] = np.where(p.hk[first[back]] == OUTSIDE, p.origin[first[back]], p.hk[first[back]])
    back = back[(home[back] >= 0) & (home[back] < N_COUNTIES)]
    urban = p.hk_urban[first[back]] | draws.chance("come_back.town", h.key[back], town_share)
    h.county[back], h.urban[back] = home[back], urban
    h.tenure[back] = np.where(urban, Tenure.rented, Tenure.self_built)
    going = np.zeros(h.n, bool)
    going[back] = True
    movers = out[going[hh]]
    relocate(pop, movers, h.county[p.hh[movers]], h.urban[p.hh[movers]])
    working = movers[p.job[movers] == Job.outside]
    p.job[working] = np.where(p.res_urban[working], Job.flexible, Job.farming)
    return movers


def arrivals(pop: Population, residents_by_county: np.ndarray, params: Outside, urban_share: np.ndarray,
             edu_pool: np.ndarray, draws: YearDraws) -> np.ndarray:
    """People registered outside Tieling who come to live here (working-age singles and small
    families, mostly in towns). Returns their indices. Newcomers have no id before they come:
    their number per county is a keyed count (`YearDraws.poisson`), the n-th newcomer to a county
    in a year has a draw key from (seed, year, county, n), and that key draws its attributes; so
    two scenarios whose arrival counts differ a little share the newcomers they have in common."""
    p = pop.persons
    n = draws.poisson("arrivals", params.in_rate * residents_by_county)
    k = int(n.sum())
    if k == 0:
        return np.empty(0, np.int64)
    county = np.repeat(np.arange(N_COUNTIES), n).astype(np.int8)
    place = np.arange(k) - np.repeat(np.cumsum(n) - n, n)          # n-th newcomer to its county
    keys = draws.origin_keys("arrival", (county.astype(np.int64) << 32) | place)
    urban = draws.chance("arrival.urban", keys, np.maximum(urban_share[county], ARRIVAL_TOWN_SHARE))
    older, sd = ARRIVAL_AGE
    age = np.clip(draws.normal("arrival.age", keys, params.peak_age + older, sd), WORKING_AGE,
                  TOWN_RETIREMENT_AGE).astype(np.int16)
    female = draws.chance("arrival.female", keys, 0.5)
    # Schooling as that of the city's adults (a person of the pool, equally likely).
    counts = np.bincount(edu_pool)
    edu = (draws.choice("arrival.edu", keys, np.arange(len(counts), dtype=np.uint8), counts)
           if len(edu_pool) else np.zeros(k, np.uint8))
    idx = p.add(k, keys)
    p.alive[idx], p.age[idx], p.female[idx], p.edu[idx] = True, age, female, edu
    p.hk[idx], p.origin[idx], p.hk_kind[idx] = OUTSIDE, OUTSIDE, HukouKind.family
    p.hk_urban[idx] = False
    p.res[idx], p.res_urban[idx] = county, urban
    pop.residence_changed()
    p.job[idx] = np.where(urban, Job.flexible, Job.farming)
    p.hh[idx] = -1
    rows = new_households(pop, idx, county, urban, Tenure.rented, draws, "arrival")
    _arrive_as_families(pop, idx, rows, n, params, draws)
    return idx


def household_sizes(n: int, params: Outside, rng) -> np.ndarray:
    """Sizes of households (1 single, 2 couple, 3 couple with a child, in the shares of `params`)
    that together hold n persons; the last is cut to fit. Used for the households of people
    living outside at the base year and of arrivals registered elsewhere. The sizes come in
    order from one uniform each (`Generator.choice` with `p`), so the first sizes do not depend
    on n."""
    single, couple = params.household_single_share, params.household_couple_share
    sizes = rng.choice((1, 2, 3), size=n, p=(single, couple, max(1.0 - single - couple, 0.0)))
    sizes = sizes[: np.searchsorted(np.cumsum(sizes), n) + 1]
    sizes[-1] -= sizes.sum() - n
    return sizes


def _arrive_as_families(pop: Population, idx: np.ndarray, rows: np.ndarray, per_county: np.ndarray,
                        params: Outside, draws: YearDraws) -> None:
    """Group consecutive arrivals to a county (`per_county` of them to each, in county order) into
    households led by the first member: the others join the leader's household and place; a third
    member is a child. Each county's family sizes come from a stream of their own, in order: the
    first families to a county are the same whatever the count."""
    p = pop.persons
    sizes = np.concatenate([household_sizes(int(m), params, draws.stream(f"arrivals.families.{c}"))
                            for c, m in enumerate(per_county) if m > 0])
    k = len(idx)
    first = np.cumsum(sizes) - sizes
    lead = np.repeat(first, sizes)
    pos = np.arange(k) - lead
    joiners = pos > 0
    pop.households.alive[rows[joiners]] = False
    p.hh[idx] = rows[lead]
    p.res[idx], p.res_urban[idx] = p.res[idx[lead]], p.res_urban[idx[lead]]
    pop.residence_changed()
    child = idx[pos == 2]
    p.age[child] = draws.integers("arrival.child_age", p.key[child], 0, MOVE_AGE_FROM)
    p.job[child] = Job.child
    p.edu[child] = np.searchsorted(SCHOOL_STAGE_AGES, p.age[child], side="right")   # Edu by age


def registered_elsewhere_leave(pop: Population, residents: np.ndarray, params: Outside,
                               draws: YearDraws) -> np.ndarray:
    """Residents registered outside Tieling who move on; they leave the model."""
    p = pop.persons
    # Students from outside stay until they graduate (population/education.py).
    cand = residents[(p.hk[residents] == OUTSIDE) & (p.job[residents] != Job.student)]
    gone = cand[draws.chance("registered_elsewhere_leave", p.key[cand], params.in_leave_rate)]
    p.alive[gone] = False
    return gone


def move_households(pop: Population, rows: np.ndarray, county: np.ndarray, urban: np.ndarray,
                    flexible_share: float, draws: YearDraws) -> np.ndarray:
    """Whole households move within Tieling; village farmers take town jobs. Returns the movers."""
    p, h = pop.persons, pop.households
    dest_c = np.full(h.n, -1, np.int16)
    dest_u = np.zeros(h.n, bool)
    dest_c[rows], dest_u[rows] = county, urban
    # Over all rows, contiguous, rather than gathered for the living (np.take: int32 household rows;
    # "clip": a dead row may hold -1, and is masked out next).
    moving = np.take(dest_c, p.view("hh"), mode="clip") >= 0
    moving &= p.view("alive")
    movers = np.flatnonzero(moving)
    relocate(pop, movers, dest_c[p.hh[movers]].astype(np.int8), dest_u[p.hh[movers]])
    h.county[rows], h.urban[rows] = county, urban
    h.tenure[rows] = np.where(urban, Tenure.rented, Tenure.self_built)
    to_town = movers[p.res_urban[movers] & (p.job[movers] == Job.farming)]
    to_town = to_town[(p.age[to_town] >= WORKING_AGE) & (p.age[to_town] < TOWN_RETIREMENT_AGE)]
    p.job[to_town] = np.where(draws.chance("town_job.flexible", p.key[to_town], flexible_share), Job.flexible,
                              Job.employee)
    return movers


def arrival_pool(pop: Population) -> tuple[np.ndarray, np.ndarray]:
    """What `arrivals` draws from: the residents by county (their number follows it) and the
    education of the living of ARRIVAL_EDUCATION_AGES (theirs is drawn from it)."""
    p = pop.persons
    alive = pop.alive()
    residents = county_sums(p.res[pop.residents()])
    age = p.age[alive]
    adults = select(alive, (age >= ARRIVAL_EDUCATION_AGES[0]) & (age <= ARRIVAL_EDUCATION_AGES[1]))
    return residents, p.edu[adults]
