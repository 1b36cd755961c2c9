"""Behavioural parameters: the `behaviour:` block of a scenario.

Every parameter names its source (a row of `data/figures.csv`, a census column of
`data/tieling_census_*.csv`, a schedule of `data/demographic_schedules.csv`, a
paper) or says it is an assumption and why. Values that `urbsim calibrate` fits
are overlaid from `data/calibration.json`, which records the command and date
that produced them (see `docs/calibration.md`); they are never hand-edited.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from .blocks import Block


def param(default: float, *, lo: float, hi: float, source: str, unit: str = "", assumption: bool = False) -> Any:
    extra = {"source": source, "unit": unit, "assumption": assumption}
    return Field(default, ge=lo, le=hi, json_schema_extra=extra)


def at_most_one_with(other: str, info: ValidationInfo, value: float) -> float:
    """For shares that split one whole: `value` plus the field `other` must not exceed 1."""
    first = info.data.get(other)
    if first is not None and first + value > 1 + 1e-9:
        raise ValueError(f"at most {1 - first:g} (1 - {other} = 1 - {first:g})")
    return value


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


class Outside(Block):
    """Moves between Tieling and everywhere beyond it (Shenyang, Liaoning, other provinces)."""
    out_rate_peak: float = param(
        0.060, lo=0.0, hi=0.3, unit="per year",
        source="assumption: yearly chance that a resident at the peak migration age leaves Tieling; calibrated to "
               "the 2010->2020 resident decline of 329,438 (-12.1%, figures.csv)", assumption=True)
    peak_age: float = param(
        22.0, lo=16, hi=35, unit="years",
        source="Rogers & Castro (1981) fundamental schedule, mu2=20 (demographic_schedules.csv), "
               "shifted to China's mean migrant age (figures.csv: out-migrating migrant workers avg 36 in 2019)")
    age_spread: float = param(
        9.0, lo=3, hi=25, unit="years",
        source="assumption: width of the labour-migration peak, Rogers-Castro alpha2=0.1 gives ~10 years", assumption=True)
    college_multiplier: float = param(
        1.6, lo=0.5, hi=5.0, unit="×",
        source="assumption: college-educated Northeasterners leave more often (Liaoning college share 11,965->18,216 "
               "per 100k while Tieling's stayed at 9,606, figures.csv)", assumption=True)
    rural_multiplier: float = param(
        1.3, lo=0.5, hi=5.0, unit="×",
        source="assumption: rural residents supply most out-migrating migrant workers (figures.csv: 169.6 M out-migrating "
               "of 285.6 M migrant workers in 2020)", assumption=True)
    family_share: float = param(
        0.25, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of moves outside that take the whole household (举家迁徙, clause 二)", assumption=True)
    return_rate: float = param(
        0.02, lo=0.0, hi=0.5, unit="per year",
        source="assumption: yearly chance that a registered person living outside comes back; calibrated", assumption=True)
    return_age_multiplier: float = param(
        2.0, lo=0.5, hi=10, unit="× after 45",
        source="assumption: older migrant workers return home (figures.csv: local migrant workers avg age 45.5 vs "
               "36 for out-migrating, 2019)", assumption=True)
    wage_elasticity: float = param(
        1.0, lo=0.0, hi=5.0, unit="elasticity",
        source="assumption: leaving rises with the outside wage relative to the home county's town wage, "
               "(outside/town)^e, scaled to 1 at the base year's city average", assumption=True)
    return_to_town_share: float = param(
        0.4, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of returning village-registered households who settle in their county's town "
               "rather than the village", assumption=True)
    in_rate: float = param(
        0.008, lo=0.0, hi=0.1, unit="per resident per year",
        source="assumption: arrivals registered outside Tieling per resident; 2020 stock of such residents is about "
               "155,000 (census 户口登记地在外 省外 44,220 plus part of 本省其他县 222,207)", assumption=True)
    in_leave_rate: float = param(
        0.08, lo=0.0, hi=0.6, unit="per year",
        source="assumption: yearly chance that a resident registered outside Tieling leaves again", assumption=True)
    household_single_share: float = param(
        0.5, lo=0.0, hi=1.0, unit="share of households",
        source="assumption: households of Tieling people living outside (at the base year) and of arrivals "
               "registered elsewhere are singles, couples and couples with a child; no survey of their size exists "
               "for Tieling (data/README.md); this is the share of singles", assumption=True)
    household_couple_share: float = param(
        0.3, lo=0.0, hi=1.0, unit="share of households",
        source="assumption: as household_single_share, the share of couples; the rest are couples with a child",
        assumption=True)

    @field_validator("household_couple_share")
    @classmethod
    def _shares_of_one(cls, value: float, info: ValidationInfo) -> float:
        return at_most_one_with("household_single_share", info, value)


class Migration(Block):
    """Moves within Tieling: a random-utility (logit) choice of place (clause 一)."""
    reconsider_rate: float = param(
        0.10, lo=0.0, hi=1.0, unit="per year",
        source="assumption: share of working-age households that weigh a move each year", assumption=True)
    beta_income: float = param(
        1.5, lo=0.0, hi=10, unit="per log income ratio",
        source="assumption; income gap is the first driver of rural-urban migration (Hao et al. 2020, figures.csv)",
        assumption=True)
    beta_housing: float = param(
        0.8, lo=0.0, hi=10, unit="per log rent-to-income",
        source="assumption: housing cost term", assumption=True)
    beta_services: float = param(
        1.0, lo=0.0, hi=10, unit="per unit service access",
        source="assumption: value of public services reachable with the person's status", assumption=True)
    beta_congestion: float = param(
        1.0, lo=0.0, hi=10, unit="per unit congestion",
        source="assumption: soft congestion of schools and clinics", assumption=True)
    beta_family: float = param(
        1.0, lo=0.0, hi=10, unit="utility",
        source="assumption: family ties keep people where their household and parents are", assumption=True)
    moving_cost: float = param(
        2.5, lo=0.0, hi=20, unit="utility",
        source="assumption; internal migration costs fell 45% 2000-2015 (Hao et al. 2020, figures.csv)", assumption=True)
    nearby_preference: float = param(
        1.0, lo=0.0, hi=10, unit="utility",
        source="assumption: preference for the own county town over farther towns (就地就近, clause 一)", assumption=True)
    beta_land: float = param(
        0.8, lo=0.0, hi=10, unit="per log income share",
        source="assumption: farming income forgone when leaving the village; Chen & Fan (2016, figures.csv) "
               "find rural land rights mute the demand for urban hukou", assumption=True)
    new_district_pull: float = param(
        1.0, lo=0.0, hi=1.0, unit="0-1",
        source="assumption: how far the town of Tieling County, where the new district 凡河新城 lies, belongs to "
               "the city centre (a destination of moves to the centre by its town population, the central wage "
               "premium, its town residents live in the centre already); 1 = as the central districts, since the "
               "city government moved there (data/README.md caveat); 0 = the centre is 银州区 and 清河区 only",
        assumption=True)


class Work(Block):
    town_wage: float = param(
        3606, lo=500, hi=20000, unit="yuan/month",
        source="figures.csv: China 2020 local migrant worker average monthly income 3,606 (no Tieling wage found)")
    central_wage_premium: float = param(
        1.10, lo=0.5, hi=3.0, unit="×",
        source="assumption: wages in the central districts above the county towns", assumption=True)
    outside_wage: float = param(
        4549, lo=500, hi=30000, unit="yuan/month",
        source="figures.csv: China 2020 out-migrating migrant worker average monthly income 4,549")
    farm_income: float = param(
        1500, lo=100, hi=10000, unit="yuan/month per farm worker",
        source="assumption: no Tieling rural income found; below the local migrant wage, as the gap drives migration",
        assumption=True)
    wage_growth: float = param(
        0.04, lo=-0.05, hi=0.15, unit="per year",
        source="figures.csv: migrant worker monthly income 3,485 (2017) -> 4,072 (2020), +5.3%/year; "
               "assumed slower in the Northeast", assumption=True)
    town_job_growth: float = param(
        -0.005, lo=-0.1, hi=0.1, unit="per year",
        source="assumption: labour demand in Tieling's towns shrinks slowly (residents -12% 2010-2020)", assumption=True)
    flexible_share: float = param(
        0.30, lo=0.0, hi=1.0, unit="share of town workers",
        source="assumption: share of town workers in flexible employment (no Tieling figure)", assumption=True)
    job_entry_rate: float = param(
        0.3, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly chance that a young adult (18-30) without work takes a job where they live",
        assumption=True)
    flexible_insurance_uptake: float = param(
        0.25, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly chance a flexible worker starts paying employee medical or pension insurance",
        assumption=True)
    first_scheme_medical_share: float = param(
        0.5, lo=0.0, hi=1.0, unit="share of starters",
        source="assumption: a flexible worker who starts paying chooses medical insurance only (medical is the more "
               "common first choice); pension only: first_scheme_pension_share; both: the rest", assumption=True)
    first_scheme_pension_share: float = param(
        0.2, lo=0.0, hi=1.0, unit="share of starters",
        source="assumption: as first_scheme_medical_share, the share choosing pension insurance only", assumption=True)
    urban_pension_share: float = param(
        0.5, lo=0.0, hi=2.0, unit="× town wage",
        source="assumption: an urban employee pension replaces about half a town wage (no Tieling pension figure)",
        assumption=True)
    rural_pension_share: float = param(
        0.15, lo=0.0, hi=2.0, unit="× town wage",
        source="assumption: a rural (resident) pension is a small share of a town wage (no Tieling pension figure)",
        assumption=True)

    @field_validator("first_scheme_pension_share")
    @classmethod
    def _shares_of_one(cls, value: float, info: ValidationInfo) -> float:
        return at_most_one_with("first_scheme_medical_share", info, value)


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


class Settling(Block):
    """The settlement (落户) decision and awareness of pathways."""
    asc: float = param(
        -1.5, lo=-10, hi=5, unit="utility",
        source="assumption: inertia against paperwork; Chen & Fan (2016) find muted demand for urban hukou", assumption=True)
    beta_services: float = param(
        3.0, lo=0.0, hi=20, unit="per unit service gain",
        source="assumption: value of the services town hukou adds over the current status", assumption=True)
    beta_land_loss: float = param(
        3.0, lo=0.0, hi=20, unit="utility",
        source="assumption: cost of giving up the rural land contract (Chen & Fan 2016, figures.csv)", assumption=True)
    beta_children: float = param(
        1.0, lo=0.0, hi=10, unit="utility",
        source="assumption: families with school-age children value town hukou more (school admission)", assumption=True)
    outside_land_share: float = param(
        0.5, lo=0.0, hi=1.0, unit="share",
        source="assumption: people registered outside Tieling who settle there give up a registration elsewhere, for "
               "most a village one (figures.csv: most of China's migrants are rural migrant workers); for this share "
               "it weighs like the land contract (beta_land_loss). Their home's rules are not a Tieling lever. "
               "Identified by the fit to the registered series 2017-2019 (docs/calibration.md)", assumption=True)
    initial_awareness: float = param(
        0.3, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of people who know each pathway at the start", assumption=True)
    word_of_mouth: float = param(
        0.3, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly chance to learn of a pathway from a household member who knows", assumption=True)
    permit_uptake: float = param(
        0.5, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly chance that an eligible non-hukou town resident applies for a permit, times its "
               "service value", assumption=True)
    urban_to_rural_wish: float = param(
        0.02, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly share of town-registered village residents who wish to move their hukou to the "
               "village (clause 四 allows it; no count of such moves is published)", assumption=True)
    years_in_town_unregistered: float = param(
        6.0, lo=0.5, hi=40, unit="years (mean)",
        source="assumption: at the base year, town residents without local town hukou have lived there this long on "
               "average (exponential); China's migrant workers are on average 41 and have worked away for many "
               "years (figures.csv), but no duration survey exists for Tieling", assumption=True)


class Housing(Block):
    price_central: float = param(
        4500, lo=500, hi=30000, unit="yuan/m²",
        source="assumption: no Tieling new-home price found (data/README.md)", assumption=True)
    price_county_town: float = param(
        3000, lo=500, hi=30000, unit="yuan/m²", source="assumption, as price_central", assumption=True)
    home_size_m2: float = param(
        75, lo=20, hi=200, unit="m²",
        source="census 2020 per-capita floor area 32.18 m² × household size 2.37 (tieling_census_2020_counties.csv)")
    down_payment: float = param(
        0.3, lo=0.0, hi=1.0, unit="share of price", source="assumption: a 30% down payment", assumption=True)
    savings_rate: float = param(
        0.25, lo=0.0, hi=0.8, unit="share of income",
        source="assumption: household saving rate", assumption=True)
    purchase_propensity: float = param(
        0.15, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly chance that a renter household able to pay the deposit buys", assumption=True)
    rent_share_of_income: float = param(
        0.20, lo=0.0, hi=1.0, unit="share",
        source="assumption: market rent as a share of a town income", assumption=True)
    public_rental_initial_share: float = param(
        0.02, lo=0.0, hi=0.3, unit="share of town households",
        source="assumption: initial public rental stock; census 2020 long-form 住房来源_其他 3,153 of 86,399 "
               "households (3.6%) is an upper bound")
    new_employee_years: int = param(
        5, lo=0, hi=20, unit="years since graduation",
        source="assumption: who counts as 'newly employed' (新就业, clause 八's public rental group): graduated at "
               "most this many years ago", assumption=True)


class Services(Block):
    unregistered_access: float = param(
        0.25, lo=0.0, hi=1.0, unit="0-1",
        source="assumption: access to town services without local hukou or a permit, relative to hukou holders",
        assumption=True)
    village_access: float = param(
        0.5, lo=0.0, hi=1.0, unit="0-1",
        source="assumption: value of village public services relative to town services for a hukou holder",
        assumption=True)
    congestion_start: float = param(
        0.85, lo=0.3, hi=1.0, unit="utilisation",
        source="assumption: utilisation at which service quality starts to fall", assumption=True)
    school_headroom: float = param(
        1.05, lo=1.0, hi=2.0, unit="places per pupil",
        source="assumption: school places at the start per resident child aged 6-14 (census age groups)", assumption=True)
    clinic_headroom: float = param(
        1.10, lo=1.0, hi=2.0, unit="capacity per resident",
        source="assumption: clinic capacity at the start per resident", assumption=True)
    investment_lag_years: int = param(
        2, lo=0, hi=10, unit="years", source="assumption: years from transfer to usable capacity", assumption=True)
    transfer_pool_yuan: float = param(
        300e6, lo=0, hi=1e10, unit="yuan/year",
        source="assumption: the city's general yearly transfer pool to the counties, before any people-linked "
               "money (policy.transfers); `policy.transfers.pool_share` of it is divided by settlers and new "
               "permits, the rest by residents", assumption=True)
    spend_share_schools: float = param(
        0.4, lo=0.0, hi=1.0, unit="share of receipts",
        source="assumption: a county spends transfers on school places first (clause 九 names education, health "
               "and housing); the rest of the receipts after clinics goes to public rental flats", assumption=True)
    spend_share_clinics: float = param(
        0.3, lo=0.0, hi=1.0, unit="share of receipts",
        source="assumption: as spend_share_schools, the share spent on clinic capacity", assumption=True)

    @field_validator("spend_share_clinics")
    @classmethod
    def _shares_of_one(cls, value: float, info: ValidationInfo) -> float:
        return at_most_one_with("spend_share_schools", info, value)


class Registry(Block):
    """Moves of registration that are not settlement in Tieling's towns: registered people who
    settle where they live outside Tieling (户籍迁出), marriage moves, and village registrations
    turned into town registrations without moving (村改居, land requisition). Tieling's registered
    population fell by about 23,500 a year 2017-2019 (293.7万, 291.7万, 289万; figures.csv) while
    births fell short of deaths by only about 1,700 (2018: 5.34‰ vs 5.91‰): the rest left the
    register. docs/model.md §7.14."""
    settle_out_rate: float = param(
        0.05, lo=0.0, hi=0.5, unit="per household per year",
        source="assumption: yearly chance that a household of registered people living outside Tieling, away at "
               "least `years_to_settle` years, moves its hukou to where it lives, at the destination's openness of "
               "2018 on; calibrated to the registered population 2017-2019", assumption=True)
    openness_before_2018: float = param(
        0.5, lo=0.0, hi=2.0, unit="× the openness of 2018 on",
        source="assumption: destinations opened up in the late 2010s (State Council 2014 No. 25 relaxed medium "
               "cities; Shenyang, where most of Tieling's movers go, took in about 58,000 registrations a year "
               "2010-2016 but grew its register 1.2% (≈ 88,000) in 2018, a twenty-year high, and 8.98万 in the "
               "year to April 2020; the 2019 national guideline lifted all restrictions below 3 million urban "
               "residents; figures.csv): before 2018 the chance is this share of the later one", assumption=True)
    years_to_settle: int = param(
        2, lo=0, hi=10, unit="years away",
        source="assumption: destinations ask for some years of residence or social insurance before settling "
               "(Shenyang's points system; Dalian dropped all conditions only in June 2022, figures.csv)",
        assumption=True)
    family_multiplier: float = param(
        2.0, lo=0.5, hi=10.0, unit="× with children under 15",
        source="assumption: households with school-age children with them need a local hukou for school "
               "admission where they live (the same motive as clause 八's migrant children)", assumption=True)
    land_loss_multiplier: float = param(
        0.5, lo=0.0, hi=1.0, unit="× when settling costs the land contract",
        source="assumption: a household holding a village land contract moves its hukou out of Tieling this much "
               "less often while settling costs the contract (`policy.rural_rights.kept_after_settling` false; the "
               "Rural Land Contract Law made families moving to a city return their land until its 2018 amendment)",
        assumption=True)
    marriage_out_rate: float = param(
        0.02, lo=0.0, hi=0.2, unit="per person per year",
        source="assumption: yearly chance that a registered single aged 20-34 living outside Tieling marries "
               "there and moves the hukou to the spouse's place (China's mean age at first marriage was 28-29 in "
               "2020, demographic_schedules.csv; about half marry within those 15 years, and half of those move "
               "their hukou)", assumption=True)
    conversion_rate: float = param(
        0.01, lo=0.0, hi=0.1, unit="per year",
        source="assumption: yearly share of village-registered households whose registration turns into a town "
               "registration without moving (村改居 of villages absorbed by towns, land requisition); Liaoning "
               "abolished the agricultural/non-agricultural split in 2009 (辽政办发〔2009〕30号, figures.csv), so "
               "town registration follows the registration address; calibrated to the 2018 registered town share "
               "43.4% (figures.csv)", assumption=True)


class Behaviour(Block):
    demography: Demography = Field(default_factory=Demography)
    outside: Outside = Field(default_factory=Outside)
    migration: Migration = Field(default_factory=Migration)
    work: Work = Field(default_factory=Work)
    education: Education = Field(default_factory=Education)
    settling: Settling = Field(default_factory=Settling)
    housing: Housing = Field(default_factory=Housing)
    services: Services = Field(default_factory=Services)
    registry: Registry = Field(default_factory=Registry)


def iter_parameters(model: type[BaseModel] = Behaviour, prefix: str = "behaviour"):
    """Yield (path, pydantic FieldInfo) for every behavioural parameter: the schema-level view
    the dashboard and calibration build on. For plain records use `PARAMETERS` (ParameterInfo)
    or `sim.parameters_table()`."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from iter_parameters(ann, f"{prefix}.{name}")
        else:
            yield f"{prefix}.{name}", info


@lru_cache(maxsize=1)
def calibrated_values() -> dict[str, float]:
    """Calibrated defaults {"behaviour.outside.return_rate": value, ...} from data/calibration.json."""
    path = resources.files("sim") / "data" / "calibration.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("values", {}))


@dataclass(frozen=True)
class ParameterInfo:
    """One behavioural parameter as plain data (what `iter_parameters` buries in pydantic metadata)."""
    path: str               # "behaviour.outside.return_rate"
    kind: str               # "float" | "int"
    default: float          # what a scenario gets when it leaves the parameter out (calibrated if fitted)
    declared: float         # the default written in this module
    calibrated: bool        # default comes from data/calibration.json (`urbsim calibrate`)
    lo: float
    hi: float
    unit: str
    source: str             # a data file, census column, paper, or "assumption: ..." with its reason
    assumption: bool

    @property
    def block(self) -> str:
        return self.path.split(".")[1]


def _parameter_info(path: str, info: Any) -> ParameterInfo:
    extra = info.json_schema_extra or {}
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    declared = info.get_default(call_default_factory=True)
    fitted = calibrated_values()
    return ParameterInfo(path, "int" if info.annotation is int else "float", fitted.get(path, declared), declared,
                         path in fitted, lo, hi, extra.get("unit", ""), extra.get("source", ""),
                         bool(extra.get("assumption", False)))


def parameter_infos() -> tuple[ParameterInfo, ...]:
    """Every behavioural parameter, in declaration order."""
    return tuple(_parameter_info(path, info) for path, info in iter_parameters())


PARAMETERS: tuple[ParameterInfo, ...] = parameter_infos()
