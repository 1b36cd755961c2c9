"""The register as a ledger (户籍): every change of who is registered in Tieling, with its reason.

Registered people living outside Tieling settle where they live, marry there, or keep their
Tieling hukou; village registrations turn into town registrations without a move (村改居).
`Ledger` counts the flows of a year by county of registration, so that for every county and
the city: holders at the end of the year = holders at its start + births - deaths + moved in -
moved out (docs/model.md §7.14; tested).
"""
from __future__ import annotations

import numpy as np

from ..draws import YearDraws
from ..parameters import Outside, Registry
from ..places import N_COUNTIES, OUTSIDE, county_sums
from ..policies.rules import Rules
from ..constants import RETURN_AGE
from .columns import Population, any_member

# Ages of the singles who may marry outside and move their hukou to the spouse's place.
MARRIAGE_AGES = (20, 34)
# Children of this age or younger living with a household make it keener to settle outside.
CHILD_AGE = 14


def openness(params: Registry, year: int) -> float:
    """How open the destinations outside Tieling are to settlers in `year` (1 from 2018 on)."""
    return 1.0 if year >= 2018 else params.openness_before_2018


class Ledger:
    """Flows of the register of one year, by county of registration (entries 0-6) and for the city
    (entry 7), in simulated persons; keyed by (outcome, reason)."""

    def __init__(self) -> None:
        self.flows: dict[tuple[str, str], np.ndarray] = {}

    def add(self, outcome: str, reason: str, county: np.ndarray, city: bool = True) -> None:
        v = county_sums(county)
        row = self.flows.setdefault((outcome, reason), np.zeros(N_COUNTIES + 1))
        row[:N_COUNTIES] += v
        if city:
            row[N_COUNTIES] += v.sum()

    def total(self, outcome: str) -> np.ndarray:
        rows = [v for (o, _), v in self.flows.items() if o == outcome]
        return np.sum(rows, axis=0) if rows else np.zeros(N_COUNTIES + 1)


class Snapshot:
    """Who was registered where before a phase (the `hk` and `alive` columns of all rows), to
    count the phase's changes of registration afterwards."""

    def __init__(self, pop: Population) -> None:
        p = pop.persons
        self.hk = p.view("hk").copy()
        self.alive = p.view("alive").copy()

    def count(self, pop: Population, ledger: Ledger, out_reason: str, in_reason: str,
              deaths: bool = False) -> None:
        """Add the phase's changes to `ledger`: registrations ended or moved to another county
        (`hukou_moved_out`, or `hukou_deaths` for the dead when `deaths`), and begun or moved in
        (`hukou_moved_in`, or `hukou_births` for new rows when `deaths`). A move between two of
        Tieling's counties counts for both counties, not for the city."""
        p, n = pop.persons, len(self.hk)
        hk, alive = p.view("hk")[:n], p.view("alive")[:n]
        was = self.alive & (self.hk != OUTSIDE)
        now = alive & (hk != OUTSIDE)
        rows = np.flatnonzero((was != now) | (was & (hk != self.hk)))
        old, new, was, now = self.hk[rows], hk[rows], was[rows], now[rows]
        died = was & ~alive[rows] if deaths else np.zeros(len(rows), bool)
        ledger.add("hukou_deaths", "all", old[died])
        out = was & ~died
        ledger.add("hukou_moved_out", out_reason, old[out & ~now])              # off Tieling's register
        ledger.add("hukou_moved_out", out_reason, old[out & now], city=False)   # to another county's
        ledger.add("hukou_moved_in", in_reason, new[now & ~was])
        ledger.add("hukou_moved_in", in_reason, new[now & was], city=False)
        if deaths:
            born = np.flatnonzero(p.view("alive")[n:] & (p.view("hk")[n:] != OUTSIDE)) + n
            ledger.add("hukou_births", "all", p.hk[born])


def settle_outside(pop: Population, outside: np.ndarray, year: int, params: Registry, back: Outside,
                   rules: Rules, draws: YearDraws) -> np.ndarray:
    """Households of registered people living outside (`outside`: `Population.outside()`) move
    their hukou to where they live, once away `years_to_settle` years, more often with children
    and before 45, less often when it costs the land contract at home (clause 九's trade-off).
    They leave the model (registered and living elsewhere). Returns the persons."""
    p, h = pop.persons, pop.households
    if len(outside) == 0:
        return outside
    hh = p.hh[outside].astype(np.intp)
    oldest = np.zeros(h.n, np.int32)
    np.maximum.at(oldest, hh, p.age[outside].astype(np.int32))
    away = np.zeros(h.n, np.int32)
    np.maximum.at(away, hh, p.town_years[outside].astype(np.int32))
    child = any_member(hh, h.n, p.age[outside] <= CHILD_AGE)
    rows = np.flatnonzero(any_member(hh, h.n))
    hazard = params.settle_out_rate * openness(params, year) * (away[rows] >= params.years_to_settle)
    hazard = hazard * np.where(child[rows], params.family_multiplier, 1.0)
    hazard = hazard / np.where(oldest[rows] >= RETURN_AGE, back.return_age_multiplier, 1.0)
    if not rules.rural_rights.kept_after_settling:
        hazard = hazard * np.where(h.land[rows], params.land_loss_multiplier, 1.0)
    going = np.zeros(h.n, bool)
    going[rows[draws.chance("settle_outside", h.key[rows], -np.expm1(-hazard))]] = True
    movers = outside[going[hh]]
    _leave_register(pop, movers)
    h.alive[np.flatnonzero(going)] = False
    return movers


def marry_out(pop: Population, outside: np.ndarray, params: Registry, draws: YearDraws) -> np.ndarray:
    """Registered singles aged 20-34 living outside marry there and move their hukou to the
    spouse's place; they leave the model. Returns the persons."""
    p, h = pop.persons, pop.households
    if len(outside) == 0:
        return outside
    hh = p.hh[outside].astype(np.intp)
    size = np.bincount(hh, minlength=h.n)
    age = p.age[outside]
    single = (size[hh] == 1) & (age >= MARRIAGE_AGES[0]) & (age <= MARRIAGE_AGES[1])
    cand = outside[single]
    movers = cand[draws.chance("marry_out", p.key[cand], params.marriage_out_rate)]
    h.alive[p.hh[movers]] = False
    _leave_register(pop, movers)
    return movers


def leave_from_outside(pop: Population, ledger: Ledger, year: int, params: Registry, back: Outside, rules: Rules,
                       draws: YearDraws) -> None:
    """Registered people living outside settle there (户籍迁出), then others marry there; `ledger`
    counts each under its reason."""
    before = Snapshot(pop)
    settle_outside(pop, pop.outside(), year, params, back, rules, draws)
    before.count(pop, ledger, "settled_elsewhere", "settled_elsewhere")
    before = Snapshot(pop)
    marry_out(pop, pop.outside(), params, draws)
    before.count(pop, ledger, "marriage", "marriage")


def _leave_register(pop: Population, persons: np.ndarray) -> None:
    p = pop.persons
    p.hk[persons] = OUTSIDE
    p.alive[persons] = False


def convert_villages(pop: Population, alive: np.ndarray, params: Registry, draws: YearDraws) -> np.ndarray:
    """Village-registered households (all their village-registered members, wherever they live)
    become town-registered in their county without moving. Returns the persons converted."""
    p, h = pop.persons, pop.households
    village = alive[(p.hk[alive] != OUTSIDE) & ~p.hk_urban[alive]]
    hh = p.hh[village].astype(np.intp)
    rows = np.flatnonzero(any_member(hh, h.n))
    chosen = np.zeros(h.n, bool)
    chosen[rows[draws.chance("convert_village", h.key[rows], params.conversion_rate)]] = True
    converted = village[chosen[hh]]
    p.hk_urban[converted] = True
    return converted
