"""Tieling urbanization simulator: the model and its public Python API.

    from sim import load_scenario, with_overrides, run
    result = run(with_overrides(load_scenario("scenarios/tieling_reform_2020.yaml"), {"scale": 0.05}))
    result.outcomes      # tidy table: year, county, group, outcome, value
    result.manifest      # scenario, seed, code version, package versions, wall time

`import sim` loads nothing else: each public name is imported from its module the first
time it is used (PEP 562 module `__getattr__`), so a script that only reads a scenario
does not pay for Mesa, pandas or the reference model. To export a new name, add it to
its module's entry in `_EXPORTS` (and, for editors and type checkers, to the
`TYPE_CHECKING` block).
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# module (relative to sim) -> the public names it provides
_EXPORTS: dict[str, tuple[str, ...]] = {
    "ensemble": ("Ensemble", "EnsembleError", "EnsemblePlan", "EnsembleResult", "load_ensemble", "plan_ensemble",
                 "run_ensemble"),
    "files": ("folder_written_whole", "write_text_whole", "write_whole"),
    "intervals": ("Interval", "compare_table", "mean_interval", "paired_difference", "replicate_seeds"),
    "outcomes": ("OUTCOMES", "OutcomeInfo", "headline"),
    "parameters": ("Behaviour", "PARAMETERS", "ParameterInfo", "iter_parameters"),
    "places": ("CITY_CODE", "COUNTIES", "OUTSIDE", "county_label", "geojson_path"),
    "population.census": ("CensusYear", "load_census"),
    "population.cache": ("keep_populations_in_memory",),
    "policies.levers": ("CLAUSES", "LEVERS", "LeverInfo", "Policy"),
    "model": ("UrbanizationModel",),
    "observed": ("census_points", "observed_points", "register_points"),
    "reference": ("Decisions", "ReferenceModel", "engine_decisions", "reference_ratio"),
    "runner": ("RunResult", "code_version", "run"),
    "scorecard": ("Scorecard", "explain", "replicates", "scorecard", "targets"),
    "breakdown": ("explain_breakdown",),
    "budget": ("INCOME_ITEMS", "SPENDING_ITEMS"),
    "costs": ("Costs",),
    "doc_tables": ("regenerate",),
    "draws": ("Draws", "YearDraws"),
    "scenario": ("Scenario", "ScenarioError", "load_scenario", "parse_override", "parse_scenario", "scenario_yaml",
                 "with_overrides"),
    "tables": ("levers_table", "parameters_table"),
    "yaml_guard": ("YamlLines", "YamlProblem", "read_yaml"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value     # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """Keeps a public name that is also a submodule's name (`sim.scorecard`, the function, in
    `sim/scorecard.py`) bound to the public object: importing the submodule makes the import
    system set the package attribute to the module, which an eager `from .scorecard import
    scorecard` used to overwrite afterwards."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, types.ModuleType):
            return      # `sim.<name>` stays the public object (loaded by __getattr__ on first use)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


if TYPE_CHECKING:  # what editors and type checkers see; never executed
    from .ensemble import (Ensemble, EnsembleError, EnsemblePlan, EnsembleResult, load_ensemble, plan_ensemble,
                           run_ensemble)
    from .files import folder_written_whole, write_text_whole, write_whole
    from .intervals import Interval, compare_table, mean_interval, paired_difference, replicate_seeds
    from .model import UrbanizationModel
    from .observed import census_points, observed_points, register_points
    from .outcomes import OUTCOMES, OutcomeInfo, headline
    from .parameters import PARAMETERS, Behaviour, ParameterInfo, iter_parameters
    from .places import CITY_CODE, COUNTIES, OUTSIDE, county_label, geojson_path
    from .policies.levers import CLAUSES, LEVERS, LeverInfo, Policy
    from .population.cache import keep_populations_in_memory
    from .population.census import CensusYear, load_census
    from .reference import Decisions, ReferenceModel, engine_decisions, reference_ratio
    from .runner import RunResult, code_version, run
    from .scorecard import Scorecard, explain, replicates, scorecard, targets
    from .breakdown import explain_breakdown
    from .budget import INCOME_ITEMS, SPENDING_ITEMS
    from .costs import Costs
    from .doc_tables import regenerate
    from .draws import Draws, YearDraws
    from .scenario import (Scenario, ScenarioError, load_scenario, parse_override, parse_scenario, scenario_yaml,
                           with_overrides)
    from .tables import levers_table, parameters_table
    from .yaml_guard import YamlLines, YamlProblem, read_yaml
