"""Who uses the counties' public services, counted from the population: the base year's users
the services are sized to, and each year's pupils (local, migrant, and the migrant children the
admission rule lets into public school). The services themselves are the county governments
(`sim/institutions/government.py`), which see only these counts.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import SCHOOL_AGES
from ..places import OUTSIDE, county_sums
from ..policies.levers import SchoolAdmission
from .columns import Population, Tenure, any_member


def school_age(age: np.ndarray) -> np.ndarray:
    return (age >= SCHOOL_AGES[0]) & (age <= SCHOOL_AGES[1])


@dataclass(frozen=True)
class BaseUsers:
    """The base year's users of each county's services (real persons and households, by county)."""
    children: np.ndarray          # school-age residents
    residents: np.ndarray
    town_households: np.ndarray   # family households in the county's town
    rental_share: np.ndarray      # of them, the share in public rental flats


def base_users(pop: Population, alive: np.ndarray) -> BaseUsers:
    p, h, w = pop.persons, pop.households, pop.weight
    age, res = p.age[alive], p.res[alive]
    children = county_sums(res, w, (res != OUTSIDE) & school_age(age))
    residents = county_sums(res, w, res != OUTSIDE)
    town = h.view("alive") & h.view("urban") & ~h.view("collective") & (h.view("county") != OUTSIDE)
    town_hh = county_sums(h.view("county"), w, town)
    rental = h.view("alive") & (h.view("tenure") == Tenure.public_rental) & (h.view("county") != OUTSIDE)
    stock = county_sums(h.view("county"), w, rental)
    return BaseUsers(children, residents, town_hh, np.divide(stock, np.maximum(town_hh, 1)))


def pupils(pop: Population, residents: np.ndarray, admission: SchoolAdmission
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """School-age children by county (real persons): local, migrant (registered elsewhere), and
    migrant children eligible for public school under `schools.migrant_children_admission`."""
    p, w, h = pop.persons, pop.weight, pop.households
    age, res = p.age[residents], p.res[residents]
    at = np.flatnonzero(school_age(age))    # pupils
    county = res[at]
    migrant = p.hk[residents[at]] != county
    mode = admission.value
    if mode == "permit_only":
        hh = p.hh[residents]
        ok = migrant & any_member(hh, h.n, p.permit[residents])[hh[at]]
    else:
        ok = {"equal": migrant, "hukou_only": np.zeros_like(migrant)}[mode]
    return county_sums(county, w, ~migrant), county_sums(county, w, migrant), county_sums(county, w, ok)
