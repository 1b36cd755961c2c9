"""Each thing is declared once: the historical rules (policies/historical.yaml) are what the
baseline scenario runs and what applies before a reform starts; the named constants are the
values the code uses."""
from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim import constants
from sim.policies.levers import Policy
from sim.policies.rules import HISTORICAL, UNPHASED, Rules, rules_for

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
    before, after = rules_for(policy, policy.start_year - 1), rules_for(policy, policy.start_year)
    for lv in sim.LEVERS:
        path = lv.path.removeprefix("policy.")
        source = policy if lv.path in UNPHASED else HISTORICAL     # unphased: the scenario's every year
        assert before.at(path) == pytest.approx(Rules.at(source, path)), path
        assert after.at(path) == pytest.approx(Rules.at(policy, path)), path


def test_phase_in_moves_numbers_and_switches_half_way(reform):
    """docs/model.md §7.1: with a 4-year phase-in from 2020, 2020 has 4.25 residence years and still
    conditional graduates; 2021 has 3.5 years and unrestricted graduates."""
    policy = reform.policy.model_copy(update={"phase_in_years": 4})
    first, second = rules_for(policy, 2020), rules_for(policy, 2021)
    assert first.settlement.residence_years_required == pytest.approx(4.25)
    assert first.graduates.settlement == "conditional"
    assert second.settlement.residence_years_required == pytest.approx(3.5)
    assert second.graduates.settlement == "unrestricted"
    assert first.at("graduates.settlement") is first.graduates.settlement


def test_permit_services_act_through_their_mean(reform):
    """The permit access of the document's defaults and of the historical rules (docs/model.md)."""
    assert rules_for(reform.policy, 2030).permit_access == pytest.approx(0.843, abs=5e-4)
    assert rules_for(reform.policy, 2000).permit_access == pytest.approx(0.271, abs=5e-4)


def test_unphased_levers_exist():
    paths = {lv.path for lv in sim.LEVERS}
    assert set(UNPHASED) <= paths


@pytest.mark.parametrize("c", constants.CONSTANTS, ids=lambda c: c.name)
def test_every_constant_is_declared_under_its_name(c):
    assert getattr(constants, c.name) == c.value
    assert c.what and c.source
