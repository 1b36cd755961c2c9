"""Every lever (docs/policy/README.md) is read by the model and moves the outcome it is about.

Each lever is set to its low and its high end with the same seed (common random
numbers); the outcome named for its family must differ. A lever nothing reads fails.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim import LEVERS, run, with_overrides

from .conftest import small

# The outcome each family of levers acts on (prefix match on the lever path, longest first).
TARGET: dict[str, tuple[str, str | None]] = {
    "policy.start_year": ("settlements", "all"),
    "policy.phase_in_years": ("settlements", "all"),
    "policy.urban_to_rural_moves": ("urban_to_rural_moves", "all"),
    "policy.settlement.residence_years_required": ("settlements", "residence_years"),
    "policy.settlement.three_dependents": ("settlements", "three_dependents"),
    "policy.students": ("settlements", "student"),
    "policy.graduates": ("settlements", "graduate"),
    "policy.purchase": ("settlements", "purchase"),
    "policy.insurance": ("settlements", "insurance"),
    "policy.residence_permit": ("residence_permits", "all"),
    "policy.schools.migrant_children_admission": ("migrant_children_in_public_school", "all"),
    "policy.schools.capacity_growth_per_year": ("school_places", "all"),
    "policy.transfers": ("transfers", "all"),
    "policy.land": ("land_quota_m2", "all"),
    "policy.public_housing": ("public_rental_queue", "all"),
    "policy.rural_rights": ("settlements", "all"),
    "policy.statistics": ("residents_survey_estimate", "all"),
    "policy.publicity": ("settlements", "all"),
}


# Ends replaced by the nearest that can show an effect at this horizon: a policy starting after
# 2024 never acts in it; insurance on with no scheme is refused.
ENDS: dict[str, tuple] = {"policy.start_year": (2000, 2024),
                          "policy.insurance.schemes": (["pension"], ["medical", "pension"])}


def target(path: str) -> tuple[str, str | None]:
    key = max((k for k in TARGET if path == k or path.startswith(k + ".")), key=len)
    return TARGET[key]


def series(outcomes: pd.DataFrame, outcome: str, group: str) -> pd.Series:
    rows = outcomes[(outcomes.outcome == outcome) & (outcomes.group == group)]
    return rows.set_index(["year", "county"]).value.sort_index()


def test_every_lever_has_a_target():
    assert len(LEVERS) >= 30
    for lever in LEVERS:
        target(lever.path)   # raises ValueError (max of empty) when a lever has no family


@pytest.fixture(scope="module")
def lever_base(reform):
    # Scale and horizon where every pathway is used at least a few times.
    return small(reform, scale=0.02, end_year=2024)


@pytest.mark.parametrize("lever", LEVERS, ids=[lv.path for lv in LEVERS])
def test_lever_changes_its_outcome(lever, lever_base):
    outcome, group = target(lever.path)
    lo, hi = ENDS.get(lever.path, (lever.lo, lever.hi))
    low = run(with_overrides(lever_base, {lever.path: lo})).outcomes
    high = run(with_overrides(lever_base, {lever.path: hi})).outcomes
    a, b = series(low, outcome, group), series(high, outcome, group)
    assert len(a) and len(b), f"{outcome}/{group} not recorded"
    assert not np.allclose(a.to_numpy(), b.reindex(a.index).to_numpy(), equal_nan=True), (
        f"{lever.path}: {outcome} ({group}) identical at {lo!r} and {hi!r}")


def test_survey_rate_changes_only_the_estimate(lever_base):
    """The statistics lever measures the city; it must not change what happens in it."""
    low = run(with_overrides(lever_base, {"policy.statistics.survey_sample_rate": 0.0001})).outcomes
    high = run(with_overrides(lever_base, {"policy.statistics.survey_sample_rate": 0.1})).outcomes
    keep = low.outcome != "residents_survey_estimate"
    pd.testing.assert_frame_equal(low[keep].reset_index(drop=True), high[keep].reset_index(drop=True))
    truth = series(high, "residents", "all")
    err_low = (series(low, "residents_survey_estimate", "all") / truth - 1).abs().mean()
    err_high = (series(high, "residents_survey_estimate", "all") / truth - 1).abs().mean()
    assert err_high < err_low
