"""What the model records each year into the outcomes table (`outcomes.py` declares the names):
the stocks at the end of the year, and the year's flows, which the phases count as they happen
(`Flows`) and hand on with the rest of the year's results (`YearRecord`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from . import outcomes as oc
from .places import N_COUNTIES, OUTSIDE, county_sums
from .population import registration, registry
from .population.columns import Pathway, Population, Tenure

if TYPE_CHECKING:
    from .model import UrbanizationModel

FLOWS = ("births", "deaths", "moved_in", "moved_out", "residence_permits_new", "urban_to_rural_moves",
         "homes_bought")
KINDS = ("migrant_worker", "graduate", "household")
# Reasons of the register's moves (registry.py): out of Tieling's register (or, for a county, to
# another county's), and into it.
REGISTER_REASONS = {"hukou_moved_out": ("settled_elsewhere", "marriage", "student", "settlement"),
                    "hukou_moved_in": ("settlement", "student_return")}
# Dimensions of the residents' cross-table (`_residents_table`), in order.
BY_RES = ("county", "town", "age_group", "registered_elsewhere", "family", "permit", "kind")
BY_RES_SHAPE = (N_COUNTIES, 2, 3, 2, 2, 2, 3)


def _none() -> np.ndarray:
    return np.empty(0, np.int64)


def _zeros() -> np.ndarray:
    return np.zeros(N_COUNTIES)


class Flows:
    """The year's flows by county of residence (entries 0-6) and for the city (entry 7), in real persons."""

    def __init__(self, pop: Population) -> None:
        self.pop = pop
        self.values = {k: np.zeros(N_COUNTIES + 1) for k in FLOWS}

    def count(self, event: str, idx: np.ndarray, city: bool = True) -> None:
        """Add persons to a flow by their county of residence; persons living outside count nowhere."""
        self.add(event, self.pop.persons.res[idx], city)

    def add(self, event: str, county: np.ndarray, city: bool = True) -> None:
        """Add a flow by county (entries 0-6); `city` also adds it to the city's total (entry 7),
        which moves within Tieling must not."""
        v = county_sums(county, self.pop.weight)
        self.values[event][:N_COUNTIES] += v
        if city:
            self.values[event][N_COUNTIES] += v.sum()

    def moves(self, before: np.ndarray) -> None:
        """Moves between places recorded against residence before and after a phase (`before`: the
        `res` column of all rows at its start; rows added since are not moves): county-to-county
        moves count for both counties, moves across the city's border also for the city. Compared
        over all rows, contiguous, rather than gathered for the living: a row never comes back to life."""
        p, w = self.pop.persons, self.pop.weight
        now = p.view("res")[: len(before)]
        changed = np.flatnonzero((before != now) & p.view("alive")[: len(before)])
        old, new = before[changed], now[changed]
        self.add("moved_out", old[old != OUTSIDE], city=False)
        self.add("moved_in", new[new != OUTSIDE], city=False)
        self.values["moved_out"][N_COUNTIES] += ((old != OUTSIDE) & (new == OUTSIDE)).sum() * w
        self.values["moved_in"][N_COUNTIES] += ((old == OUTSIDE) & (new != OUTSIDE)).sum() * w


@dataclass
class YearRecord:
    """What the phases of one year hand on to the later phases and to the record. Person counts by
    county are in sample persons (rows) unless named otherwise."""
    flows: Flows
    ledger: registry.Ledger = field(default_factory=registry.Ledger)
    student_settlers: np.ndarray = field(default_factory=_none)    # persons settled by a student hukou move
    new_permits: np.ndarray = field(default_factory=_none)         # persons given a residence permit
    settled: registration.Settled | None = None                    # settlers by the other pathways
    rental_queue: np.ndarray = field(default_factory=_zeros)       # households waiting for public rental
    rental_occupied: np.ndarray = field(default_factory=_zeros)    # households in public rental flats
    migrant_children: np.ndarray = field(default_factory=_zeros)   # real persons, 6-14, registered elsewhere
    migrant_admitted: np.ndarray = field(default_factory=_zeros)   # real persons, of them in public school
    receipts: np.ndarray = field(default_factory=_zeros)           # yuan the city paid each county
    budget: dict | None = None            # {"spending"|"income": {item: yuan per county}} (sim/budget.py)


def record(model: "UrbanizationModel") -> None:
    """Stocks at the end of the year, and the year's flows (not for the base year)."""
    by_res, by_hk = _residents_table(model), _holders_table(model)
    _record_people(model, by_res, by_hk)
    _record_services(model)
    if model.year > model.config.base_year:
        _record_flows(model)
        _record_register(model)


def _residents_table(model: "UrbanizationModel") -> np.ndarray:
    """Residents by the dimensions `BY_RES` (age groups 0-14, 15-64, 65+), one pass."""
    p, h = model.pop.persons, model.pop.households
    r = model.pop.residents()
    res, age = p.res[r], p.age[r]
    cell = res.astype(np.int16) * 2 + p.res_urban[r]
    cell = cell * 3 + (age >= 15)
    cell += age >= 65
    cell = cell * 2 + (p.hk[r] != res)
    cell = cell * 2 + ~h.collective[p.hh[r]]
    cell = cell * 2 + p.permit[r]
    cell = cell * 3 + registration.agent_kind(model.pop, r, model.year)
    return np.bincount(cell, minlength=np.prod(BY_RES_SHAPE)).reshape(BY_RES_SHAPE)


def _holders_table(model: "UrbanizationModel") -> np.ndarray:
    """Everyone registered in Tieling by county of registration x town hukou x living in the city."""
    p = model.pop.persons
    alive = model.alive()
    hk = p.hk[alive]
    cell = (hk.astype(np.int16) * 2 + p.hk_urban[alive]) * 2 + (p.res[alive] != OUTSIDE)
    return np.bincount(cell, minlength=(N_COUNTIES + 1) * 4).reshape(N_COUNTIES + 1, 2, 2)[:N_COUNTIES]


def _on(table: np.ndarray, dimension: str, value: int) -> np.ndarray:
    """The residents' table where `dimension` (one of `BY_RES`) takes `value`."""
    return np.take(table, value, axis=BY_RES.index(dimension))


def _record_people(model: "UrbanizationModel", by_res: np.ndarray, by_hk: np.ndarray) -> None:
    h, w, y, add = model.pop.households, model.pop.weight, model.year, model.recorder.add

    def county(table: np.ndarray) -> np.ndarray:
        """Persons per county (summing the other dimensions) and the city total, in real persons."""
        v = table.reshape(N_COUNTIES, -1).sum(axis=1) * w
        return np.append(v, v.sum())

    residents = county(by_res)
    urban = county(_on(by_res, "town", 1))
    holders = county(by_hk)
    urban_holders = county(by_hk[:, 1])
    r_rate, h_rate = oc.ratio(urban, residents), oc.ratio(urban_holders, holders)
    add(y, "residents", residents)
    add(y, "urban_residents", urban)
    add(y, "hukou_holders", holders)
    add(y, "urban_hukou_holders", urban_holders)
    add(y, "resident_urbanization_rate", r_rate)
    add(y, "hukou_urbanization_rate", h_rate)
    add(y, "urbanization_gap", r_rate - h_rate)
    add(y, "registered_outside", county(by_hk[:, :, 0]))
    add(y, "residents_registered_elsewhere", county(_on(by_res, "registered_elsewhere", 1)))
    for g, group in enumerate(("age_0_14", "age_15_64", "age_65_plus")):
        add(y, "residents", county(_on(by_res, "age_group", g)), group)
    fam = np.flatnonzero(h.view("alive") & ~h.view("collective") & (h.view("county") != OUTSIDE))
    households = oc.by_county(h.county[fam], w)
    add(y, "households", households)
    add(y, "household_size", oc.ratio(county(_on(by_res, "family", 1)), households))
    permits = county(_on(by_res, "permit", 1))
    add(y, "residence_permits", permits)
    for k, name in enumerate(KINDS):
        add(y, "agents", county(_on(by_res, "kind", k)), name)
    # Statistics (clause 十): registry-based estimate (hukou holders plus permit holders, who the
    # registry knows of) and an annual sample survey of the true residents.
    add(y, "residents_registry_estimate", holders + permits)
    add(y, "residents_survey_estimate", _survey(model, residents))


def _survey(model: "UrbanizationModel", residents: np.ndarray) -> np.ndarray:
    rate = model.rules.statistics.survey_sample_rate
    sampled = model.year_draws.stream("survey").binomial(np.round(residents[:N_COUNTIES]).astype(np.int64), rate)
    est = sampled / rate
    return np.append(est, est.sum())


def _with_city(values) -> np.ndarray:
    v = np.asarray(values, float)
    return np.append(v, v.sum())


def _record_services(model: "UrbanizationModel") -> None:
    add, gov, y, s, w = model.recorder.add, model.counties, model.year, model.this_year, model.pop.weight
    add(y, "school_places", _with_city([g.school_places for g in gov]))
    add(y, "public_rental_stock", _with_city([g.rental_stock for g in gov]))
    add(y, "land_quota_m2", _with_city([g.land_quota_m2 for g in gov]))
    add(y, "public_rental_queue", _with_city(s.rental_queue * w))
    add(y, "public_rental_occupancy", _with_city(s.rental_occupied * w))
    add(y, "migrant_children", _with_city(s.migrant_children))
    add(y, "migrant_children_in_public_school", _with_city(s.migrant_admitted))
    for group, values in (("school", [g.school_congestion for g in gov]), ("clinic", [g.clinic_congestion for g in gov])):
        v = np.asarray(values, float)
        add(y, "service_congestion", np.append(v, v.mean()), group)


def _record_flows(model: "UrbanizationModel") -> None:
    add, w, s, y = model.recorder.add, model.pop.weight, model.this_year, model.year
    for name in FLOWS:
        add(y, name, s.flows.values[name])
    settled = s.settled
    student_county = model.pop.persons.res[s.student_settlers]
    total = oc.by_county(settled.county, w) + oc.by_county(student_county, w)
    add(y, "settlements", total)
    for k in Pathway:
        if k == Pathway.student:
            add(y, "settlements", oc.by_county(student_county, w), k.name)
        else:
            add(y, "settlements", oc.by_county(settled.county, w, settled.pathway == k), k.name)
    for k, name in enumerate(KINDS):
        extra = oc.by_county(student_county, w) if name == "household" else 0
        add(y, "settlements", oc.by_county(settled.county, w, settled.kind == k) + extra, f"kind_{name}")
    add(y, "transfers", np.append(s.receipts, s.receipts.sum()))
    _record_budget(model)


def _record_budget(model: "UrbanizationModel") -> None:
    """Spending and income by item (groups) and in total (`all`), yuan per county and city."""
    add, y, book = model.recorder.add, model.year, model.this_year.budget
    for outcome, key in (("budget_spending", "spending"), ("budget_income", "income")):
        items = book[key]
        total = sum(items.values())
        add(y, outcome, _with_city(total))
        for item, values in items.items():
            add(y, outcome, _with_city(values), item)


def _record_register(model: "UrbanizationModel") -> None:
    """The register's flows of the year (registry.Ledger), in real persons."""
    add, ledger, w, y = model.recorder.add, model.this_year.ledger, model.pop.weight, model.year
    for name in ("hukou_births", "hukou_deaths", "hukou_converted"):
        add(y, name, ledger.total(name) * w)
    for name, reasons in REGISTER_REASONS.items():
        add(y, name, ledger.total(name) * w)
        for reason in reasons:
            add(y, name, ledger.flows.get((name, reason), np.zeros(N_COUNTIES + 1)) * w, reason)


def base_services(pop: Population) -> np.ndarray:
    """Public rental flats occupied at the base year, by county (sample households)."""
    h = pop.households
    rental = h.view("alive") & (h.view("tenure") == Tenure.public_rental) & (h.view("county") != OUTSIDE)
    return county_sums(h.view("county"), mask=rental)
