"""What the model records each year into the outcomes table: named reporters, name -> function of
the year, as Mesa's DataCollector reporters are (`REPORTERS`; the name is the outcome for its
total and `outcome.group` for a group, as `outcomes.py` declares them). Stocks are those at the
end of the year; flows (units per year) are what the phases counted as they happened (`Flows`)
and handed on with the rest of the year's results (`YearRecord`), and are not recorded for the
base year. The DataCollector's model reporters read the recorded city values back
(`model_reporters`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from . import outcomes as oc
from .budget import INCOME_ITEMS, SPENDING_ITEMS
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


class Year:
    """What the reporters read: the model at the end of its year, with the residents' and the
    holders' cross-tables and the totals several reporters share, each built once."""

    def __init__(self, model: "UrbanizationModel") -> None:
        self.model, self.pop, self.w, self.record = model, model.pop, model.pop.weight, model.this_year

    def county(self, table: np.ndarray) -> np.ndarray:
        """Persons per county (summing the other dimensions) and the city total, in real persons."""
        v = table.reshape(N_COUNTIES, -1).sum(axis=1) * self.w
        return np.append(v, v.sum())

    def on(self, dimension: str, value: int) -> np.ndarray:
        """Residents per county and the city where `dimension` (one of `BY_RES`) takes `value`."""
        return self.county(np.take(self.by_res, value, axis=BY_RES.index(dimension)))

    @cached_property
    def by_res(self) -> np.ndarray:
        return _residents_table(self.model)

    @cached_property
    def by_hk(self) -> np.ndarray:
        return _holders_table(self.model)

    @cached_property
    def residents(self) -> np.ndarray:
        return self.county(self.by_res)

    @cached_property
    def urban(self) -> np.ndarray:
        return self.on("town", 1)

    @cached_property
    def holders(self) -> np.ndarray:
        return self.county(self.by_hk)

    @cached_property
    def urban_holders(self) -> np.ndarray:
        return self.county(self.by_hk[:, 1])

    @cached_property
    def households(self) -> np.ndarray:
        h = self.pop.households
        fam = np.flatnonzero(h.view("alive") & ~h.view("collective") & (h.view("county") != OUTSIDE))
        return oc.by_county(h.county[fam], self.w)

    @cached_property
    def permits(self) -> np.ndarray:
        return self.on("permit", 1)

    @cached_property
    def student_county(self) -> np.ndarray:
        """County of residence of the year's student settlers."""
        return self.pop.persons.res[self.record.student_settlers]

    def settled(self, mask_of=None) -> np.ndarray:
        """Settlers by the pathways other than students, per county and the city (`mask_of(settled)`
        selects some)."""
        s = self.record.settled
        return oc.by_county(s.county, self.w, None if mask_of is None else mask_of(s))


Reporter = Callable[[Year], np.ndarray]     # 7 county values and the city's


def _with_city(values) -> np.ndarray:
    v = np.asarray(values, float)
    return np.append(v, v.sum())


def _rate(num: str, den: str) -> Reporter:
    return lambda y: oc.ratio(getattr(y, num), getattr(y, den))


def _survey(y: Year) -> np.ndarray:
    """Statistics (clause 十): an annual sample survey of the true residents."""
    rate = y.model.rules.statistics.survey_sample_rate
    # A keyed count per county (inverse distribution function): scenarios with nearly the same
    # residents draw nearly the same sample.
    sampled = y.model.year_draws.binomial("survey", np.round(y.residents[:N_COUNTIES]).astype(np.int64), rate)
    est = sampled / rate
    return np.append(est, est.sum())


def _governments(attribute: str) -> Reporter:
    return lambda y: _with_city([getattr(g, attribute) for g in y.model.counties])


def _services(field_: str, weighted: bool = False) -> Reporter:
    return lambda y: _with_city(getattr(y.record, field_) * (y.w if weighted else 1))


def _congestion(attribute: str) -> Reporter:
    def report(y: Year) -> np.ndarray:
        v = np.asarray([getattr(g, attribute) for g in y.model.counties], float)
        return np.append(v, v.mean())
    return report


def _settled_kind(k: int, name: str) -> Reporter:
    """Settlers of an agent kind; students settle as household members."""
    def report(y: Year) -> np.ndarray:
        extra = oc.by_county(y.student_county, y.w) if name == "household" else 0
        return y.settled(lambda s: s.kind == k) + extra
    return report


def _budget_total(key: str) -> Reporter:
    return lambda y: _with_city(sum(y.record.budget[key].values()))


def _register(name: str, reason: str | None = None) -> Reporter:
    """A register flow of the year (registry.Ledger), in total or for one reason, in real persons."""
    if reason is None:
        return lambda y: y.record.ledger.total(name) * y.w
    return lambda y: y.record.ledger.flows.get((name, reason), np.zeros(N_COUNTIES + 1)) * y.w


# In recording order: the people's stocks, the services' stocks, the year's flows, the register's.
REPORTERS: dict[str, Reporter] = {
    "residents": lambda y: y.residents,
    "urban_residents": lambda y: y.urban,
    "hukou_holders": lambda y: y.holders,
    "urban_hukou_holders": lambda y: y.urban_holders,
    "resident_urbanization_rate": _rate("urban", "residents"),
    "hukou_urbanization_rate": _rate("urban_holders", "holders"),
    "urbanization_gap": lambda y: oc.ratio(y.urban, y.residents) - oc.ratio(y.urban_holders, y.holders),
    "registered_outside": lambda y: y.county(y.by_hk[:, :, 0]),
    "residents_registered_elsewhere": lambda y: y.on("registered_elsewhere", 1),
    **{f"residents.{group}": partial(Year.on, dimension="age_group", value=g)
       for g, group in enumerate(("age_0_14", "age_15_64", "age_65_plus"))},
    "households": lambda y: y.households,
    "household_size": lambda y: oc.ratio(y.on("family", 1), y.households),
    "residence_permits": lambda y: y.permits,
    **{f"agents.{name}": partial(Year.on, dimension="kind", value=k) for k, name in enumerate(KINDS)},
    # Statistics (clause 十): the registry-based estimate counts hukou holders and the permit
    # holders the registry knows of.
    "residents_registry_estimate": lambda y: y.holders + y.permits,
    "residents_survey_estimate": _survey,
    "school_places": _governments("school_places"),
    "public_rental_stock": _governments("rental_stock"),
    "land_quota_m2": _governments("land_quota_m2"),
    "public_rental_queue": _services("rental_queue", weighted=True),
    "public_rental_occupancy": _services("rental_occupied", weighted=True),
    "migrant_children": _services("migrant_children"),
    "migrant_children_in_public_school": _services("migrant_admitted"),
    "service_congestion.school": _congestion("school_congestion"),
    "service_congestion.clinic": _congestion("clinic_congestion"),
    **{name: (lambda y, name=name: y.record.flows.values[name]) for name in FLOWS},
    "settlements": lambda y: y.settled() + oc.by_county(y.student_county, y.w),
    **{f"settlements.{k.name}": (lambda y: oc.by_county(y.student_county, y.w)) if k == Pathway.student
       else (lambda y, k=k: y.settled(lambda s: s.pathway == k)) for k in Pathway},
    **{f"settlements.kind_{name}": _settled_kind(k, name) for k, name in enumerate(KINDS)},
    "transfers": lambda y: np.append(y.record.receipts, y.record.receipts.sum()),
    **{f"{outcome}{suffix}": reporter
       for outcome, key, items in (("budget_spending", "spending", SPENDING_ITEMS),
                                   ("budget_income", "income", INCOME_ITEMS))
       for suffix, reporter in [("", _budget_total(key))]
       + [(f".{item}", (lambda y, key=key, item=item: _with_city(y.record.budget[key][item]))) for item in items]},
    **{name: _register(name) for name in ("hukou_births", "hukou_deaths", "hukou_converted")},
    **{name: reporter for outcome, reasons in REGISTER_REASONS.items()
       for name, reporter in [(outcome, _register(outcome))]
       + [(f"{outcome}.{reason}", _register(outcome, reason)) for reason in reasons]},
}


def split_name(name: str) -> tuple[str, str]:
    """(outcome, group) of a reporter's name: `settlements.graduate` -> ("settlements", "graduate")."""
    outcome, _, group = name.partition(".")
    return outcome, group or "all"


def reporter_name(outcome: str, group: str = "all") -> str:
    """The name of an outcome's reporter (and its column in the DataCollector's table): the
    outcome's name for its total, `outcome.group` for a group (e.g. `settlements.graduate`)."""
    return outcome if group == "all" else f"{outcome}.{group}"


def is_flow(outcome: str) -> bool:
    """Flows are counted over a year (their unit is per year) and not recorded for the base year."""
    return oc.OUTCOMES[outcome].unit.endswith("/year")


def record(model: "UrbanizationModel") -> None:
    """Every reporter's values of the year into the outcomes table (flows not for the base year)."""
    y, first = Year(model), model.year == model.config.base_year
    for name, report in REPORTERS.items():
        outcome, group = split_name(name)
        if not (first and is_flow(outcome)):
            model.recorder.add(model.year, outcome, report(y), group)


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


# --- the DataCollector ----------------------------------------------------------------

def declared_names() -> list[str]:
    """Every outcome and group `outcomes.OUTCOMES` declares, as reporter names, in declaration order."""
    return [reporter_name(outcome, group) for outcome, info in oc.OUTCOMES.items()
            for group in re.split(r"[;,]\s*", info.groups) if group]


def city_value(model, name: str) -> float:
    """The city's value of a reporter in the model's current year, as recorded (NaN if not
    recorded that year: flows are not recorded for the base year)."""
    return model.recorder.latest(*split_name(name), model.year)


def model_reporters() -> dict[str, Any]:
    """The DataCollector's model reporters, name -> function of the model: the year, and the city's
    value of each reporter, in the order the outcomes are declared."""
    return {"year": "year", **{name: partial(city_value, name=name) for name in declared_names()}}


def settlers_by_id(y: YearRecord, pop: Population) -> tuple[np.ndarray, np.ndarray] | None:
    """The year's settlers by stable id (their rows move at compact()) and pathway; None before
    the first step."""
    if y.settled is None:
        return None
    p, settled, student = pop.persons, y.settled, y.student_settlers
    return (np.concatenate([p.id[student], p.id[settled.persons]]),
            np.concatenate([np.full(len(student), Pathway.student, np.int8), settled.pathway.astype(np.int8)]))


def base_services(pop: Population) -> np.ndarray:
    """Public rental flats occupied at the base year, by county (sample households)."""
    h = pop.households
    rental = h.view("alive") & (h.view("tenure") == Tenure.public_rental) & (h.view("county") != OUTSIDE)
    return county_sums(h.view("county"), mask=rental)
