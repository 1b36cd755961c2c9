"""Labelled assumptions that are behavioural parameters (sim/parameters/) change the outcome
they drive: a scenario file can move them, and the model reads them."""
from __future__ import annotations

import pytest

from sim import CITY_CODE, run

from .conftest import small

NEW_EMPLOYEES_ONLY = {"policy.public_housing.eligible_groups": ["new_employees"]}

# (parameter overrides low, the same high, outcome, group, how it is summarised)
CASES = [
    ({"behaviour.settling.urban_to_rural_wish": 0.0}, {"behaviour.settling.urban_to_rural_wish": 0.3},
     "urban_to_rural_moves", "all", "sum"),
    ({"behaviour.settling.years_in_town_unregistered": 0.5},
     {"behaviour.settling.years_in_town_unregistered": 30.0}, "settlements", "residence_years", "first"),
    ({"behaviour.housing.new_employee_years": 0, **NEW_EMPLOYEES_ONLY},
     {"behaviour.housing.new_employee_years": 20, **NEW_EMPLOYEES_ONLY}, "public_rental_occupancy", "all", "last"),
    ({"behaviour.services.spend_share_schools": 0.0, "behaviour.services.spend_share_clinics": 0.0},
     {"behaviour.services.spend_share_schools": 1.0, "behaviour.services.spend_share_clinics": 0.0},
     "school_places", "all", "last"),
    ({"behaviour.education.student_hukou_move_share": 0.0}, {"behaviour.education.student_hukou_move_share": 1.0},
     "settlements", "student", "sum"),
    ({"behaviour.work.urban_pension_share": 0.0, "behaviour.work.rural_pension_share": 0.0},
     {"behaviour.work.urban_pension_share": 1.0, "behaviour.work.rural_pension_share": 1.0},
     "homes_bought", "all", "sum"),
    ({"behaviour.outside.household_single_share": 1.0, "behaviour.outside.household_couple_share": 0.0},
     {"behaviour.outside.household_single_share": 0.0, "behaviour.outside.household_couple_share": 0.0},
     "household_size", "all", "last"),
]


def summary(outcomes, outcome: str, group: str, how: str, base_year: int) -> float:
    rows = outcomes[(outcomes.county == CITY_CODE) & (outcomes.outcome == outcome) & (outcomes.group == group)]
    values = rows.set_index("year").value.sort_index()
    values = values[values.index > base_year]      # the simulated years
    return float({"sum": values.sum(), "first": values.iloc[0], "last": values.iloc[-1]}[how])


@pytest.mark.parametrize("low, high, outcome, group, how", CASES, ids=[next(iter(c[0])) for c in CASES])
def test_assumption_moves_its_outcome(reform, low, high, outcome, group, how):
    lo, hi = (summary(run(small(reform, scale=0.02, seed=3, **over)).outcomes, outcome, group, how, reform.base_year)
              for over in (low, high))
    assert hi > lo, (outcome, lo, hi)
