"""Behavioural parameters of the life course: deaths, births and households (`Demography`),
schooling, college and graduates (`Education`).
"""
from __future__ import annotations

from ..blocks import Block
from .fields import param


class Demography(Block):
    mortality_multiplier: float = param(
        1.0, lo=0.3, hi=3.0, unit="× m(x)",
        source="demographic_schedules.csv: China central death rates m(x) by sex and age, WPP 2024 "
               "(2010-2015 for a 2010 start, 2015-2020 for 2020); applied to Tieling's own age structure")
    fertility_multiplier: float = param(
        1.0, lo=0.2, hi=3.0, unit="× base-year level",
        source="level: census persons aged 0 at the base year per woman-year by age (tieling_census_*.csv "
               "男_0岁/女_0岁); shape: 2020 census share_of_births_by_mother_age (demographic_schedules.csv)")
    fertility_trend_per_year: float = param(
        -0.03, lo=-0.15, hi=0.05, unit="log change/year",
        source="assumption: Liaoning birth rate fell from 6.45‰ (2019) to 4.71‰ (2021) and 4.06‰ (2023) "
               "(figures.csv), about -3%/year over 2014-2023", assumption=True)
    sex_ratio_at_birth: float = param(
        1.0715, lo=1.0, hi=1.25, unit="boys per girl",
        source="demographic_schedules.csv: Liaoning 2020 census sex_ratio_at_birth_census_births[all] 107.15")
    leave_home_rate: float = param(
        0.02, lo=0.0, hi=0.6, unit="per year",
        source="assumption: yearly hazard that an adult child aged 20-39 in a household of 3+ forms its own "
               "household; calibrated to household size 2.90 (2010) -> 2.37 (2020), figures.csv", assumption=True)
    marriage_age: float = param(
        28.67, lo=20, hi=35, unit="years",
        source="demographic_schedules.csv: China 2020 mean_age_at_first_marriage 28.67; centre of the leave-home hazard")


class Education(Block):
    senior_school_rate: float = param(
        0.85, lo=0.0, hi=1.0, unit="share of a cohort",
        source="assumption: share of 15-year-olds who go on to senior secondary school (no Tieling figure; the 2020 "
               "census counts senior attainment for about a third of adults, more among the young)", assumption=True)
    college_entry_rate: float = param(
        0.50, lo=0.0, hi=1.0, unit="share of a cohort",
        source="demographic_schedules.csv: China higher-education gross enrolment 54.4% (2020), 26.5% (2010)")
    college_in_tieling_share: float = param(
        0.15, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of students at a college in Tieling (in 银州区 and, after the colleges' move, "
               "mostly in Tieling County: college_host_share; data/README.md caveat)", assumption=True)
    non_regular_share: float = param(
        0.25, lo=0.0, hi=1.0, unit="share of degrees",
        source="assumption: share of degrees from adult, self-study, distance or open education", assumption=True)
    student_hukou_move_share: float = param(
        0.5, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of rural-registered students of Tieling who move their hukou to the school's "
               "collective household when the rules allow it (clause 四); no count is published", assumption=True)
    graduate_return_rate: float = param(
        0.35, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of graduates who take their first job back in Tieling", assumption=True)
    college_intake: float = param(
        7729, lo=0, hi=50000, unit="students/year",
        source="figures.csv: Tieling 2022 higher-education new admissions (普通高校招生) 7,729; with 3-4 years of "
               "study a full intake keeps about 27,000 in school, against 28,896 (普通高校在校生, 2022). The model takes "
               "college_outside_share of it from outside; Tieling's own students come from its cohorts")
    college_host_share: float = param(
        0.8, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of the colleges' students who study in Tieling County (the new district; "
               "data/README.md: the colleges moved there) once the move is complete; the rest, and all before the "
               "move, study in the old city (银州区, whose 20-24 share was the city's highest in 2010: 7.3%, census). "
               "Tieling's own students at a Tieling college follow the same split", assumption=True)
    college_outside_share: float = param(
        0.7, lo=0.0, hi=1.0, unit="share of intake",
        source="assumption: share of the intake from outside Tieling: at least Liaoning's 30.3% from other "
               "provinces (2009, demographic_schedules.csv) plus students from Liaoning's other cities; Tieling's own "
               "students at its colleges (college_in_tieling_share of its entrants) are 4,500-5,700 in the 2010 run "
               "after 2014, a fifth of the 28,896 in school (figures.csv, 2022)", assumption=True)
    college_move_year: int = param(
        2010, lo=1990, hi=2100, unit="year",
        source="assumption: the colleges start moving to the new district the year after; the 2010 census shows "
               "no excess of 15-24-year-olds in Tieling County (20-24 share 5.5%; Changtu 5.3%, Xifeng 5.9%), the "
               "2020 census does (its cohort aged 5-9 in 2010 grew x1.33 by 2020, x0.63-0.80 in the other rural "
               "counties)", assumption=True)
    college_move_years: int = param(
        5, lo=0, hi=30, unit="years",
        source="assumption: years until the colleges' move to the new district is complete (campuses moved in "
               "stages)", assumption=True)
