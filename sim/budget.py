"""The counties' people-linked budget of a year, in yuan, by item (docs/budget.md).

Spending follows what the model's people and services do: capacity built (school places,
clinic capacity, public rental flats, at the `costs:` unit costs), migrant children admitted
to public school, the medical and pension subsidies of settlers new to Tieling's budgets,
and employment services for settlers and new permit holders. Income is the money that
comes with people: the city's transfers (the general pool and the people-linked part, clause
九), the central reward fund per settler and the value of the construction-land quota.
Every item is an array over the seven counties; the recorder adds the city's sum.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .costs import Costs
from .places import N_COUNTIES, OUTSIDE, county_sums
from .population.registration import Settled

SPENDING_ITEMS = ("school_build", "school_running", "clinic_build", "public_rental_build", "medical_insurance",
                  "pension", "employment_services")
INCOME_ITEMS = ("general_transfers", "linked_transfers", "central_reward", "land_quota")


@dataclass
class YearFlows:
    """What the model counted this year, per county (real persons, places, flats, yuan, m²)."""
    settlers: np.ndarray
    settlers_from_outside: np.ndarray
    new_permits: np.ndarray
    migrant_pupils_admitted: np.ndarray
    places_added: np.ndarray
    clinic_added: np.ndarray
    flats_added: np.ndarray
    general_transfers: np.ndarray
    linked_transfers: np.ndarray
    land_m2: np.ndarray

    @classmethod
    def counted(cls, weight: float, settled: Settled, settlers: np.ndarray, permits: np.ndarray,
                admitted: np.ndarray, counties: list, transfers: tuple[np.ndarray, np.ndarray],
                m2_per_settler: float) -> "YearFlows":
        """The year's flows from what the phases handed on: `settled` (the settlers by pathway other
        than students), `settlers` and `permits` by county (real persons, students included), the
        migrant pupils `admitted`, the county governments (`added`: capacity built this year) and
        the city's (general, linked) `transfers`."""
        outside = settled.from_outside if settled.from_outside is not None else np.zeros(len(settled.county), bool)
        added = {k: np.array([g.added[k] for g in counties]) for k in ("school_places", "clinic_capacity",
                                                                       "rental_stock")}
        general, linked = transfers
        return cls(settlers=settlers, settlers_from_outside=county_sums(settled.county, weight, outside),
                   new_permits=permits, migrant_pupils_admitted=admitted,
                   places_added=added["school_places"], clinic_added=added["clinic_capacity"],
                   flats_added=added["rental_stock"], general_transfers=general, linked_transfers=linked,
                   land_m2=settlers * m2_per_settler)


class BudgetBook:
    """Keeps the share of each county's settlers who came from outside Tieling (only they add
    to Tieling's insurance subsidies: a village hukou of Tieling was already in the same
    residents' schemes) and prices each year's flows."""

    def __init__(self, costs: Costs, base_year: int):
        self.costs = costs
        self.base_year = base_year
        self.settlers = np.zeros(N_COUNTIES)
        self.from_outside = np.zeros(N_COUNTIES)

    def outside_share(self) -> np.ndarray:
        return np.divide(self.from_outside, self.settlers, out=np.zeros(N_COUNTIES), where=self.settlers > 0)

    def price(self, pop, flows: YearFlows) -> dict[str, dict[str, np.ndarray]]:
        """The year's budget of `flows`, with the run's settlers still registered counted in `pop`."""
        insured, pensioners = settled_stock(pop, self.base_year, pop.weight, self.costs.spending.pension_age)
        return self.year(flows, insured, pensioners)

    def year(self, f: YearFlows, insured: np.ndarray, pensioners: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
        """{"spending": {item: yuan per county}, "income": {...}}. `insured` and `pensioners` are the
        settlers of the run still alive and registered in each county (all ages; aged `pension_age`+)."""
        self.settlers += f.settlers
        self.from_outside += f.settlers_from_outside
        s, i = self.costs.spending, self.costs.income
        new = self.outside_share()
        spending = {
            "school_build": f.places_added.clip(min=0) * s.school_place_build_yuan,
            "school_running": f.migrant_pupils_admitted * s.pupil_running_yuan_per_year,
            "clinic_build": f.clinic_added.clip(min=0) * s.clinic_capacity_yuan,
            "public_rental_build": f.flats_added.clip(min=0) * s.rental_flat_build_yuan,
            "medical_insurance": insured * new * s.medical_subsidy_yuan_per_year * s.medical_city_share,
            "pension": pensioners * new * s.basic_pension_yuan_per_month * 12 * s.pension_city_share,
            "employment_services": (f.settlers + f.new_permits) * s.employment_services_yuan,
        }
        income = {
            "general_transfers": f.general_transfers,
            "linked_transfers": f.linked_transfers,
            "central_reward": f.settlers * i.central_reward_yuan_per_settler,
            "land_quota": f.land_m2 * i.land_quota_yuan_per_m2,
        }
        return {"spending": spending, "income": income}


def settled_stock(pop, base_year: int, weight: float, pension_age: int) -> tuple[np.ndarray, np.ndarray]:
    """Persons who settled during the run and are alive and still registered in a Tieling county,
    by county of hukou: all ages, and aged `pension_age` or more."""
    p = pop.persons
    alive = pop.alive()
    hk = p.hk[alive]
    mine = (p.settled_year[alive] > base_year) & (hk != OUTSIDE)
    old = mine & (p.age[alive] >= pension_age)
    all_ages = county_sums(hk, weight, mine)
    aged = county_sums(hk, weight, old)
    return all_ages, aged
