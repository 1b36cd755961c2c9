"""College entry, study and graduation, with the student hukou moves of clause 四.

Tieling's colleges (figures.csv: 7,729 admitted, 28,896 in school, 2022) take students from
Tieling and from outside it. They moved from the old city (银州区) to the new district in
Tieling County (data/README.md caveat) during the 2010s (`college_move_year`,
`college_move_years`); students are census residents where they study, and those from
outside Tieling are registered elsewhere there. Graduates registered outside Tieling who
do not stay leave the model, as other residents registered elsewhere do when they leave.

Rural students admitted to a college may move their hukou to the school's collective
household (`students.hukou_mobility`): under `free` they may later move it back home or
to the town where they work (then settling by the graduate pathway); under `one_way`
it goes back home after graduation; under `none` it never moves.
"""
from __future__ import annotations

import numpy as np

from ..constants import JUNIOR_COLLEGE_SHARE, COLLEGE_AGE, SCHOOL_STAGE_AGES
from ..draws import YearDraws
from ..parameters import Education
from ..places import NEW_DISTRICT, OUTSIDE, county_index
from ..policies.levers import HukouMobility
from ..policies.rules import Rules
from .columns import Edu, HukouKind, Job, Pathway, Population, Tenure
from .moves import new_households, relocate

# Where Tieling's colleges are: the new district in Tieling County took in the city's colleges
# (data/README.md); before the move, and the share not moved, are in the old city, 银州区.
COLLEGE_COUNTY = NEW_DISTRICT
OLD_CITY = county_index("211202")   # 银州区
STUDY_YEARS = (3, 4)           # junior college (专科) and bachelor programmes


def progress_school(pop: Population, alive: np.ndarray, params: Education, draws: YearDraws) -> None:
    """Schooling of children as they age (census levels, `SCHOOL_STAGE_AGES`): primary from 6, junior
    secondary from 12 (compulsory), senior secondary from 15 for `senior_school_rate` of a cohort."""
    p = pop.persons
    age, edu = p.age[alive], p.edu[alive]
    primary, junior, senior = SCHOOL_STAGE_AGES
    p.edu[alive[(age == primary) & (edu < Edu.primary)]] = Edu.primary
    p.edu[alive[(age == junior) & (edu < Edu.junior)]] = Edu.junior
    leavers = alive[(age == senior) & (edu < Edu.senior)]
    p.edu[leavers[draws.chance("senior_school", p.key[leavers], params.senior_school_rate)]] = Edu.senior


def host_share(params: Education, year: int) -> float:
    """Share of the colleges' students who study in the new district in `year`: rising linearly
    to `college_host_share` over `college_move_years` after `college_move_year`."""
    done = (year - params.college_move_year) / max(params.college_move_years, 1)
    return params.college_host_share * min(max(done, 0.0), 1.0)


def college_county(u: np.ndarray, params: Education, year: int) -> np.ndarray:
    """County of the college each student attends (one uniform `u` each): the new district or
    the old city."""
    return np.where(u < host_share(params, year), COLLEGE_COUNTY, OLD_CITY).astype(np.int8)


def student_arrivals(pop: Population, year: int, params: Education, draws: YearDraws) -> np.ndarray:
    """This year's intake from outside Tieling (`college_intake` x `college_outside_share`): 18-19
    year-olds who live at their college and keep their hukou at home (registered elsewhere).
    Returns their indices. Newcomers have no id before they come: their number is a keyed count,
    and the n-th newcomer of the year has a draw key from (seed, year, n) that keys its attributes."""
    p = pop.persons
    k = int(draws.poisson("student_arrivals", params.college_intake * params.college_outside_share / pop.weight)[0])
    if k == 0:
        return np.empty(0, np.int64)
    keys = draws.origin_keys("student_arrival", np.arange(k))
    county = college_county(draws.uniform("student_arrival.college", keys), params, year)
    age = COLLEGE_AGE + draws.integers("student_arrival.age", keys, 0, 2)
    female = draws.chance("student_arrival.female", keys, 0.5)
    study = draws.choice("student_arrival.study_years", keys, STUDY_YEARS)
    idx = p.add(k, keys)
    p.alive[idx], p.age[idx], p.female[idx] = True, age, female
    p.edu[idx], p.job[idx], p.study_left[idx] = Edu.senior, Job.student, study
    p.hk[idx], p.origin[idx], p.hk_kind[idx], p.hk_urban[idx] = OUTSIDE, OUTSIDE, HukouKind.family, False
    p.hh[idx] = -1
    new_households(pop, idx, county, np.ones(k, bool), Tenure.rented, draws, "student_arrival")
    pop.households.collective[p.hh[idx]] = True
    relocate(pop, idx, county, np.ones(k, bool))
    return idx


def enter_college(pop: Population, alive: np.ndarray, year: int, params: Education, rules: Rules,
                  draws: YearDraws) -> tuple[np.ndarray, np.ndarray]:
    """`COLLEGE_AGE`-year-olds with senior schooling enter college. Returns (entrants, student settlers:
    those whose hukou moves to a school collective household in a Tieling town)."""
    p = pop.persons
    cohort = alive[p.age[alive] == COLLEGE_AGE]
    cohort = cohort[(p.edu[cohort] >= Edu.senior) & (p.job[cohort] != Job.student)]
    # college_entry_rate is a share of the whole cohort; only senior-school leavers can enter
    entry = min(1.0, params.college_entry_rate / max(params.senior_school_rate, 1e-9))
    entrants = cohort[draws.chance("college_entry", p.key[cohort], entry)]
    k = len(entrants)
    keys = p.key[entrants]
    in_tieling = draws.chance("college_in_tieling", keys, params.college_in_tieling_share)
    p.study_left[entrants] = draws.choice("college_years", keys, STUDY_YEARS)
    p.job[entrants] = Job.student
    county = np.where(in_tieling, college_county(draws.uniform("college_county", keys), params, year),
                      OUTSIDE).astype(np.int8)
    new_households(pop, entrants, county, np.ones(k, bool), Tenure.rented, draws, "enter_college")
    pop.households.collective[p.hh[entrants]] = True
    relocate(pop, entrants, county, np.ones(k, bool))
    # Student hukou moves (clause 四): only rural-registered students of Tieling.
    rural = (p.hk[entrants] != OUTSIDE) & ~p.hk_urban[entrants]
    movable = rules.students.hukou_mobility != HukouMobility.none
    moving = entrants[rural & movable & draws.chance("student_hukou_move", keys, params.student_hukou_move_share)]
    p.origin[moving] = p.hk[moving]
    p.hk_kind[moving] = HukouKind.school
    p.hk[moving] = p.res[moving]
    p.hk_urban[moving] = True
    settlers = moving[p.res[moving] != OUTSIDE]
    p.settled_year[settlers] = year
    return entrants, settlers


def graduate(pop: Population, alive: np.ndarray, year: int, params: Education, rules: Rules,
             town_weights: np.ndarray, draws: YearDraws) -> np.ndarray:
    """Students finishing this year: they graduate, choose where to work (back in Tieling with
    `graduate_return_rate`, to a town chosen by `town_weights`) and their school hukou goes
    home unless mobility is free (then it waits for the graduate pathway in the job town)."""
    p = pop.persons
    students = alive[p.job[alive] == Job.student]
    p.study_left[students] -= 1
    done = students[p.study_left[students] <= 0]
    k = len(done)
    if k == 0:
        return done
    keys = p.key[done]
    p.edu[done] = np.where(draws.chance("graduate.degree", keys, JUNIOR_COLLEGE_SHARE), Edu.college, Edu.bachelor)
    p.grad_year[done] = year
    p.non_regular[done] = draws.chance("graduate.non_regular", keys, params.non_regular_share)
    # Graduates registered outside Tieling (students from outside) do not come "back": they leave.
    back = draws.chance("graduate.return", keys, params.graduate_return_rate) & (p.hk[done] != OUTSIDE)
    county = np.where(back, draws.choice("graduate.town", keys, np.arange(len(town_weights)), town_weights), OUTSIDE)
    county = county.astype(np.int8)
    new_households(pop, done, county, np.ones(k, bool), Tenure.rented, draws, "graduate")
    relocate(pop, done, county, np.ones(k, bool))
    p.job[done] = np.where(back, Job.employee, Job.outside)
    p.knows[done] |= np.uint8(1 << Pathway.graduate)   # colleges tell graduates (assumption)
    p.alive[done[~back & (p.hk[done] == OUTSIDE)]] = False
    school = done[p.hk_kind[done] == HukouKind.school]
    if rules.students.hukou_mobility == HukouMobility.free:
        # The hukou may follow the graduate: to the job place outside Tieling, or (by the graduate
        # pathway) to the Tieling town where the graduate works; a school collective hukou not
        # moved on within two years goes home (see registration.expire_school_hukou).
        away = school[p.hk[school] == OUTSIDE]
        p.hk_kind[away] = HukouKind.family
        return done
    go_home = school
    p.hk[go_home] = p.origin[go_home]
    p.hk_urban[go_home] = False
    p.hk_kind[go_home] = HukouKind.family
    return done
