"""Constants of the model that are not scenario fields: a scenario cannot change them. Each is
named once here, with what it is and where it comes from; the code uses the name, and the
constants table of docs/model.md is generated from `CONSTANTS` (`python -m sim.doc_tables`).
Education levels are `population.columns.Edu` (college and above: `edu >= Edu.college`); scenario
fields are in parameters/ (behaviour), policies/levers.py (policy) and costs.py (unit costs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Constant:
    name: str
    value: Any
    what: str
    source: str

    @property
    def shown(self) -> str:
        v = self.value
        if isinstance(v, tuple) and len(v) == 2:
            return f"{v[0]}–{v[1]}"
        if isinstance(v, tuple):
            return ", ".join(f"{x:g}" for x in v)
        if isinstance(v, dict):
            return "; ".join(f"{k}: {x[0]:g} ± {x[1]:g}" for k, x in v.items())
        return f"{v:g}" if isinstance(v, float) else str(v)


CONSTANTS: list[Constant] = []


def declare(name: str, value: Any, what: str, source: str) -> Any:
    """Register a constant for the docs and return its value."""
    CONSTANTS.append(Constant(name, value, what, source))
    return value


SCHOOL_AGES: tuple[int, int] = declare(
    "SCHOOL_AGES", (6, 14), "ages of compulsory schooling (pupils, school places, migrant children)",
    "China's nine-year compulsory education from age 6 (Compulsory Education Law); census age groups 5-9, 10-14")
HEAD_DECIDER_AGES: tuple[int, int] = declare(
    "HEAD_DECIDER_AGES", (18, 55), "ages of household heads who reconsider where the household lives",
    "assumption: working-age heads; older heads rarely move (no Tieling survey)")
YOUTH_DECIDER_AGES: tuple[int, int] = declare(
    "YOUTH_DECIDER_AGES", (18, 30), "ages of village youths (children of the head) who may move to a town alone",
    "assumption: new-generation migrant workers (clause 二) leave home young")
CHILD_GAP_YEARS: int = declare(
    "CHILD_GAP_YEARS", 15, "years a child is at least younger than the household head (roles, `columns.Heads`)",
    "assumption: household roles are inferred from age gaps; the census gives no relationships per person")
SPOUSE_MAX_GAP_YEARS: int = declare(
    "SPOUSE_MAX_GAP_YEARS", 10, "largest age gap between the household head and a member taken as the spouse "
    "(roles, `columns.Heads`)", "assumption: household roles are inferred from age gaps")
HEAD_AGE_BELOW: int = declare(
    "HEAD_AGE_BELOW", 60, "the household head is the oldest member under this age (or the oldest member)",
    "assumption: the working generation heads the household")
RETURN_AGE: int = declare(
    "RETURN_AGE", 45, "age from which people living outside come back more often (`outside.return_age_multiplier`)",
    "figures.csv: local migrant workers average 45.5 years against 36 for those working away (2019)")
GRADUATE_YEARS: int = declare(
    "GRADUATE_YEARS", 5, "years after graduation during which a resident is reported as a graduate (agent kind)",
    "assumption: 'new graduates' as counted by talent policies")
SCHOOL_STAGE_AGES: tuple[int, int, int] = declare(
    "SCHOOL_STAGE_AGES", (6, 12, 15), "ages at which children reach primary, junior secondary and senior "
    "secondary school (`Edu.primary`, `Edu.junior`, `Edu.senior`)",
    "China's 6-3-3 school system: six years of primary school from age 6, three of junior and three of "
    "senior secondary (Compulsory Education Law)")
COLLEGE_AGE: int = declare(
    "COLLEGE_AGE", 18, "age at which senior-school leavers enter college", "the end of 12 years of school from age 6")
WORKING_AGE: int = declare(
    "WORKING_AGE", 16, "age from which a person may work; younger persons are children (`Job.child`)",
    "Labour Law of the PRC, art. 15: no employment under 16")
TOWN_RETIREMENT_AGE: int = declare(
    "TOWN_RETIREMENT_AGE", 60, "age at which town workers retire", "China's statutory retirement age for men")
VILLAGE_RETIREMENT_AGE: int = declare(
    "VILLAGE_RETIREMENT_AGE", 65, "age at which villagers stop farming and working",
    "assumption: farmers have no statutory retirement age and work on longer")
JUNIOR_COLLEGE_SHARE: float = declare(
    "JUNIOR_COLLEGE_SHARE", 0.5, "share of new graduates who finish junior college (`Edu.college`); the rest "
    "earn a bachelor's degree (`Edu.bachelor`)", "assumption: half")
SCHOOL_HUKOU_YEARS: int = declare(
    "SCHOOL_HUKOU_YEARS", 2, "years after graduation a school collective hukou may wait to move on before it "
    "goes home (`registration.expire_school_hukou`)", "assumption: two years to find work and move it")
MOVE_AGE_FROM: int = declare(
    "MOVE_AGE_FROM", 15, "age from which persons leave Tieling on their own (`outside.age_profile`)",
    "assumption: younger children move only with their household")
MOVE_FLOOR: float = declare(
    "MOVE_FLOOR", 0.05, "level of the leave-Tieling age profile outside the labour peak, relative to the peak",
    "assumption; the constant term of the Rogers & Castro (1981) model schedule")
MAX_YEARLY_CHANCE: float = declare(
    "MAX_YEARLY_CHANCE", 0.95, "largest yearly chance of leaving or coming back (`decisions/outside.py`)",
    "assumption: a cap that keeps a chance a chance whatever the multipliers")

JOB_ENTRY_AGES: tuple[int, int] = declare(
    "JOB_ENTRY_AGES", (18, 30), "ages at which residents without work take a first job (`economy.enter_work`)",
    "assumption: after senior school, before 31")
ARRIVAL_AGE: tuple[int, int] = declare(
    "ARRIVAL_AGE", (8, 9), "years arrivals from outside are older than `outside.peak_age` on average, and the "
    "standard deviation of their age (clipped to `WORKING_AGE`–`TOWN_RETIREMENT_AGE`)",
    "assumption: arrivals are working adults, a little older than leavers")
ARRIVAL_TOWN_SHARE: float = declare(
    "ARRIVAL_TOWN_SHARE", 0.8, "least share of arrivals from outside who settle in the town part of a county",
    "assumption: arrivals go mostly to towns (census: residents registered elsewhere live mostly in towns)")
ARRIVAL_EDUCATION_AGES: tuple[int, int] = declare(
    "ARRIVAL_EDUCATION_AGES", (20, 49), "ages of the residents whose education levels arrivals are drawn from",
    "assumption: arrivals are educated like the county's working-age adults")
NEW_HOUSEHOLD_FLOOR_M2: float = declare(
    "NEW_HOUSEHOLD_FLOOR_M2", 25.0, "floor area of a household newly formed by a move or an arrival",
    "assumption: a small rented flat")
LEAVER_FLOOR_M2: float = declare(
    "LEAVER_FLOOR_M2", 30.0, "floor area per member of a household formed by adult children leaving home",
    "assumption")
SAVINGS_TAKEN_SHARE: float = declare(
    "SAVINGS_TAKEN_SHARE", 0.2, "share of the old household's savings a person takes into a new household "
    "(moves, college)", "assumption")
PARENT_GIFT_SHARE: float = declare(
    "PARENT_GIFT_SHARE", 0.1, "share of the parents' savings given to a child leaving home", "assumption")
LEAVE_HOME_AGES: tuple[int, int] = declare(
    "LEAVE_HOME_AGES", (20, 39), "ages at which adult children may leave home (`demography.leave_home`)",
    "assumption: around China's mean age at first marriage, 28.67 (2020, demographic_schedules.csv)")
LEAVE_HOME_WIDTH: float = declare(
    "LEAVE_HOME_WIDTH", 6.0, "width in years of the leave-home hazard around `demography.marriage_age`",
    "assumption")
MOTHER_AGES: tuple[int, int] = declare(
    "MOTHER_AGES", (15, 49), "ages of women who may give birth", "the census's fertility table, ages 15-49")

# --- the base-year population (population/synthesis.py) --------------------------------
BASE_STUDENT_AGES: tuple[int, int] = declare(
    "BASE_STUDENT_AGES", (18, 21), "ages at which college-educated residents of the base year may be students",
    "four years of college from `COLLEGE_AGE`")
BASE_STUDENT_SHARE: float = declare(
    "BASE_STUDENT_SHARE", 0.6, "share of college-educated residents of `BASE_STUDENT_AGES` who are still "
    "students at the base year", "assumption")
HEAD_AGES: dict[str, tuple[float, float]] = declare(
    "HEAD_AGES", {"one person": (60, 16), "one generation": (57, 14), "two generations": (44, 9),
                  "three generations": (42, 7), "four generations": (40, 6)},
    "mean and standard deviation of the household head's age by kind of family household",
    "assumption: the census gives household kinds and persons' ages, not heads' ages")
SPOUSE_GAP_YEARS: int = declare(
    "SPOUSE_GAP_YEARS", 2, "years a spouse is younger than the head in the base-year households", "assumption")
PARENT_GAP_YEARS: int = declare(
    "PARENT_GAP_YEARS", 27, "years the head's parents are older than the head (3+ generation households)",
    "assumption, near China's mean age at first marriage, 28.67 (2020, demographic_schedules.csv)")
CHILD_AGE_GAP_YEARS: int = declare(
    "CHILD_AGE_GAP_YEARS", 28, "years the head's eldest child is younger than the head",
    "assumption, near China's mean age at first marriage, 28.67 (2020, demographic_schedules.csv)")
SIBLING_GAP_YEARS: int = declare(
    "SIBLING_GAP_YEARS", 3, "years between the children of a base-year household", "assumption")
SLOT_AGE_SD: float = declare(
    "SLOT_AGE_SD", 3, "standard deviation of the age of each slot of a base-year household around its target",
    "assumption")
COLLECTIVE_AGE_WEIGHTS: tuple[float, float, float] = declare(
    "COLLECTIVE_AGE_WEIGHTS", (5.0, 2.0, 0.2), "odds of living in collective quarters (dormitories, "
    "institutions) at ages 16-30, 80 and over, and other ages", "assumption: students and young workers, the very old")
OLDEST_YEARS_MEAN: float = declare(
    "OLDEST_YEARS_MEAN", 4.0, "mean years past 85 of the census's open age group 85+ (exponential, at most 104)",
    "assumption")
OUTSIDE_STOCK_PROFILE: tuple[float, float, float] = declare(
    "OUTSIDE_STOCK_PROFILE", (32, 12, 0.15), "peak age, width and floor of the ages of registered people living "
    "outside at the base year", "assumption: a labour-migration peak (Rogers & Castro 1981) over the county's ages")
OUTSIDE_TOWN_ODDS: float = declare(
    "OUTSIDE_TOWN_ODDS", 3.0, "odds of a town household against a village household of being registered outside "
    "Tieling (census residents registered elsewhere)", "assumption: arrivals from outside live mostly in towns")
RURAL_RENT_ODDS: float = declare(
    "RURAL_RENT_ODDS", 2.0, "odds of renting of a town household with village hukou against one with town hukou",
    "assumption: migrants rent more often than locals")
INSURANCE_YEARS_MEAN: float = declare(
    "INSURANCE_YEARS_MEAN", 8.0, "mean years of employee insurance contributions of base-year employees "
    "(exponential, at most their years since `WORKING_AGE`)", "assumption")
SAVINGS_MONTHS_SHAPE: float = declare(
    "SAVINGS_MONTHS_SHAPE", 1.5, "shape of the gamma draw of base-year savings (mean: 12 months of town wage "
    "times `housing.savings_rate` per person)", "assumption")
