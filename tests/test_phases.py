"""The contract of every yearly phase, in the spirit of scikit-learn's `check_estimator`: one
parametrised test per promise, run over every function the year's phases call in `population/`.

- Deterministic: the same population and the same draws give the same result, column by column.
- Draws only from the draws it is given: other draws (another seed) give another result, and
  numpy's global random state is not touched.
- Touches only the rows it is given: persons not given, and households none of them belongs to
  (before or after), keep every column; new rows may be added.
- Conserves people: the living change only by the births, deaths, arrivals and departures
  the phase returns.

Phases given a subset are handed the persons of every other household row (whole households);
the few that act on the whole population by design (`WHOLE`) are handed everyone, and then
only the rows of the dead and of households without a living member must stay as they were.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

from sim import UrbanizationModel, load_scenario
from sim.draws import Draws
from sim.population import demography, economy, education, housing, moves, registration, registry
from sim.population import moves_within as within
from sim.places import OUTSIDE, county_sums
from sim.policies.levers import UrbanToRural
from sim.population.columns import Population, Tenure

from .conftest import SCENARIOS, small

ALIVE, RESIDENTS, OUTSIDE_ROWS, NONE, WHOLE = "alive", "residents", "outside", "none", "whole"


@dataclass(frozen=True)
class Phase:
    name: str
    call: Callable[[UrbanizationModel, Population, np.ndarray, Any], Any]
    rows: str                                    # which persons the phase is given
    change: Callable[[Any, Population], int] = lambda result, pop: 0   # living added minus removed
    draws: bool = True                           # False: the phase draws nothing
    may_write: tuple[str, ...] = ()              # columns it may write in rows it was not given, and why


def _n(result) -> int:
    return len(result)


def _graduates_gone(done, pop) -> int:
    return -int(np.count_nonzero(~pop.persons.alive[done]))


def _residents_by_county(pop: Population) -> np.ndarray:
    return county_sums(pop.persons.res[pop.residents()])


def _few_flats(pop: Population) -> np.ndarray:
    """Public rental stock by county with room for a few more households than live there now."""
    h = pop.households
    occupied = county_sums(h.view("county"), mask=h.view("alive") & (h.view("tenure") == Tenure.public_rental))
    return (occupied + 3) * pop.weight


def arrays(result) -> list[np.ndarray]:
    """A phase's result as arrays (tuples, dataclasses such as Heads and Settled, arrays, None)."""
    if result is None:
        return []
    if isinstance(result, tuple):
        return [a for r in result for a in arrays(r)]
    if hasattr(result, "__dataclass_fields__"):
        return [np.asarray(getattr(result, f)) for f in result.__dataclass_fields__]
    return [np.asarray(result)]


PHASES = [
    Phase("deaths", lambda m, pop, rows, d: demography.deaths(pop, rows, m.mx, m.config.behaviour.demography, d),
          ALIVE, lambda r, pop: -len(r)),
    Phase("births", lambda m, pop, rows, d: demography.births(pop, rows, m.fertility, m.config.behaviour.demography,
                                                               1, d), ALIVE, lambda r, pop: len(r)),
    Phase("leave_home", lambda m, pop, rows, d: demography.leave_home(pop, rows, m.config.behaviour.demography, d),
          RESIDENTS),
    Phase("age_one_year", lambda m, pop, rows, d: demography.age_one_year(pop, rows, rows[pop.persons.res[rows] != OUTSIDE]),
          ALIVE, draws=False),
    # Its job is the rows of no living person: households without a member end.
    Phase("dissolve_empty", lambda m, pop, rows, d: demography.dissolve_empty(pop, rows), WHOLE, draws=False,
          may_write=("households.alive",)),
    Phase("progress_school", lambda m, pop, rows, d: education.progress_school(pop, rows,
                                                                               m.config.behaviour.education, d), ALIVE),
    Phase("enter_college", lambda m, pop, rows, d: education.enter_college(pop, rows, m.year, m.config.behaviour.education,
                                                                           m.rules, d), ALIVE),
    Phase("graduate", lambda m, pop, rows, d: education.graduate(pop, rows, m.year, m.config.behaviour.education,
                                                                 m.rules, m.census.urban.astype(float), d),
          ALIVE, _graduates_gone),
    Phase("expire_school_hukou", lambda m, pop, rows, d: registration.expire_school_hukou(pop, rows, m.year + 2),
          ALIVE, draws=False),
    Phase("student_arrivals", lambda m, pop, rows, d: education.student_arrivals(pop, m.year, m.config.behaviour.education,
                                                                                 d), NONE, lambda r, pop: len(r)),
    Phase("earn", lambda m, pop, rows, d: economy.earn(pop, rows, m.wages, m.config.behaviour.work, 1,
                                                       m.config.behaviour.housing.savings_rate), ALIVE, draws=False),
    Phase("enter_work", lambda m, pop, rows, d: economy.enter_work(pop, rows, m.config.behaviour.work, d), RESIDENTS),
    Phase("contribute", lambda m, pop, rows, d: economy.contribute(pop, rows, rows[pop.persons.res[rows] != OUTSIDE],
                                                                   m.config.behaviour.work, d), ALIVE),
    Phase("leave_tieling", lambda m, pop, rows, d: moves.leave_tieling(pop, rows, m.config.behaviour.outside,
                                                                       np.full(8, 3.0), d),
          RESIDENTS, lambda r, pop: -len(r[1])),
    Phase("registered_elsewhere_leave", lambda m, pop, rows, d: moves.registered_elsewhere_leave(
        pop, rows, m.config.behaviour.outside, d), RESIDENTS, lambda r, pop: -len(r)),
    Phase("come_back", lambda m, pop, rows, d: moves.come_back(pop, rows, m.config.behaviour.outside, 0.5, d),
          OUTSIDE_ROWS),
    Phase("arrivals", lambda m, pop, rows, d: moves.arrivals(pop, _residents_by_county(pop), m.config.behaviour.outside,
                                                             m.census.urban / m.census.residents,
                                                             pop.persons.edu[pop.alive()], d),
          NONE, lambda r, pop: len(r)),
    Phase("move_within", lambda m, pop, rows, d: within.move_within(
        pop, within.Setting(m.config.behaviour, m.rules.permit_access, m.wages, np.zeros(7), m.census.urban), d),
          WHOLE),
    Phase("issue_permits", lambda m, pop, rows, d: registration.issue_permits(pop, rows, m.rules,
                                                                              m.config.behaviour.settling, d), RESIDENTS),
    Phase("spread_awareness", lambda m, pop, rows, d: registration.spread_awareness(pop, rows, 0.3, 0.3, d), ALIVE),
    Phase("settle", lambda m, pop, rows, d: registration.settle(pop, rows, m.year, m.rules, m.config.behaviour.settling,
                                                                np.zeros(7), 0.5, d), RESIDENTS),
    Phase("urban_to_rural", lambda m, pop, rows, d: registration.urban_to_rural(
        pop, rows, m.rules.model_copy(update={"urban_to_rural_moves": UrbanToRural.open}),
        m.config.behaviour.settling.model_copy(update={"urban_to_rural_wish": 0.5}), d), RESIDENTS),
    Phase("settle_outside", lambda m, pop, rows, d: registry.settle_outside(
        pop, rows, m.year, m.config.behaviour.registry, m.config.behaviour.outside, m.rules, d),
          OUTSIDE_ROWS, lambda r, pop: -len(r)),
    Phase("marry_out", lambda m, pop, rows, d: registry.marry_out(pop, rows, m.config.behaviour.registry, d),
          OUTSIDE_ROWS, lambda r, pop: -len(r)),
    Phase("convert_villages", lambda m, pop, rows, d: registry.convert_villages(pop, rows, m.config.behaviour.registry,
                                                                                d), ALIVE),
    Phase("buy_homes", lambda m, pop, rows, d: housing.buy_homes(pop, m.prices, m.config.behaviour.housing, 0.5
                                                                 * np.ones(pop.households.n), d), WHOLE),
    # The eligible households are this year's queue: the others leave it (queue_year 0).
    Phase("allocate_rental", lambda m, pop, rows, d: housing.allocate_rental(
        pop, housing.rental_eligible(pop, rows, m.year, m.rules, m.config.behaviour.housing),
        _few_flats(pop), m.year, d), WHOLE),
]
IDS = [ph.name for ph in PHASES]


@pytest.fixture(scope="module")
def model() -> UrbanizationModel:
    """A small city one year after the reform's base year: students, permits and settlers exist."""
    m = UrbanizationModel(small(load_scenario(SCENARIOS / "tieling_reform_2020.yaml"), scale=0.005,
                                end_year=2022))
    m.step()
    return m


def given_rows(pop: Population, kind: str) -> np.ndarray:
    """The persons a phase is handed: those of every other household row (whole households)."""
    p = pop.persons
    rows = {ALIVE: pop.alive(), RESIDENTS: pop.residents(), OUTSIDE_ROWS: pop.outside(), WHOLE: pop.alive(),
            NONE: np.empty(0, np.int64)}[kind]
    if kind in (WHOLE, NONE):
        return np.array(rows)
    return np.array(rows[p.hh[rows] % 2 == 0])


def snapshot(pop: Population) -> dict[str, dict[str, np.ndarray]]:
    return {t: {c: getattr(table, c)[: table.n].copy() for c in table.schema}
            for t, table in (("persons", pop.persons), ("households", pop.households))}


def apply(model: UrbanizationModel, phase: Phase, seed: int | None = None):
    """Run `phase` on a copy of the model's population; (population before, result, after, rows)."""
    pop = copy.deepcopy(model.pop)
    before = snapshot(pop)
    rows = given_rows(pop, phase.rows)
    draws = Draws(model.config.seed if seed is None else seed).year(model.year + 1)
    result = phase.call(model, pop, rows, draws)
    return before, result, pop, rows


def differ(a: dict, b: dict) -> list[str]:
    out = []
    for t in a:
        for c in a[t]:
            x, y = a[t][c], b[t][c]
            if x.shape != y.shape or not np.array_equal(x, y, equal_nan=x.dtype.kind == "f"):
                out.append(f"{t}.{c}")
    return out


@pytest.mark.parametrize("phase", PHASES, ids=IDS)
def test_a_phase_is_deterministic(model, phase):
    _, r1, pop1, _ = apply(model, phase)
    _, r2, pop2, _ = apply(model, phase)
    assert differ(snapshot(pop1), snapshot(pop2)) == []
    first, again = arrays(r1), arrays(r2)
    assert len(first) == len(again) and all(np.array_equal(a, b) for a, b in zip(first, again))


@pytest.mark.parametrize("phase", [ph for ph in PHASES if ph.draws], ids=[ph.name for ph in PHASES if ph.draws])
def test_a_phase_draws_only_from_the_draws_it_is_given(model, phase):
    state = np.random.get_state()
    before, _, pop, _ = apply(model, phase)
    _, _, other, _ = apply(model, phase, seed=model.config.seed + 1)
    after = np.random.get_state()
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]
    assert differ(before, snapshot(pop)), "the phase changed nothing: the test population shows no draw"
    assert differ(snapshot(pop), snapshot(other)), "other draws gave the same result: something else decided"


def _touched(pop: Population, rows: np.ndarray, hh_before: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Person and household rows a phase may change: the given persons, their households before
    and after."""
    p, h = pop.persons, pop.households
    persons = np.zeros(len(hh_before), bool)
    persons[rows] = True
    households = np.zeros(h.n, bool)
    for hh in (hh_before[rows], p.hh[rows]):
        households[hh[hh >= 0]] = True
    return persons, households


@pytest.mark.parametrize("phase", PHASES, ids=IDS)
def test_a_phase_touches_only_the_rows_it_is_given(model, phase):
    before, _, pop, rows = apply(model, phase)
    after = snapshot(pop)
    n_p, n_h = len(before["persons"]["id"]), len(before["households"]["id"])
    mine_p, mine_h = _touched(pop, rows, before["persons"]["hh"])
    if phase.rows == WHOLE:
        # Everyone was given: only the dead and households without a living member must stay.
        mine_p = before["persons"]["alive"].copy()
        mine_h[:] = False
        mine_h[before["persons"]["hh"][mine_p]] = True
        mine_h[pop.persons.hh[: n_p][mine_p]] = True
    others_p, others_h = ~mine_p[:n_p], ~mine_h[:n_h]
    changed = [f"persons.{c}" for c, col in before["persons"].items()
               if not np.array_equal(col[others_p], after["persons"][c][:n_p][others_p])]
    changed += [f"households.{c}" for c, col in before["households"].items()
                if not np.array_equal(col[others_h], after["households"][c][:n_h][others_h])]
    changed = [c for c in changed if c not in phase.may_write]
    assert changed == [], f"{phase.name} wrote rows it was not given: {changed}"


@pytest.mark.parametrize("phase", PHASES, ids=IDS)
def test_a_phase_conserves_people(model, phase):
    before, result, pop, _ = apply(model, phase)
    living_before = int(before["persons"]["alive"].sum())
    living_after = int(pop.persons.view("alive").sum())
    assert living_after - living_before == phase.change(result, pop)
    # New rows are living persons with fresh ids; a household row is the household of each of them.
    p = pop.persons
    new = np.arange(len(before["persons"]["id"]), p.n)
    assert p.alive[new].all()
    assert len(np.unique(p.id[: p.n])) == p.n
    live = p.view("alive")
    assert (p.view("hh")[live] >= 0).all() and pop.households.alive[p.view("hh")[live]].all()
