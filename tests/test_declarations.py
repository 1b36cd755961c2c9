"""Each thing is declared once: the historical rules (policies/historical.yaml) are what the
baseline scenario runs and what applies before a reform starts; the named constants are the
values the code uses."""
from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim import constants
from sim.policies.levers import Policy
from sim.policies.rules import HISTORICAL, UNPHASED, rules_for

ROOT = Path(__file__).resolve().parents[1]
# Levers that describe the run rather than the rules before the reform.
NOT_HISTORICAL = {"start_year", "phase_in_years", "statistics"}


def test_the_baseline_scenario_runs_the_historical_rules():
    baseline = sim.load_scenario(ROOT / "scenarios" / "baseline_pre_reform.yaml").policy
    assert baseline.model_dump(exclude=NOT_HISTORICAL) == HISTORICAL.model_dump(exclude=NOT_HISTORICAL)


def test_the_historical_rules_differ_from_the_document():
    """The file is read (not left at the declared defaults): most levers differ from the document's."""
    differ = [k for k, v in HISTORICAL.model_dump(exclude=NOT_HISTORICAL).items() if v != Policy().model_dump()[k]]
    assert len(differ) >= 10


def test_before_the_start_year_the_historical_rules_apply(reform):
    policy = reform.policy
    before = rules_for(policy, policy.start_year - 1)
    assert before == rules_for(HISTORICAL.model_copy(update={"statistics": policy.statistics}), 1900)
    assert before != rules_for(policy, policy.start_year)


def test_unphased_levers_exist():
    paths = {lv.path for lv in sim.LEVERS}
    assert set(UNPHASED) <= paths


@pytest.mark.parametrize("c", constants.CONSTANTS, ids=lambda c: c.name)
def test_every_constant_is_declared_under_its_name(c):
    assert getattr(constants, c.name) == c.value
    assert c.what and c.source
