"""The base-year residents of each county drawn from the census (`synthesis.py` orders the steps):
persons by sex and single-year age, the town part, family households by size and generations
filled by matching age slots (the rest in collective quarters), education by sex, jobs,
farming and insurance contributions.
"""
from __future__ import annotations

import numpy as np

from ..constants import (BASE_STUDENT_AGES, BASE_STUDENT_SHARE, CHILD_AGE_GAP_YEARS, COLLECTIVE_AGE_WEIGHTS,
                         HEAD_AGES, INSURANCE_YEARS_MEAN, OLDEST_YEARS_MEAN, PARENT_GAP_YEARS, SCHOOL_STAGE_AGES,
                         SIBLING_GAP_YEARS, SLOT_AGE_SD, SPOUSE_GAP_YEARS, TOWN_RETIREMENT_AGE, VILLAGE_RETIREMENT_AGE,
                         WORKING_AGE)
from .census import AGE_LOWER, AGE_UPPER, CensusYear
from .columns import Edu, Insured, Job, Population


def round_preserving(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Integer counts whose sum is round(x.sum()), each within 1 of x (randomised largest remainder)."""
    base = np.floor(x).astype(np.int64)
    short = int(round(x.sum())) - base.sum()
    if short > 0:
        rem = x - base + rng.random(x.shape) * 1e-9
        base[np.argsort(-rem, kind="stable")[:short]] += 1
    return base


def _ages_in_groups(counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Single-year ages for counts per census age group: uniform within a group, 85+ tapering."""
    group = np.repeat(np.arange(len(counts)), counts)
    lo, hi = AGE_LOWER[group], AGE_UPPER[group]
    age = lo + np.floor(rng.random(len(group)) * (hi - lo + 1)).astype(np.int16)
    old = group == len(AGE_LOWER) - 1
    age[old] = AGE_LOWER[-1] + np.minimum(rng.exponential(OLDEST_YEARS_MEAN, old.sum()).astype(np.int16), 19)
    return age


def add_residents(pop: Population, c: int, census: CensusYear, n: int, rng, s: float,
                   flexible_share: float) -> None:
    cells = round_preserving(census.age_sex[c].ravel() * s, rng)
    cells[np.argmax(cells)] += n - cells.sum()
    sexes = np.repeat([0, 1], len(AGE_LOWER))
    female = np.repeat(sexes, cells).astype(bool)
    age = np.concatenate([_ages_in_groups(cells[:19], rng), _ages_in_groups(cells[19:], rng)])
    n = len(age)
    p = pop.persons
    idx = p.add(n)
    p.alive[idx] = True
    p.age[idx], p.female[idx] = age, female
    p.res[idx] = c
    pop.residence_changed()
    p.hk[idx] = c
    p.origin[idx] = c
    # Urban part: the census gives no age x urban table per county, so the town share
    # is drawn at household level below and is age-neutral (assumption).
    n_urban = int(round(census.urban[c] / census.residents[c] * n))
    hh_persons = int(round(census.household_persons[c] / census.residents[c] * n))
    urban = np.zeros(n, bool)
    urban[rng.permutation(n)[:n_urban]] = True
    for is_urban in (True, False):
        members = idx[urban == is_urban]
        share = len(members) / n
        _build_households(pop, c, is_urban, members, int(round(hh_persons * share)),
                          census, share * s, rng)
    education(pop, idx, census.education[c], rng)
    _employment(pop, idx, census.farm_share[c], census.employed_per_adult[c], flexible_share, rng)


def _household_sizes(census: CensusYear, c: int, share: float, persons: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Sizes and generation counts of family households: census counts of one-person,
    one/two/three/four-generation households; persons beyond the minimal sizes are spread
    over the multi-generation households at random."""
    gens = round_preserving(census.generations[c] * share, rng)
    one = min(int(round(census.one_person[c] * share)), gens[0])
    gen = np.repeat(np.arange(1, 5), gens)
    size = np.select([gen == 1, gen == 2, gen == 3], [2, 2, 3], 4)
    size[:one] = 1
    extra = persons - size.sum()
    if extra > 0:
        # Couples living alone are one-generation; extra members go to parent-child households.
        eligible = np.flatnonzero(gen >= 2)
        if len(eligible) == 0:
            eligible = np.flatnonzero(size >= 2)
        if len(eligible):
            size += np.bincount(rng.choice(eligible, extra), minlength=len(size)).astype(size.dtype)
    elif extra < 0:
        # Fewer persons than minimal slots (tiny samples): drop the last households.
        keep = np.cumsum(size) <= persons
        size, gen = size[keep], gen[keep]
    return size, gen


def _build_households(pop: Population, c: int, urban: bool, members: np.ndarray, hh_persons: int,
                      census: CensusYear, share: float, rng) -> None:
    """Group persons into family households by matching them to age slots, and put the rest
    (collective quarters: dormitories, institutions) in one-person collective households."""
    p, h = pop.persons, pop.households
    size, gen = _household_sizes(census, c, share, min(hh_persons, len(members)), rng)
    n_slots = int(size.sum())
    # Collective quarters house mostly young adults (students, workers): pick them by age.
    ages = p.age[members]
    young, old, other = COLLECTIVE_AGE_WEIGHTS
    w = np.where((ages >= 16) & (ages <= 30), young, np.where(ages >= 80, old, other))
    # A weighted random order (successive sampling without replacement, as rng.choice(..., replace=False,
    # p=w / w.sum()) but in one sort): exponential keys divided by the weights (Efraimidis & Spirakis 2006).
    order = np.argsort(rng.exponential(size=len(members)) / w)
    coll, fam = members[order[: len(members) - n_slots]], members[order[len(members) - n_slots:]]
    hh_idx = h.add(len(size))
    h.alive[hh_idx], h.county[hh_idx], h.urban[hh_idx] = True, c, urban
    slot_hh = np.repeat(hh_idx, size)
    pos = np.arange(n_slots) - np.repeat(np.cumsum(size) - size, size)
    sz, g = np.repeat(size, size), np.repeat(gen, size)
    k = len(size)
    one, *by_generations, four = [rng.normal(mean, sd, k) for mean, sd in HEAD_AGES.values()]
    head = np.select([size == 1, gen == 1, gen == 2, gen == 3], [one, *by_generations], four)
    head = np.repeat(head, size)
    # Slot roles: 0 head, 1 spouse, then children; 3+ generations add grandparents first.
    child_rank = pos - 2 - (g >= 3) * 2
    target = np.select(
        [pos == 0, (pos == 1) & ((g == 1) | (sz >= 3)), (g >= 3) & (pos <= 3)],
        [head, head - SPOUSE_GAP_YEARS, head + PARENT_GAP_YEARS],
        head - CHILD_AGE_GAP_YEARS - SIBLING_GAP_YEARS * np.maximum(child_rank, 0))
    target = np.clip(target + rng.normal(0, SLOT_AGE_SD, n_slots), 0, 100)
    slots = np.argsort(target, kind="stable")
    persons = fam[np.argsort(p.age[fam] + rng.random(len(fam)))]     # continuous keys: no ties to keep in order
    p.hh[persons] = slot_hh[slots]
    p.res_urban[members] = urban
    if len(coll):
        cidx = h.add(len(coll))
        h.alive[cidx], h.county[cidx], h.urban[cidx], h.collective[cidx] = True, c, urban, True
        p.hh[coll] = cidx


def education(pop: Population, idx: np.ndarray, counts: np.ndarray, rng) -> None:
    """Highest level by sex: children by their age, adults by census counts, younger adults
    more educated (rank by age with noise, as cohorts' schooling rose over time)."""
    p = pop.persons
    age = p.age[idx]
    primary, junior, senior = SCHOOL_STAGE_AGES
    level = np.select([age < primary, age < junior, age < senior, age < BASE_STUDENT_AGES[0]],
                      [Edu.none, Edu.primary, Edu.junior, Edu.senior], 255).astype(np.uint8)
    p.edu[idx] = np.minimum(level, Edu.senior)
    for sex in (0, 1):
        adults = idx[(level == 255) & (p.female[idx] == bool(sex))]
        kids = idx[(level < 255) & (p.female[idx] == bool(sex)) & (age >= primary)]
        left = counts[sex].copy()
        left -= np.bincount(p.edu[kids], minlength=len(Edu))[:len(Edu)] * pop.weight   # census counts are real persons
        left = np.clip(left, 0, None)
        n = round_preserving(left / left.sum() * len(adults), rng) if left.sum() else np.zeros(len(Edu), int)
        n[0] += len(adults) - n.sum()
        score = p.age[adults] + rng.normal(0, 12, len(adults))
        order = adults[np.argsort(score)]      # youngest first -> highest level
        p.edu[order] = np.repeat(np.arange(Edu.bachelor, -1, -1), n[::-1]).astype(np.uint8)


def _employment(pop: Population, idx: np.ndarray, farm_share: float, employed: float, flexible_share: float,
                rng) -> None:
    p = pop.persons
    age = p.age[idx]
    job = np.full(len(idx), Job.none, np.uint8)
    job[age < WORKING_AGE] = Job.child
    job[(age >= TOWN_RETIREMENT_AGE) & p.res_urban[idx]] = Job.retired
    job[age >= VILLAGE_RETIREMENT_AGE] = Job.retired
    first, last = BASE_STUDENT_AGES
    students = ((age >= first) & (age <= last) & (p.edu[idx] >= Edu.college)
                & (rng.random(len(idx)) < BASE_STUDENT_SHARE))
    job[students] = Job.student
    p.study_left[idx[students]] = (last + 1 - age[students]).astype(np.int8)
    working_age = (age >= WORKING_AGE) & (job == Job.none) & ~students
    works = working_age & (rng.random(len(idx)) < employed)
    # Farming belongs to village residents: fill the county's farm jobs from the rural employed.
    rural = ~p.res_urban[idx]
    n_farm = int(round(farm_share * works.sum()))
    cand = np.flatnonzero(works & rural)
    farm = rng.permutation(cand)[:n_farm]
    job[works] = Job.employee
    job[farm] = Job.farming
    job[(job == Job.employee) & (rng.random(len(idx)) < flexible_share)] = Job.flexible
    p.job[idx] = job
    ins = job == Job.employee
    p.ins_years[idx[ins]] = np.minimum(rng.exponential(INSURANCE_YEARS_MEAN, ins.sum()),
                                       age[ins] - WORKING_AGE).astype(np.float32)
    p.ins_schemes[idx[ins]] = Insured.both
