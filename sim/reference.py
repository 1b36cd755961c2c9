"""The household decisions written once more, one household at a time, as plain Mesa agents.

This is the readable specification of what the vectorised engine decides each year, for
Mesa users: a `HouseholdAgent` per household holds its members as plain records and,
when stepped (`ReferenceModel.step` runs `self.agents.shuffle_do("decide")`), decides

1. who leaves Tieling (the hazard of `decisions/outside.py`: age profile, college,
   village, the outside's pull; a leaver may take the whole household along);
2. where to live within Tieling (the logit of `decisions/migration.py`): the head of a
   family household for the whole household, a village youth for himself or herself,
   among staying, the own county's town, the central districts and another county town;
3. who settles (落户) by which pathway (`decisions/settlement.py`): eligibility by the
   rules in force, the first eligible pathway the person knows, and a binary logit on
   the services town hukou adds, school-age children and rural land at stake; members
   of a household share one draw.

It is built from the engine's own state (`ReferenceModel(engine)`) and decides on it
without acting on it, just as `engine_decisions(engine)` does with the engine's
vectorised code; the two are compared in tests/test_reference.py and timed against each
other by `urbsim bench` (docs/design.md §2: why the population is numpy columns). It is not
used by the model. Draws use Mesa's own per-model generator `self.random`, seeded from
the seed given.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import mesa
import numpy as np

from .constants import (CHILD_GAP_YEARS, HEAD_AGE_BELOW, HEAD_DECIDER_AGES, MAX_YEARLY_CHANCE, MOVE_AGE_FROM,
                        MOVE_FLOOR, SCHOOL_AGES, SPOUSE_MAX_GAP_YEARS, YOUTH_DECIDER_AGES)
from .decisions import centre
from .decisions import migration as mig
from .decisions.settlement import CONDITIONAL_MAX_AGE, FRESH_GRADUATE_YEARS, NEVER_GRADUATED, SCHEME_BITS
from .model import UrbanizationModel
from .places import CENTRAL, N_COUNTIES, OUTSIDE
from .policies.levers import Dependent, GraduateSettlement
from .population import moves, moves_within, registration
from .population.columns import Edu, Job, Pathway, Tenure
from .scenario import Scenario, with_overrides

HEAD, SPOUSE, CHILD, PARENT, OTHER = range(5)
HOUSEHOLDS_PER_SCALE = 1.5e6   # households with living members at scale 1.0, base year 2020 (measured)
N_PATHWAYS = len(Pathway)


@dataclass
class Person:
    """One member of a household, copied from the population columns."""
    row: int
    age: int
    edu: int
    job: int
    res: int
    res_urban: bool
    hk: int
    hk_urban: bool
    permit: bool
    knows: int
    declined: int
    grad_year: int
    non_regular: bool
    ins_years: float
    ins_schemes: int
    town_years: int

    @property
    def town_hukou_here(self) -> bool:
        return self.hk == self.res and self.hk_urban


@dataclass
class Decisions:
    """One year's household decisions, counted (persons, or deciders for the place choice)."""
    residents: int = 0
    leavers: int = 0
    family_leavers: int = 0          # leavers who take their whole household along
    heads: int = 0                   # heads reconsidering where their household lives
    head_choice: np.ndarray = field(default_factory=lambda: np.zeros(mig.N_ALTERNATIVES, int))
    youths: int = 0
    youth_choice: np.ndarray = field(default_factory=lambda: np.zeros(mig.N_ALTERNATIVES, int))
    candidates: np.ndarray = field(default_factory=lambda: np.zeros(N_PATHWAYS, int))  # eligible, knowing
    settlers: np.ndarray = field(default_factory=lambda: np.zeros(N_PATHWAYS, int))

    def __add__(self, other: "Decisions") -> "Decisions":
        return Decisions(*(a + b for a, b in zip(self.astuple(), other.astuple())))

    def astuple(self) -> tuple:
        return (self.residents, self.leavers, self.family_leavers, self.heads, self.head_choice, self.youths,
                self.youth_choice, self.candidates, self.settlers)


@dataclass
class Context:
    """What a household sees of the world this year: wages, congestion, rules, parameters."""
    year: int
    wages: list[float]               # per county, index OUTSIDE: outside wage
    congestion: list[float]          # per county
    pull: list[float]                # outside's pull per county of residence
    rules: object                    # sim.policies.rules.Rules
    behaviour: object                # sim.parameters.Behaviour


class HouseholdAgent(mesa.Agent):
    """A household and its members, deciding as the engine's rules say (one at a time)."""

    def __init__(self, model: "ReferenceModel", members: list[Person], collective: bool, land: bool,
                 tenure: int, floor_m2: float, income: float):
        super().__init__(model)
        self.members = members
        self.collective = collective
        self.land = land
        self.tenure = tenure
        self.floor_m2 = floor_m2
        self.income = income

    # --- the step -----------------------------------------------------------

    def decide(self) -> None:
        d, ctx, rnd = self.model.decisions, self.model.context, self.random
        roles = self.roles()
        # 1. Leaving Tieling.
        for person in self.members:
            if person.res == OUTSIDE:
                continue
            d.residents += 1
            if rnd.random() < self.leave_chance(person):
                d.leavers += 1
                if rnd.random() < ctx.behaviour.outside.family_share and not self.collective:
                    d.family_leavers += 1
        # 2. Where to live within Tieling.
        rate = ctx.behaviour.migration.reconsider_rate
        for person, role in zip(self.members, roles):
            whole = self.is_head_decider(person, role)
            if not (whole or self.is_youth_decider(person, role)) or rnd.random() >= rate:
                continue
            pick = self.logit_choice(self.place_utilities(person, whole))
            if whole:
                d.heads += 1
                d.head_choice[pick] += 1
            else:
                d.youths += 1
                d.youth_choice[pick] += 1
        # 3. Settling: the household shares one draw.
        draw = rnd.random()
        for person, role in zip(self.members, roles):
            pathway = self.settle_pathway(person, role)
            if pathway < 0:
                continue
            d.candidates[pathway] += 1
            if draw < 1.0 / (1.0 + math.exp(-self.settle_utility(person))):
                d.settlers[pathway] += 1

    # --- roles ----------------------------------------------------------------

    def roles(self) -> list[int]:
        """Head: the oldest member under 60 (or the oldest), the first one on ties; then spouse
        (within 10 years of the head), child (15+ years younger), parent (15+ years older), other."""
        keys = [p.age + 1000 if p.age < HEAD_AGE_BELOW else p.age for p in self.members]
        head = keys.index(max(keys))
        head_age = self.members[head].age
        roles = []
        for i, p in enumerate(self.members):
            gap = p.age - head_age
            if i == head:
                roles.append(HEAD)
            elif abs(gap) <= SPOUSE_MAX_GAP_YEARS:
                roles.append(SPOUSE)
            elif gap <= -CHILD_GAP_YEARS:
                roles.append(CHILD)
            elif gap >= CHILD_GAP_YEARS:
                roles.append(PARENT)
            else:
                roles.append(OTHER)
        return roles

    # --- 1. leaving -------------------------------------------------------------

    def leave_chance(self, p: Person) -> float:
        ctx = self.model.context
        o = ctx.behaviour.outside
        if p.job == Job.student:
            return 0.0
        profile = MOVE_FLOOR + math.exp(-(((p.age - o.peak_age) / o.age_spread) ** 2)) if p.age >= MOVE_AGE_FROM else 0.0
        chance = o.out_rate_peak * profile
        if p.edu >= Edu.college:
            chance *= o.college_multiplier
        if not p.res_urban:
            chance *= o.rural_multiplier
        return min(max(chance * ctx.pull[p.res], 0.0), MAX_YEARLY_CHANCE)

    # --- 2. where to live -----------------------------------------------------------

    def is_head_decider(self, p: Person, role: int) -> bool:
        first, last = HEAD_DECIDER_AGES
        return role == HEAD and p.res != OUTSIDE and not self.collective and first <= p.age <= last

    def is_youth_decider(self, p: Person, role: int) -> bool:
        first, last = YOUTH_DECIDER_AGES
        return role == CHILD and p.res != OUTSIDE and not self.collective and first <= p.age <= last and not p.res_urban

    def place_utilities(self, p: Person, whole: bool) -> list[float]:
        """Utility of staying, the own county's town, the central districts, another county town."""
        ctx = self.model.context
        b, wages, cong = ctx.behaviour, ctx.wages, ctx.congestion
        m = b.migration
        c = p.res
        rest = [i for i in range(N_COUNTIES) if i not in CENTRAL]
        central = sum(wages[i] for i in CENTRAL) / len(CENTRAL)
        if c in rest:
            other = (sum(wages[i] for i in rest) - wages[c]) / (len(rest) - 1)
        else:
            other = sum(wages[i] for i in rest) / len(rest)
        if whole:
            income_now = max(self.income, 1.0)
            workers = sum(1 for q in self.members if q.job in (Job.employee, Job.flexible, Job.farming))
            workers = max(workers, 1)
        else:
            income_now = max(b.work.farm_income if p.job == Job.farming else wages[c], 1.0)
            workers = 1
        income = [income_now, workers * wages[c], workers * central, workers * other]
        # Rent there; staying costs rent only to a town household that rents now.
        rent = [b.housing.rent_share_of_income * w for w in (wages[c], wages[c], central, other)]
        if not (p.res_urban and self.tenure == Tenure.rented):
            rent[0] = 0.0
        permit = ctx.rules.permit_access
        access_here = 1.0 if (p.hk == c and p.hk_urban) else permit
        services = [access_here if p.res_urban else b.services.village_access, access_here, permit, permit]
        congestion = [cong[c], cong[c], sum(cong[i] for i in CENTRAL) / len(CENTRAL), sum(cong) / len(cong)]
        farther = [0.0, 0.0, 0.0 if c in CENTRAL else 1.0, 1.0]
        farm_share = min(b.work.farm_income / income_now, 1.0) if (self.land and not p.res_urban) else 0.0
        land_left = [0.0, farm_share, farm_share, farm_share]
        utilities = []
        for j in range(mig.N_ALTERNATIVES):
            u = (m.beta_income * math.log(max(income[j], 1.0) / max(income[0], 1.0))
                 - m.beta_housing * min(rent[j] / max(income[j], 1.0), mig.MAX_RENT_SHARE)
                 + m.beta_services * services[j]
                 - m.beta_congestion * congestion[j]
                 - m.nearby_preference * farther[j]
                 - m.beta_land * land_left[j])
            if j != mig.STAY:
                u -= m.moving_cost
            else:
                u += m.beta_family
            utilities.append(u)
        # The current place is not a move.
        if p.res_urban:
            utilities[mig.OWN_TOWN] = -math.inf
            if centre.membership(m.new_district_pull)[c] >= 1.0:     # already living in the centre
                utilities[mig.CENTRAL] = -math.inf
        return utilities

    def logit_choice(self, utilities: list[float]) -> int:
        """Multinomial logit: alternative j with probability exp(u_j) / sum_k exp(u_k)."""
        top = max(utilities)
        weights = [math.exp(u - top) for u in utilities]
        x = self.random.random() * sum(weights)
        for j, w in enumerate(weights):
            x -= w
            if x < 0:
                return j
        return len(weights) - 1

    # --- 3. settling ---------------------------------------------------------------

    def settle_pathway(self, p: Person, role: int) -> int:
        """The first pathway (in Pathway order) the person is eligible by and knows of, or -1.
        Only town residents without town hukou of their town can settle."""
        if p.res == OUTSIDE or not p.res_urban or p.town_hukou_here:
            return -1
        for k in range(N_PATHWAYS):
            if p.knows >> k & 1 and not p.declined >> k & 1 and self.eligible(p, role, k):
                return k
        return -1

    def eligible(self, p: Person, role: int, pathway: int) -> bool:
        r = self.model.context.rules
        year = self.model.context.year
        owner = self.tenure == Tenure.owned
        since = year - p.grad_year if p.grad_year > 0 else NEVER_GRADUATED
        if pathway == Pathway.graduate:
            graduate = p.edu >= Edu.college and since < NEVER_GRADUATED and (r.graduates.include_non_regular_degrees or not p.non_regular)
            if r.graduates.settlement == GraduateSettlement.unrestricted:
                return graduate and (owner or self.tenure == Tenure.public_rental or r.graduates.collective_registration)
            if r.graduates.settlement == GraduateSettlement.conditional:
                return (graduate and p.job == Job.employee and p.age <= CONDITIONAL_MAX_AGE
                        and since <= FRESH_GRADUATE_YEARS and owner)
            return False
        if pathway == Pathway.purchase:
            allowed = {HEAD} | {{Dependent.spouse: SPOUSE, Dependent.children: CHILD,
                                 Dependent.parents: PARENT}[d] for d in r.purchase.dependents}
            return r.purchase.enabled and owner and self.floor_m2 >= r.purchase.min_floor_area_m2 and role in allowed
        if pathway == Pathway.insurance:
            if not (r.insurance.enabled and r.insurance.schemes):
                return False
            mask = sum(SCHEME_BITS[s] for s in r.insurance.schemes)
            return (p.job == Job.flexible and (p.ins_schemes & mask) > 0
                    and p.ins_years >= max(r.insurance.min_contribution_years, 1e-6))
        if pathway == Pathway.residence_years:
            return p.job in (Job.employee, Job.flexible) and p.town_years >= r.settlement.residence_years_required
        if pathway == Pathway.three_dependents:
            relative = any(q.town_hukou_here for q in self.members)
            return r.settlement.three_dependents and relative and role in (SPOUSE, CHILD, PARENT)
        return False          # the student pathway is taken at college entry, not here

    def settle_utility(self, p: Person) -> float:
        ctx = self.model.context
        s, r = ctx.behaviour.settling, ctx.rules
        now = r.permit_access if p.permit else ctx.behaviour.services.unregistered_access
        gain = (1.0 - now) * (1.0 - ctx.congestion[p.res])
        school_child = any(SCHOOL_AGES[0] <= q.age <= SCHOOL_AGES[1] for q in self.members)
        loses_land = self.land and p.hk != OUTSIDE and not p.hk_urban and not r.rural_rights.kept_after_settling
        loses_land += s.outside_land_share * (p.hk == OUTSIDE and not p.hk_urban)
        return s.asc + s.beta_services * gain + s.beta_children * school_child - s.beta_land_loss * loses_land


class ReferenceModel(mesa.Model):
    """Households of an engine's population as Mesa agents, deciding one at a time."""

    def __init__(self, engine: UrbanizationModel, seed: int = 0):
        super().__init__(rng=seed)
        self.context = Context(
            year=engine.year, wages=[float(w) for w in engine.wages],
            congestion=[float(g.congestion) for g in engine.counties],
            pull=[float(x) for x in engine._outside_pull()], rules=engine.rules, behaviour=engine.config.behaviour)
        self.decisions = Decisions()
        p, h = engine.pop.persons, engine.pop.households
        alive = engine.alive()
        cols = {name: getattr(p, name)[alive].tolist() for name in (
            "age", "edu", "job", "res", "res_urban", "hk", "hk_urban", "permit", "knows", "declined", "grad_year",
            "non_regular", "ins_years", "ins_schemes", "town_years")}
        members: dict[int, list[Person]] = {}
        for i, (row, hh) in enumerate(zip(alive.tolist(), p.hh[alive].tolist())):
            members.setdefault(hh, []).append(Person(row, **{k: v[i] for k, v in cols.items()}))
        for hh, people in members.items():
            HouseholdAgent(self, people, bool(h.collective[hh]), bool(h.land[hh]), int(h.tenure[hh]),
                           float(h.floor_m2[hh]), float(h.income[hh]))

    def step(self) -> None:
        self.decisions = Decisions()
        self.agents.shuffle_do("decide")


def engine_decisions(engine: UrbanizationModel) -> Decisions:
    """The household decision step of the vectorised engine on its current state, counted the
    way `ReferenceModel` counts: the very functions the yearly phases call, without their
    effects (the engine's own draws are used; its state does not change)."""
    b = engine.config.behaviour
    residents = engine.pop.residents()
    d = Decisions()
    res, chosen, family = moves.choose_leavers(engine.pop, residents, b.outside, engine._outside_pull(), engine.year_draws)
    d.residents, d.leavers, d.family_leavers = len(res), len(chosen), len(family)
    within = moves_within.deciders(engine.pop, residents, b.migration.reconsider_rate, engine.year_draws)
    setting = engine.within_setting()
    for deciders, whole in ((within.heads, True), (within.youths, False)):
        pick = (moves_within.choice(engine.pop, deciders, whole, residents, setting, engine.year_draws) if len(deciders)
                else np.empty(0, int))
        counts = np.bincount(pick, minlength=mig.N_ALTERNATIVES)
        if whole:
            d.heads, d.head_choice = len(deciders), counts
        else:
            d.youths, d.youth_choice = len(deciders), counts
    congestion = np.array([g.congestion for g in engine.counties])
    c = registration.settle_choices(engine.pop, residents, engine.year, engine.rules, b.settling, congestion,
                                    b.services.unregistered_access, engine.year_draws, within.household_heads)
    d.candidates = np.bincount(c.pathway, minlength=N_PATHWAYS)
    d.settlers = np.bincount(c.pathway[c.yes], minlength=N_PATHWAYS)
    return d


def timed_ratio(engine: UrbanizationModel, repeats: int = 3, seed: int = 0) -> dict:
    """Seconds per household decision step, vectorised engine vs reference, measured in this
    process on the same state (median of `repeats`; building the agents is not timed)."""
    ref = ReferenceModel(engine, seed)
    t_engine, t_ref = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        engine_decisions(engine)
        t_engine.append(time.perf_counter() - t)
        t = time.perf_counter()
        ref.step()
        t_ref.append(time.perf_counter() - t)
    e, r = float(np.median(t_engine)), float(np.median(t_ref))
    return {"households": len(ref.agents), "persons": int(len(engine.alive())), "engine_s": e, "reference_s": r,
            "ratio": r / e}


def reference_ratio(scenario: Scenario, households: int, repeats: int = 3) -> dict:
    """`timed_ratio` on the scenario's base-year population scaled to about `households` households."""
    scale = min(households / HOUSEHOLDS_PER_SCALE, 1.0)
    engine = UrbanizationModel(with_overrides(scenario, {"scale": scale}))
    return {"scale": scale, **timed_ratio(engine, repeats, seed=scenario.seed)}
