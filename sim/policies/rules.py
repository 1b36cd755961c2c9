"""The rules in force in a given year: the only reader of `config.policy`.

Before `policy.start_year` the historical rules apply (`HISTORICAL`: the rules Tieling
had before the reform document, `historical.yaml`, which the `baseline_pre_reform` scenario runs throughout). From the
start year the scenario's policy applies, phased in over `policy.phase_in_years`:
numbers move linearly from the historical value, switches and options change when
half the phase-in has passed (clause 十一: "avoid rushing").
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from ..yaml_guard import read_yaml
from .levers import (Dependent, GraduateSettlement, HousingGroup, HukouMobility, Policy, SchoolAdmission,
                     Scheme, UrbanToRural)

# The rules before the reform: graduates conditional, purchase with a floor-area minimum, no
# insurance pathway, weak permits, settling costs rural rights. Declared once, in historical.yaml.
HISTORICAL_FILE = resources.files("sim") / "policies" / "historical.yaml"
HISTORICAL = Policy.model_validate(read_yaml(HISTORICAL_FILE.read_text(encoding="utf-8"))[0])
# Levers that are not phased: the phase-in itself, and statistics, which describe the run rather
# than a reform (the scenario's value applies every year).
UNPHASED = ("policy.start_year", "policy.phase_in_years", "policy.statistics.survey_sample_rate")


@dataclass(frozen=True)
class Rules:
    """Effective rules of one year, as plain values for the decision functions."""
    reform_active: bool
    residence_years: float
    three_dependents: bool
    urban_to_rural: UrbanToRural
    student_mobility: HukouMobility
    graduates: GraduateSettlement
    graduates_non_regular: bool
    graduates_collective: bool
    purchase: bool
    purchase_dependents: frozenset[Dependent]
    purchase_min_m2: float
    insurance: bool
    insurance_schemes: frozenset[Scheme]
    insurance_min_years: float
    permit_min_months: float
    permit_services: dict[str, float]
    school_admission: SchoolAdmission
    school_growth: float
    yuan_per_settler: float
    yuan_per_permit: float
    pool_share: float
    m2_per_settler: float
    housing_groups: frozenset[HousingGroup]
    housing_income_threshold: float
    housing_growth: float
    rural_rights_kept: bool
    survey_sample_rate: float
    publicity_reach: float

    @property
    def permit_access(self) -> float:
        """Mean access a permit gives to public services, relative to hukou holders (0-1)."""
        return sum(self.permit_services.values()) / len(self.permit_services)


def _mix(old, new, s: float):
    """Phase-in: numbers interpolate; anything else switches at the half-way point."""
    if isinstance(new, bool) or not isinstance(new, (int, float)):
        return new if s >= 0.5 else old
    return old + (new - old) * s


def rules_for(policy: Policy, year: int) -> Rules:
    if year < policy.start_year:
        s = 0.0
    elif policy.phase_in_years == 0:
        s = 1.0
    else:
        s = min(1.0, (year - policy.start_year + 1) / policy.phase_in_years)
    h, p = HISTORICAL, policy

    def m(old, new):
        return _mix(old, new, s)

    services = {k: m(getattr(h.residence_permit.services, k), v)
                for k, v in p.residence_permit.services.model_dump().items()}
    return Rules(
        reform_active=s > 0,
        residence_years=m(h.settlement.residence_years_required, p.settlement.residence_years_required),
        three_dependents=m(h.settlement.three_dependents, p.settlement.three_dependents),
        urban_to_rural=m(h.urban_to_rural_moves, p.urban_to_rural_moves),
        student_mobility=m(h.students.hukou_mobility, p.students.hukou_mobility),
        graduates=m(h.graduates.settlement, p.graduates.settlement),
        graduates_non_regular=m(h.graduates.include_non_regular_degrees, p.graduates.include_non_regular_degrees),
        graduates_collective=m(h.graduates.collective_registration, p.graduates.collective_registration),
        purchase=m(h.purchase.enabled, p.purchase.enabled),
        purchase_dependents=frozenset(m(h.purchase.dependents, p.purchase.dependents)),
        purchase_min_m2=m(h.purchase.min_floor_area_m2, p.purchase.min_floor_area_m2),
        insurance=m(h.insurance.enabled, p.insurance.enabled),
        insurance_schemes=frozenset(m(h.insurance.schemes, p.insurance.schemes)),
        insurance_min_years=m(h.insurance.min_contribution_years, p.insurance.min_contribution_years),
        permit_min_months=m(h.residence_permit.min_residence_months, p.residence_permit.min_residence_months),
        permit_services=services,
        school_admission=m(h.schools.migrant_children_admission, p.schools.migrant_children_admission),
        school_growth=m(h.schools.capacity_growth_per_year, p.schools.capacity_growth_per_year),
        yuan_per_settler=m(h.transfers.yuan_per_settler, p.transfers.yuan_per_settler),
        yuan_per_permit=m(h.transfers.yuan_per_permit, p.transfers.yuan_per_permit),
        pool_share=m(h.transfers.pool_share, p.transfers.pool_share),
        m2_per_settler=m(h.land.m2_per_settler, p.land.m2_per_settler),
        housing_groups=frozenset(m(h.public_housing.eligible_groups, p.public_housing.eligible_groups)),
        housing_income_threshold=m(h.public_housing.income_threshold, p.public_housing.income_threshold),
        housing_growth=m(h.public_housing.stock_growth_per_year, p.public_housing.stock_growth_per_year),
        rural_rights_kept=m(h.rural_rights.kept_after_settling, p.rural_rights.kept_after_settling),
        # Statistics describe the run, not a reform: the scenario's rate applies every year.
        survey_sample_rate=p.statistics.survey_sample_rate,
        publicity_reach=m(h.publicity.reach_per_year, p.publicity.reach_per_year),
    )
