"""Hukou registration: residence permits (clause 八), settlement by pathway (二, 四-七),
urban-to-rural moves (四), awareness of pathways (十二).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..decisions import settlement as rule
from ..decisions.logit import accept
from ..draws import YearDraws
from ..parameters import Settling
from ..places import OUTSIDE
from ..policies.levers import UrbanToRural
from ..policies.rules import Rules
from ..constants import GRADUATE_YEARS, SCHOOL_AGES, SCHOOL_HUKOU_YEARS
from .columns import (Edu, Heads, HukouKind, Job, Pathway, Population, Tenure, any_member, is_job,
                      members_of, select)

ALL_PATHWAYS = np.uint8((1 << len(Pathway)) - 1)
MONTHS_A_YEAR = 12


def town_status(pop: Population, idx: np.ndarray) -> np.ndarray:
    """True where a person holds town hukou of the county it lives in."""
    p = pop.persons
    return (p.hk[idx] == p.res[idx]) & p.hk_urban[idx]


def in_town_unregistered(pop: Population, residents: np.ndarray) -> np.ndarray:
    """Town residents of Tieling (among `residents`) without town hukou of their town."""
    p = pop.persons
    return select(residents, p.res_urban[residents] & ~town_status(pop, residents))


def spread_awareness(pop: Population, alive: np.ndarray, reach: float, word_of_mouth: float,
                     draws: YearDraws) -> None:
    """Each pathway reaches a share of people each year through publicity; household members
    tell each other (clause 十二)."""
    p = pop.persons
    knows = p.knows[alive]
    learning = np.flatnonzero(knows != ALL_PATHWAYS)      # only people who still miss a pathway draw
    if len(learning) == 0:
        return
    hh = p.hh[alive]
    # Pathways some member knew at the start of the year: all of them where a member knows all
    # (a plain scatter), else what the learners know (ufunc.at, the slower scatter, over them only).
    household = np.zeros(pop.households.n, np.uint8)
    household[select(hh, knows == ALL_PATHWAYS)] = ALL_PATHWAYS
    hh_learning = hh[learning]
    np.bitwise_or.at(household, hh_learning, knows[learning])
    heard = np.take(household, hh_learning)         # np.take: int32 household rows
    mine = knows[learning]
    told = np.float32(1 - (1 - reach) * (1 - word_of_mouth))    # reached by publicity or told at home
    keys = p.key[alive[learning]]
    for bit in range(len(Pathway)):
        flag = np.uint8(1 << bit)
        missing = np.flatnonzero((mine & flag) == 0)
        chance = np.where((heard[missing] & flag) != 0, told, np.float32(reach))
        mine[missing[draws.chance(f"awareness.{bit}", keys[missing], chance, np.float32)]] |= flag
    p.knows[alive[learning]] = mine


def months_in_town(town_years: np.ndarray) -> np.ndarray:
    """Months lived in the town at the end of the year: people arrive through the year, so a
    newcomer (0 full years) has lived there about half a year."""
    return town_years * MONTHS_A_YEAR + MONTHS_A_YEAR // 2


def issue_permits(pop: Population, residents: np.ndarray, rules: Rules, params: Settling,
                  draws: YearDraws) -> np.ndarray:
    """Town residents without local town hukou apply for a residence permit once they have lived
    there `permit_min_months`; the chance rises with the services the permit opens."""
    p = pop.persons
    cand = in_town_unregistered(pop, residents)
    cand = cand[~p.permit[cand] & (months_in_town(p.town_years[cand]) >= rules.residence_permit.min_residence_months)]
    new = cand[draws.chance("permit", p.key[cand], params.permit_uptake * rules.permit_access)]
    p.permit[new] = True
    return new


def service_access(pop: Population, idx: np.ndarray, rules: Rules, unregistered: float) -> np.ndarray:
    """Access to town public services with each person's status: 1 with local town hukou,
    the permit's access with a permit, `unregistered` otherwise."""
    p = pop.persons
    return np.where(town_status(pop, idx), 1.0, np.where(p.permit[idx], rules.permit_access, unregistered))


@dataclass
class Settled:
    persons: np.ndarray
    pathway: np.ndarray
    county: np.ndarray
    kind: np.ndarray      # agent_kind before settling
    from_outside: np.ndarray | None = None   # registered outside Tieling before settling


@dataclass
class SettleChoices:
    """Town residents without local town hukou who are eligible by a pathway they know: the
    pathway they would use, their county, the utility of settling and whether they do."""
    persons: np.ndarray
    pathway: np.ndarray
    county: np.ndarray
    rural_tieling: np.ndarray   # holds a village hukou of Tieling (may lose the land by settling)
    utility: np.ndarray
    yes: np.ndarray


def settle(pop: Population, residents: np.ndarray, year: int, rules: Rules, params: Settling,
           congestion: np.ndarray, unregistered: float, draws: YearDraws, heads: Heads | None = None) -> Settled:
    """Eligible town residents who know a pathway weigh settling and may register in their town."""
    p, h = pop.persons, pop.households
    c = settle_choices(pop, residents, year, rules, params, congestion, unregistered, draws, heads)
    yes = c.yes
    cand, pathway, county = c.persons[yes], c.pathway[yes], c.county[yes]
    kind = agent_kind(pop, cand, year)
    from_outside = p.hk[cand] == OUTSIDE
    p.hk[cand], p.hk_urban[cand], p.settled_year[cand] = county, True, year
    p.hk_kind[cand] = np.where((pathway == Pathway.graduate) & (h.tenure[p.hh[cand]] != Tenure.owned),
                               HukouKind.talent, HukouKind.family)
    p.permit[cand] = False
    if not rules.rural_rights.kept_after_settling:
        h.land[p.hh[cand][c.rural_tieling[yes]]] = False
    return Settled(cand, pathway, county, kind, from_outside)


def _town_candidates(pop: Population, residents: np.ndarray, year: int, heads: Heads | None = None):
    """Town residents without town hukou where they live, with what the pathways ask of them:
    (persons, their households, the households of all town residents, the town residents' ages,
    `settlement.Candidates`). `heads`: the households' heads if known (found otherwise)."""
    p, h = pop.persons, pop.households
    town = select(residents, p.res_urban[residents])
    status = town_status(pop, town)
    hh_res, age = p.hh[town], p.age[town]
    at = np.flatnonzero(~status)   # in_town_unregistered
    if heads is None:
        heads = Heads.find(town, age, hh_res, h.n)
    cand, hh = town[at], hh_res[at]
    relative = any_member(hh_res, h.n, status)          # a member holds town hukou where they live
    since = np.where(p.grad_year[cand] > 0, year - p.grad_year[cand], rule.NEVER_GRADUATED)
    c = rule.Candidates(
        age=p.age[cand], edu=p.edu[cand], years_since_graduation=since, non_regular=p.non_regular[cand],
        job=p.job[cand], role=heads.roles(cand, age[at], hh), tenure=h.tenure[hh], floor_m2=h.floor_m2[hh],
        ins_years=p.ins_years[cand], ins_schemes=p.ins_schemes[cand], town_years=p.town_years[cand],
        relative_has_town_hukou=relative[hh])
    return cand, hh, hh_res, age, c


def settle_choices(pop: Population, residents: np.ndarray, year: int, rules: Rules, params: Settling,
                   congestion: np.ndarray, unregistered: float, draws: YearDraws,
                   heads: Heads | None = None) -> SettleChoices:
    """The decision to settle, without acting on it: eligibility by pathway, the first pathway
    known, the utility of settling and one draw per household. `residents`:
    `Population.residents()`. A household's members all live in one place, so the members of
    the candidates' households are all town residents; the rest is not looked at. `heads`:
    the households' heads if known (found among the town residents otherwise)."""
    p, h = pop.persons, pop.households
    cand, hh, hh_res, age, c = _town_candidates(pop, residents, year, heads)
    # A pathway the person declined at the start (`mark_declined`) is not reconsidered.
    pathway = rule.first_known(rule.eligible(c, rules), p.knows[cand] & ~p.declined[cand])
    ok = np.flatnonzero(pathway >= 0)
    cand, pathway, hh = cand[ok], pathway[ok], hh[ok]
    county = p.res[cand]
    now = service_access(pop, cand, rules, unregistered)
    gain = (1.0 - now) * (1.0 - congestion[county])
    school_child = any_member(hh_res, h.n, (age >= SCHOOL_AGES[0]) & (age <= SCHOOL_AGES[1]))[hh]
    rural_tieling = (p.hk[cand] != OUTSIDE) & ~p.hk_urban[cand]
    # Giving up land: a village hukou of Tieling under the rules of clause 九; one elsewhere by the
    # home's rules, outside this policy (`outside_land_share`).
    land_here = h.land[hh] & rural_tieling & (not rules.rural_rights.kept_after_settling)
    loses_land = land_here + params.outside_land_share * ((p.hk[cand] == OUTSIDE) & ~p.hk_urban[cand])
    u = rule.utility(gain, school_child, loses_land, params)
    # One draw per household: families tend to decide together.
    draw = draws.uniform("settle", h.key[hh])   # keyed by the household's id
    return SettleChoices(cand, pathway, county, rural_tieling, u, accept(u, draw))


def mark_declined(pop: Population, residents: np.ndarray, year: int, rules: Rules) -> int:
    """The census counts town residents who could have settled under the rules of its year, knew
    how, and had not: they had chosen not to. Their pathways are marked declined and stay closed
    to them until settling stops costing their land (`reopen_declined`) or they move town
    (`moves.relocate`); without this the synthetic population holds a backlog that the yearly
    choice drains in the first simulated years (docs/model.md §7.9).
    Returns the number of persons (rows) marked."""
    p = pop.persons
    cand, _, _, _, c = _town_candidates(pop, residents, year)
    bits = rule.eligible_bits(rule.eligible(c, rules)) & p.knows[cand]
    p.declined[cand] = bits
    return int((bits > 0).sum())


def urban_to_rural(pop: Population, residents: np.ndarray, rules: Rules, params: Settling,
                   draws: YearDraws) -> np.ndarray:
    """Town-registered people living in a village of their county who move hukou there: open,
    only to join a village-registered household member (三投靠), or closed."""
    p = pop.persons
    hk, hk_urban = p.hk[residents], p.hk_urban[residents]
    m = (p.res[residents] == hk) & ~p.res_urban[residents] & hk_urban
    cand = residents[m]
    cand = cand[draws.chance("urban_to_rural", p.key[cand], params.urban_to_rural_wish)]
    if rules.urban_to_rural_moves == UrbanToRural.closed:
        return cand[:0]
    if rules.urban_to_rural_moves == UrbanToRural.three_dependents_only:
        # A village-registered member of Tieling, looked for in the candidates' households only.
        hh = p.hh[residents]
        members = members_of(p.hh[cand], hh, pop.households.n)
        rural = (hk[members] != OUTSIDE) & ~hk_urban[members]
        cand = cand[any_member(hh[members], pop.households.n, rural)[p.hh[cand]]]
    p.hk_urban[cand] = False
    return cand


def expire_school_hukou(pop: Population, alive: np.ndarray, year: int) -> None:
    """A school collective hukou not moved on within two years of graduation goes home."""
    p = pop.persons
    idx = alive[p.hk_kind[alive] == HukouKind.school]
    idx = idx[(p.grad_year[idx] > 0) & (year - p.grad_year[idx] >= SCHOOL_HUKOU_YEARS)]
    p.hk[idx], p.hk_urban[idx], p.hk_kind[idx] = p.origin[idx], False, HukouKind.family


def agent_kind(pop: Population, idx: np.ndarray, year: int) -> np.ndarray:
    """0 migrant worker (rural or outside hukou, working), 1 graduate (college, graduated within
    5 years), 2 household member (everyone else)."""
    p = pop.persons
    grad_year = p.grad_year[idx]
    graduate = (grad_year > 0) & (grad_year >= year - GRADUATE_YEARS) & (p.edu[idx] >= Edu.college)
    migrant = ((p.hk[idx] == OUTSIDE) | ~p.hk_urban[idx]) & is_job(p.job[idx], Job.employee, Job.flexible, Job.outside)
    kind = np.full(len(idx), 2, np.int8)
    kind[migrant] = 0
    kind[graduate] = 1
    return kind


# The levers that decide who may use each pathway (decisions/settlement.py).
PATHWAY_RULES: dict[Pathway, tuple[str, ...]] = {
    Pathway.graduate: ("graduates.settlement", "graduates.include_non_regular_degrees",
                       "graduates.collective_registration"),
    Pathway.purchase: ("purchase.enabled", "purchase.dependents", "purchase.min_floor_area_m2"),
    Pathway.insurance: ("insurance.enabled", "insurance.schemes", "insurance.min_contribution_years"),
    Pathway.residence_years: ("settlement.residence_years_required",),
    Pathway.three_dependents: ("settlement.three_dependents",),
    Pathway.student: ("students.hukou_mobility",),
}


def _as_rule(value):
    """A lever's value for comparison: a list of options is a set (its order says nothing)."""
    return frozenset(value) if isinstance(value, list) else value


def changed_pathways(before: Rules, now: Rules) -> list[Pathway]:
    """Pathways whose rules differ between two years."""
    return [k for k, paths in PATHWAY_RULES.items()
            if any(_as_rule(before.at(f)) != _as_rule(now.at(f)) for f in paths)]


def forget(pop: Population, alive: np.ndarray, pathways: list[Pathway]) -> None:
    """Nobody knows the new rules of `pathways` yet: their bits of `knows` are cleared."""
    mask = np.uint8(int(ALL_PATHWAYS) & ~sum(1 << int(k) for k in pathways))
    p = pop.persons
    p.knows[alive] &= mask


def reopen_declined(pop: Population, alive: np.ndarray, before: Rules, now: Rules) -> None:
    """Declined pathways are weighed anew when what settling costs changes: when it stops costing
    the land contract (clause 九), for holders of a village hukou of Tieling. A rule that only
    makes a pathway easier changes nothing for someone who was already eligible by it."""
    if now.rural_rights.kept_after_settling and not before.rural_rights.kept_after_settling:
        p = pop.persons
        rural = select(alive, (p.hk[alive] != OUTSIDE) & ~p.hk_urban[alive])
        p.declined[rural] = 0


def seed_awareness(pop: Population, alive: np.ndarray, share: float, draws: YearDraws) -> None:
    """At the base year each person knows each pathway with chance `share` (one bit of `knows` each)."""
    p = pop.persons
    knows = np.zeros(len(alive), np.uint8)
    keys = p.key[alive]
    for bit in range(len(Pathway)):
        knows |= draws.chance(f"initial_awareness.{bit}", keys, share, np.float32).astype(np.uint8) << bit
    p.knows[alive] = knows


def announce(pop: Population, alive: np.ndarray, before: Rules, now: Rules, announced: set[Pathway]) -> None:
    """News of a pathway's new rules (clause 十二): in the first year a pathway's rules differ
    from the year before (`before`: the rules known then), nobody knows them yet; publicity and
    word of mouth spread them (docs/model.md §7.8). Each pathway is announced once: `announced`
    gains those announced now."""
    reopen_declined(pop, alive, before, now)
    changed = [k for k in changed_pathways(before, now) if k not in announced]
    if changed:
        forget(pop, alive, changed)
        announced.update(changed)
