"""Moves within the city: who reconsiders where to live, the values of their four alternatives,
their logit choice (`decisions/migration.py`), the county each mover goes to, and the move.

Household heads (18-55) of family households decide for the whole household; village youths
(18-30, children of the head) decide for themselves and, when they move, found a one-person
household. The heads found here are returned, patched for those new households, so that the
settlement decisions of the same year use them (households change in between only by the
youths' moves).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..decisions import centre
from ..decisions import migration as mig
from ..decisions.logit import choose
from ..draws import YearDraws
from ..parameters import Behaviour
from ..places import CENTRAL, N_COUNTIES
from ..constants import CHILD_GAP_YEARS, HEAD_DECIDER_AGES, YOUTH_DECIDER_AGES
from . import moves
from .columns import Heads, Job, Population, Tenure, is_job, members_of, rows_in_order, select


@dataclass(frozen=True)
class Setting:
    """What the choice sees this year besides the population."""
    behaviour: Behaviour
    permit_access: float            # service access with a residence permit (rules.permit_access)
    wages: np.ndarray               # town wage by county, and outside (shape (8,))
    congestion: np.ndarray          # soft congestion of services by county (shape (7,))
    town_population: np.ndarray     # census town population by county (shape (7,)): destination weights


@dataclass(frozen=True)
class Deciders:
    """This year's deciders (person rows), and the heads of the residents' households."""
    heads: np.ndarray      # heads deciding for their whole household
    youths: np.ndarray     # village youths deciding for themselves
    household_heads: Heads


def move_within(pop: Population, s: Setting, draws: YearDraws) -> Heads:
    """Deciders choose and move; returns the households' heads, patched for the new households of
    youths who moved out alone."""
    b, p = s.behaviour, pop.persons
    residents = pop.residents()
    d = deciders(pop, residents, b.migration.reconsider_rate, draws)
    heads = d.household_heads
    for rows, whole in ((d.heads, True), (d.youths, False)):
        if len(rows) == 0:
            continue
        pick = choice(pop, rows, whole, residents, s, draws)
        go = pick != mig.STAY
        county = destinations(pop, rows[go], pick[go], s, draws)
        if whole:
            moves.move_households(pop, p.hh[rows[go]], county, np.ones(go.sum(), bool),
                                  b.work.flexible_share, draws)
        else:
            heads = _move_youths(pop, rows[go], county, heads, b.work.flexible_share, draws)
    return heads


def _move_youths(pop: Population, movers: np.ndarray, county: np.ndarray, heads: Heads, flexible_share: float,
                 draws: YearDraws) -> Heads:
    """Youths move to a town in a one-person rented household; farmers take town jobs."""
    p = pop.persons
    rows = moves.new_households(pop, movers, county, np.ones(len(movers), bool), Tenure.rented, draws, "youth")
    heads = heads.with_singles(rows, movers, p.age[movers])
    moves.relocate(pop, movers, county, np.ones(len(movers), bool))
    farm = movers[p.job[movers] == Job.farming]
    p.job[farm] = np.where(draws.chance("move_within.youth.job", p.key[farm], flexible_share), Job.flexible,
                           Job.employee)
    return heads


def deciders(pop: Population, residents: np.ndarray, rate: float, draws: YearDraws) -> Deciders:
    """Who reconsiders where to live this year (`reconsider_rate`): heads (18-55) of family
    households in the city, for the whole household, and village youths (18-30, children in
    such households), for themselves. `residents`: `Population.residents()`."""
    p, h = pop.persons, pop.households
    age, hh = p.age[residents], p.hh[residents]
    found = Heads.find(residents, age, hh, h.n)
    # Heads (18-55) of family households, read from the households' heads, in row order.
    head_age = found.age
    family = (head_age >= HEAD_DECIDER_AGES[0]) & (head_age <= HEAD_DECIDER_AGES[1]) & ~h.view("collective")
    heads = rows_in_order(select(found.row, family), p.n)
    # Village youths (18-30) who are children (15+ years younger than the head; a head is no child).
    young = np.flatnonzero((age >= YOUTH_DECIDER_AGES[0]) & (age <= YOUTH_DECIDER_AGES[1]))
    rows, hh_y = residents[young], hh[young]
    ok = ~h.collective[hh_y] & ~p.res_urban[rows] & (age[young] - head_age[hh_y] <= -CHILD_GAP_YEARS)
    youth = rows[ok]
    heads = select(heads, draws.chance("reconsider.head", p.key[heads], rate))
    youth = select(youth, draws.chance("reconsider.youth", p.key[youth], rate))
    return Deciders(heads, youth, found)


def choice(pop: Population, rows: np.ndarray, whole: bool, residents: np.ndarray, s: Setting,
           draws: YearDraws) -> np.ndarray:
    """Each decider's pick: mig.STAY, OWN_TOWN, CENTRAL or OTHER_TOWN (a logit choice)."""
    u = draws.uniform("move_within." + ("household" if whole else "youth"), pop.persons.key[rows])
    return choose(mig.utilities(options(pop, rows, whole, residents, s), s.behaviour.migration), u)


def options(pop: Population, deciders: np.ndarray, whole: bool, residents: np.ndarray, s: Setting) -> mig.Options:
    """Values of the four alternatives for each decider (arrays of shape (n, 4))."""
    b, p, h = s.behaviour, pop.persons, pop.households
    n = len(deciders)
    hh = p.hh[deciders]
    c = p.res[deciders].astype(np.int64)
    urban = p.res_urban[deciders]
    workers = _workers(pop, hh, residents) if whole else np.ones(n)
    workers = np.maximum(workers, 1)
    wages = s.wages[:N_COUNTIES]
    wage = wages[c]
    income_now = np.maximum(h.income[hh], 1.0) if whole else np.maximum(
        np.where(p.job[deciders] == Job.farming, b.work.farm_income, wage), 1.0)
    central = float(wages[list(CENTRAL)].mean())
    other = other_town_mean(wages)[c]
    # Columns: stay, own town, centre, another town (filled in place: the same values as stacking;
    # column-major, so that each column is contiguous).
    income = mig.per_alternative(np.empty, n)
    income[:, 0], income[:, 1] = income_now, workers * wage
    income[:, 2], income[:, 3] = workers * central, workers * other
    share = b.housing.rent_share_of_income
    rent = mig.per_alternative(np.empty, n)
    rent[:, 1], rent[:, 2], rent[:, 3] = share * wage, share * central, share * other
    rent[:, 0] = np.where(urban & (h.tenure[hh] == Tenure.rented), rent[:, 1], 0.0)
    status_town = (p.hk[deciders] == c) & p.hk_urban[deciders]
    access_here = np.where(status_town, 1.0, s.permit_access)
    services = mig.per_alternative(np.empty, n)
    services[:, 0] = np.where(urban, access_here, b.services.village_access)
    services[:, 1], services[:, 2:] = access_here, s.permit_access
    cong = s.congestion
    congestion = mig.per_alternative(np.empty, n)
    congestion[:, 0] = congestion[:, 1] = cong[c]
    congestion[:, 2], congestion[:, 3] = cong[list(CENTRAL)].mean(), cong.mean()
    # Town residents of the centre (the new district's when it fully belongs to it) are there already.
    in_centre = centre.membership(b.migration.new_district_pull)[c] >= 1.0
    outside_centre = np.ones(N_COUNTIES)
    outside_centre[list(CENTRAL)] = 0.0
    farther = mig.per_alternative(np.zeros, n)
    farther[:, 2], farther[:, 3] = outside_centre[c], 1.0
    farm = h.land[hh] & ~urban
    land_left = mig.per_alternative(np.zeros, n)
    land_left[:, 1:] = np.where(farm, np.minimum(b.work.farm_income / income_now, 1.0), 0.0)[:, None]
    # Alternatives that are the current place are not moves.
    same = mig.per_alternative(np.zeros, n, bool)
    same[urban, mig.OWN_TOWN] = True
    same[urban & in_centre, mig.CENTRAL] = True
    return mig.Options(income, rent, services, congestion, farther, land_left, same)


def _workers(pop: Population, hh: np.ndarray, residents: np.ndarray) -> np.ndarray:
    """Workers per household of the deciders' households `hh`, counted among their members only."""
    p, h = pop.persons, pop.households
    hh_res = p.hh[residents]
    members = members_of(hh, hh_res, h.n)
    working = is_job(p.job[residents[members]], Job.employee, Job.flexible, Job.farming)
    return np.bincount(select(hh_res[members], working), minlength=h.n)[hh]


def other_town_mean(wages: np.ndarray) -> np.ndarray:
    """Per county: the mean wage of the towns outside the centre other than its own."""
    rest = np.ones(N_COUNTIES, bool)
    rest[list(CENTRAL)] = False
    total, k = wages[rest].sum(), np.count_nonzero(rest)
    return np.where(rest, (total - wages) / (k - 1), total / k)


def destinations(pop: Population, deciders: np.ndarray, pick: np.ndarray, s: Setting,
                 draws: YearDraws) -> np.ndarray:
    """County chosen for each mover: its own, one of the centre (the central districts and,
    in part, the new district; decisions/centre.py) or another county town, both by census
    town population; a town resident is not sent to its own county."""
    p = pop.persons
    own = p.res[deciders].astype(np.int64)
    pull = s.behaviour.migration.new_district_pull
    out = own.copy()
    cm = pick == mig.CENTRAL
    out[cm] = draw_county(own[cm], p.res_urban[deciders[cm]], centre.centre_weights(s.town_population, pull),
                          draws.uniform("destination.centre", p.key[deciders[cm]]))
    om = pick == mig.OTHER_TOWN
    out[om] = draw_county(own[om], np.ones(om.sum(), bool), centre.other_town_weights(s.town_population, pull),
                          draws.uniform("destination.other_town", p.key[deciders[om]]))
    return out.astype(np.int8)


def draw_county(own: np.ndarray, exclude_own: np.ndarray, weights: np.ndarray, u: np.ndarray) -> np.ndarray:
    """One county per mover, with chances proportional to `weights` (shape (7,)), leaving out
    the mover's own county where `exclude_own`."""
    w = np.tile(weights, (len(own), 1))
    w[exclude_own[:, None] & (own[:, None] == np.arange(len(weights))[None, :])] = 0
    cum = np.cumsum(w, axis=1)
    u = u[:, None] * cum[:, -1:]
    return np.minimum((u >= cum).sum(axis=1), len(weights) - 1)
