"""What Mesa's own tools expect of a model: the arguments `mesa.batch_run` passes, a
`mesa.DataCollector` with one model reporter per city-level outcome, a step refused past the end
year, and persons followed as Mesa agents. `ScenarioModel` holds this plumbing; the year's story
is `sim.model.UrbanizationModel`, built on it.

`mesa.batch_run(UrbanizationModel, {"scenario": [sc], "policy__graduates__settlement": [...]},
rng=[1, 2])` builds `UrbanizationModel(scenario=sc, policy__graduates__settlement=..., rng=1)`:
keyword arguments are scenario paths with `__` for the dots (`scale`, `end_year`,
`policy__purchase__enabled`, ...), or a dict of dotted paths in `overrides`, and `rng` is the
seed. Documented in docs/mesa.md.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import mesa
import numpy as np

from .panel import households_frame, persons_frame
from .recording import model_reporters, reporter_name  # noqa: F401 (reporter_name: the columns' names)
from .scenario import Scenario, ScenarioError, load_scenario, with_overrides

DEFAULT_NAME = "default"   # scenario=None: the pydantic defaults, i.e. the policy document as written


def scenario_for(scenario: Scenario | str | Path | None, rng: Any, overrides: Mapping[str, Any] | None,
                 keywords: Mapping[str, Any]) -> Scenario:
    """The run's scenario: `scenario` (a Scenario, a YAML file, or None for the defaults) with the
    overrides applied (`keywords` with `__` read as `.`, then the `overrides` dict) and the seed
    set to `rng` when given. Raises ScenarioError."""
    if scenario is None:
        scenario = Scenario(name=DEFAULT_NAME)
    elif isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario)
    elif not isinstance(scenario, Scenario):
        # mesa.batch_run iterates over parameter values, and a pydantic model iterates over its
        # (field, value) pairs: {"scenario": sc} arrives here as ("name", ...), ("seed", ...), ...
        hint = (" (mesa.batch_run iterates over a Scenario's fields: pass it in a list, {'scenario': [sc]})"
                if isinstance(scenario, tuple) else "")
        raise ScenarioError([f"scenario: expected a Scenario, a scenario file or None, found "
                             f"{type(scenario).__name__} {str(scenario)[:60]}{hint}"])
    over = {key.replace("__", "."): value for key, value in keywords.items()}
    over.update(overrides or {})
    seed = _seed(rng)
    if seed is not None:
        if "seed" in over and over["seed"] != seed:
            raise ScenarioError([f"rng={seed!r} and seed={over['seed']!r} disagree; give one of them"])
        over["seed"] = seed
    return with_overrides(scenario, over) if over else scenario


def _seed(rng: Any) -> int | None:
    """The scenario's seed from Mesa's `rng` argument: None (keep the scenario's) or an integer.
    A numpy Generator is refused: a run is reproduced from the integer seed in its manifest."""
    if rng is None:
        return None
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer)):
        raise ScenarioError([f"rng: expected an integer seed (0 to 2**32-1) or None, found {type(rng).__name__} "
                             f"{rng!r}"])
    return int(rng)


class ScenarioModel(mesa.Model):
    """A Mesa model built from a scenario, one year per step until the scenario's `end_year`:
    the constructor's arguments, the DataCollector, the followed persons and the end-year guard.
    Subclasses set `year` and record before each `collect()`.

    `scenario` is a Scenario, a scenario YAML file or None (the defaults: the document as written);
    `rng` an integer seed that replaces the scenario's (what `mesa.batch_run` passes); `paths`
    scenario overrides with `__` for the dots (`scale=0.01`, `policy__purchase__enabled=False`)
    and `overrides` the same as a dict of dotted paths; `agent_sample` a share of persons followed as
    Mesa agents. `running` turns False at `end_year`; `datacollector` holds the city's outcomes of
    every year (docs/mesa.md).
    """

    year: int

    def __init__(self, scenario: Scenario | str | Path | None, rng: int | None, overrides: Mapping[str, Any] | None,
                 paths: Mapping[str, Any], agent_sample: float | None):
        config = scenario_for(scenario, rng, overrides, paths)
        super().__init__(rng=config.seed)
        self.config = config                  # Mesa owns `self.scenario`
        # Persons followed as Mesa agents for the DataCollector's agent reporters.
        self.agent_sample = agent_sample
        self.followed: dict[int, SampledPerson] = {}
        self.datacollector = data_collector(AGENT_REPORTERS if agent_sample else None, SampledPerson)

    def _wrapped_step(self) -> None:
        """Mesa calls this for `model.step()` (its __init__ binds `step` to it, then it runs ours):
        refused past the end year here, before Mesa counts a step or advances its clock."""
        if self.year >= self.config.end_year:
            raise RuntimeError(f"the run ends in {self.config.end_year} (the scenario's end_year) and "
                               f"{self.year} is done; build the model with a later end_year to go on")
        super()._wrapped_step()

    def collect(self) -> None:
        """The followed persons brought up to date, then the DataCollector."""
        if self.agent_sample:
            follow(self, self.agent_sample, self.followed)
        self.datacollector.collect(self)

    def run(self) -> None:
        while self.year < self.config.end_year:
            self.step()

    def persons_frame(self, sample: float = 1.0):
        """The living persons now as a pandas DataFrame with readable columns (or a `sample` of
        them by stable id); see sim/panel.py and docs/outcomes.md."""
        return persons_frame(self, sample)

    def households_frame(self, sample: float = 1.0):
        """The households with living members now as a pandas DataFrame (or a `sample` by id)."""
        return households_frame(self, sample)


# --- the DataCollector ----------------------------------------------------------

def data_collector(agent_reporters: Mapping[str, Any] | None = None, agent_type: type | None = None) -> mesa.DataCollector:
    """The model's DataCollector: city outcomes each year, and the sampled persons' attributes
    (agent-type reporters of `agent_type`) when asked."""
    types = {agent_type: dict(agent_reporters)} if agent_reporters and agent_type is not None else None
    return mesa.DataCollector(model_reporters=model_reporters(), agenttype_reporters=types)


# --- persons as Mesa agents, for agent reporters ------------------------------------

class SampledPerson(mesa.Agent):
    """A sampled person as a Mesa agent, so that a `mesa.DataCollector` can report on it (agent-type
    reporters). Its attributes are the columns of `persons_frame`, refreshed each year; the person's
    stable id is `person_id` (Mesa numbers agents itself in `unique_id`)."""

    def __init__(self, model, person_id: int):
        super().__init__(model)
        self.person_id = person_id


def follow(model, sample: float, agents: dict[int, SampledPerson]) -> None:
    """Bring the sampled persons' agents (by stable id in `agents`) up to date: new ones for persons
    who joined the sample (born, arrived), removed for those who died or left the model."""
    frame = persons_frame(model, sample)
    current = set(frame.id.tolist())
    for pid in [pid for pid in agents if pid not in current]:
        agents.pop(pid).remove()
    columns = [c for c in frame.columns if c not in ("year", "id")]
    for pid, values in zip(frame.id.tolist(), frame[columns].itertuples(index=False, name=None)):
        agent = agents.get(pid)
        if agent is None:
            agent = agents[pid] = SampledPerson(model, pid)
        for name, value in zip(columns, values):
            setattr(agent, name, value)


AGENT_REPORTERS = {name: name for name in ("person_id", "household_id", "age", "sex", "education", "job",
                                           "residence_county", "residence_area", "hukou_county", "hukou_area",
                                           "permit", "settled_pathway", "kind")}
