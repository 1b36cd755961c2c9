"""Behavioural parameters of town life: work and wages (`Work`), housing (`Housing`) and the
counties' public services (`Services`).
"""
from __future__ import annotations

from pydantic import ValidationInfo, field_validator

from ..blocks import Block
from .fields import at_most_one_with, param


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
               "households (3.6%) is an upper bound", assumption=True)
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
