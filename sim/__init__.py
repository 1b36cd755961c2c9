"""Tieling urbanization simulator: the model and its public Python API.

    from sim import load_scenario, with_overrides, run
    result = run(with_overrides(load_scenario("scenarios/tieling_reform_2020.yaml"), {"scale": 0.05}))
    result.outcomes      # tidy table: year, county, group, outcome, value
    result.manifest      # scenario, seed, code version, package versions, wall time
"""
from .files import folder_written_whole, write_text_whole, write_whole
from .intervals import Interval, compare_table, mean_interval, paired_difference
from .outcomes import OUTCOMES, OutcomeInfo, headline
from .parameters import Behaviour, iter_parameters
from .places import CITY_CODE, COUNTIES, county_label, geojson_path
from .population.census import CensusYear, load_census
from .policies.levers import CLAUSES, LEVERS, LeverInfo, Policy
from .model import UrbanizationModel
from .observed import census_points, observed_points, register_points
from .reference import Decisions, ReferenceModel, engine_decisions, reference_ratio
from .runner import RunResult, code_version, run
from .scorecard import Scorecard, explain, replicates, scorecard, targets
from .budget import INCOME_ITEMS, SPENDING_ITEMS
from .costs import Costs
from .scenario import (Scenario, ScenarioError, load_scenario, parse_override, parse_scenario, scenario_yaml,
                       with_overrides)

__all__ = [
    "Behaviour", "CITY_CODE", "Interval", "compare_table", "mean_interval", "paired_difference", "CLAUSES", "COUNTIES", "CensusYear", "Decisions", "LEVERS", "LeverInfo", "OUTCOMES",
    "OutcomeInfo", "Policy", "ReferenceModel", "RunResult", "Scenario", "ScenarioError", "UrbanizationModel",
    "code_version", "county_label", "engine_decisions", "folder_written_whole", "geojson_path", "headline",
    "census_points", "iter_parameters", "load_census", "load_scenario", "observed_points", "parse_override", "parse_scenario", "reference_ratio",
    "register_points", "run", "INCOME_ITEMS", "SPENDING_ITEMS", "Costs", "Scorecard", "explain", "replicates", "scorecard", "targets", "scenario_yaml", "with_overrides", "write_text_whole", "write_whole",
]
