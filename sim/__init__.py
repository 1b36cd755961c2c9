"""Tieling urbanization simulator: the model and its public Python API.

    from sim import load_scenario, with_overrides, run
    result = run(with_overrides(load_scenario("scenarios/tieling_reform_2020.yaml"), {"scale": 0.05}))
    result.outcomes      # tidy table: year, county, group, outcome, value
    result.manifest      # scenario, seed, code version, package versions, wall time
"""
from .outcomes import OUTCOMES, headline
from .parameters import Behaviour
from .places import CITY_CODE, COUNTIES, county_label
from .policies.levers import LEVERS, Policy
from .runner import RunResult, run
from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario, scenario_yaml, with_overrides

__all__ = [
    "Behaviour", "CITY_CODE", "COUNTIES", "LEVERS", "OUTCOMES", "Policy", "RunResult", "Scenario",
    "ScenarioError", "county_label", "headline", "load_scenario", "parse_scenario", "run", "scenario_yaml",
    "with_overrides",
]
