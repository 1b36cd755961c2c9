"""Housing: buying a home in town (which opens the purchase pathway, clause 六), renting,
and the public rental queue (clause 九: eligible groups, income limit, stock by county).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from ..draws import YearDraws
from ..parameters import Housing
from ..places import CENTRAL, N_COUNTIES, OUTSIDE, county_sums
from ..policies.levers import HousingGroup
from ..policies.rules import Rules
from .columns import Job, Population, Tenure, any_member, members_of
from .registration import town_status



def prices(params: Housing) -> np.ndarray:
    """New-home price per m² by county (assumed: no Tieling price series in the data)."""
    p = np.full(N_COUNTIES, params.price_county_town)
    p[list(CENTRAL)] = params.price_central
    return p


def buy_homes(pop: Population, price: np.ndarray, params: Housing,
              settle_motive: np.ndarray | Callable[[np.ndarray], np.ndarray], draws: YearDraws) -> np.ndarray:
    """Renting town households that can pay the deposit buy a home; `settle_motive` (per household,
    0-1; or a function giving it for the candidate households' rows, so that only they are looked
    at) raises the chance when buying would open the purchase pathway. Returns buyer households."""
    h = pop.households
    town = h.view("alive") & h.view("urban") & (h.view("county") != OUTSIDE) & ~h.view("collective")
    tenure = h.view("tenure")
    renting = (tenure == Tenure.rented) | (tenure == Tenure.public_rental)
    county = np.clip(h.view("county"), 0, N_COUNTIES - 1)
    cost = price[county] * params.home_size_m2
    can = town & renting & (h.view("savings") >= params.down_payment * cost)
    cand = np.flatnonzero(can)
    motive = settle_motive(cand) if callable(settle_motive) else settle_motive[cand]
    chance = params.purchase_propensity * (1 + motive)
    buyers = cand[draws.chance("buy_home", h.key[cand], chance)]
    h.savings[buyers] -= (params.down_payment * cost[buyers]).astype(np.float32)
    h.tenure[buyers] = Tenure.owned
    h.floor_m2[buyers] = params.home_size_m2
    h.queue_year[buyers] = 0
    return buyers


def rental_eligible(pop: Population, residents: np.ndarray, year: int, rules: Rules, params: Housing) -> np.ndarray:
    """Households eligible for public rental housing: renting in a town, income per person below
    the limit, and a member in one of the eligible groups."""
    p, h = pop.persons, pop.households
    renting = h.view("alive") & h.view("urban") & (h.view("tenure") == Tenure.rented) & ~h.view("collective")
    renting &= h.view("county") != OUTSIDE
    hh = p.hh[residents]
    in_renting = np.flatnonzero(renting[hh])
    alive, hh = residents[in_renting], hh[in_renting]     # only members of renting town households matter
    size = np.maximum(np.bincount(hh, minlength=h.n), 1)
    poor = h.view("income") / size <= rules.public_housing.income_threshold
    job = p.job[alive]
    working = (job == Job.employee) | (job == Job.flexible)
    local = (p.hk[alive] == p.res[alive]) & p.hk_urban[alive]
    member = np.zeros(len(alive), bool)
    if HousingGroup.new_employees in rules.public_housing.eligible_groups:
        member |= working & (p.grad_year[alive] > 0) & (year - p.grad_year[alive] <= params.new_employee_years)
    if HousingGroup.migrant_workers in rules.public_housing.eligible_groups:
        member |= working & ~local & (p.town_years[alive] >= 1)
    if HousingGroup.low_income_hukou in rules.public_housing.eligible_groups:
        member |= local
    return renting & poor & any_member(hh, h.n, member)


def allocate_rental(pop: Population, eligible: np.ndarray, stock: np.ndarray, year: int,
                    draws: YearDraws) -> tuple[np.ndarray, np.ndarray]:
    """Queue eligible households and give vacant flats by county in queue order (permute,
    stable-sort by county and joining year, accept while rank < vacancies).
    Returns (queue length, occupied flats) per county in simulated households."""
    h = pop.households
    occupied_mask = h.view("alive") & (h.view("tenure") == Tenure.public_rental) & (h.view("county") != OUTSIDE)
    occupied = county_sums(h.view("county"), mask=occupied_mask)
    joining = eligible & (h.view("queue_year") == 0)
    h.queue_year[: h.n][joining] = year
    h.queue_year[: h.n][~eligible] = 0
    queued = np.flatnonzero(eligible)
    vacancies = np.maximum(np.floor(stock / pop.weight) - occupied, 0).astype(np.int64)
    order = draws.order("rental_queue", h.key[queued])
    q = queued[order]
    q = q[np.lexsort((h.queue_year[q], h.county[q]))]
    county = h.county[q].astype(np.int64)
    start = np.searchsorted(county, np.arange(N_COUNTIES))
    rank = np.arange(len(q)) - start[county]
    housed = q[rank < vacancies[county]]
    h.tenure[housed] = Tenure.public_rental
    h.queue_year[housed] = 0
    occupied += county_sums(h.county[housed])
    waiting = county_sums(h.county[q[rank >= vacancies[county]]])
    return waiting, occupied


def purchase_motive(pop: Population, rules: Rules, rows: np.ndarray) -> np.ndarray:
    """Per household row: 1 when buying opens the purchase pathway (a member lacks local town
    hukou and the pathway is open), else 0. Only the members of `rows` are looked at."""
    if not rules.purchase.enabled:
        return np.zeros(len(rows))
    p, h, residents = pop.persons, pop.households, pop.residents()
    hh = p.hh[residents]        # the rows are town households: their members live in the city
    members = members_of(rows, hh, h.n)
    unregistered = ~town_status(pop, residents[members])
    return any_member(hh[members], h.n, unregistered)[rows].astype(float)
