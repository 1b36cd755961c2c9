"""A scenario: a run's whole input, loaded from a planner-editable YAML file.

`load_scenario(path)` reads with `yaml_guard.read_yaml` (bounded size, depth and aliases) and validates with pydantic
(`extra="forbid"`, `frozen=True` on every block). Every problem becomes one line
naming the file, the YAML line, the field path, what was expected and what was
found, collected in a `ScenarioError`.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, ValidationInfo, field_validator, model_validator

from .blocks import Block, problem_at
from .costs import Costs
from .parameters import Behaviour, calibrated_values
from .places import CODES
from .yaml_guard import YamlLines, YamlProblem, read_yaml, short
from .policies.levers import Policy

CountyCode = Literal["211202", "211204", "211221", "211223", "211224", "211281", "211282"]
assert set(CountyCode.__args__) == set(CODES)  # keep in step with sim.places


# Tieling's whole register was 2.94 million at the end of 2017 (figures.csv); no county holds more.
MAX_COUNTY_HUKOU = 3_000_000
MAX_DESCRIPTION = 4_000   # characters: a paragraph or two; the library's longest is under 600


class Initial(Block):
    """Overrides of the initial stocks a planner knows better than the census estimate."""
    hukou_holders: dict[CountyCode, Annotated[int, Field(ge=0, le=MAX_COUNTY_HUKOU)]] = Field(
        default_factory=dict,
        description="registered (hukou) population per county at the base year, e.g. from the public-security "
                    "registry; at least the residents registered there (census), at most 3 million (the whole "
                    "city's register was 2.94 million in 2017)")
    urban_hukou_share: dict[CountyCode, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict, description="share of each county's hukou holders registered in its town (0-1)")
    within_city_share: float = Field(
        0.4, ge=0, le=1,
        description="assumption: share of residents registered in 'another county of Liaoning' (census) whose hukou "
                    "is in another county of Tieling itself; the census does not split this column")



class Scenario(Block):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[\w\-]+$")
    description: str = Field("", max_length=MAX_DESCRIPTION)
    description_zh: str = Field("", max_length=MAX_DESCRIPTION,
                                description="the description in Chinese, shown in the dashboard's Chinese view")
    seed: int = Field(0, ge=0, le=2**32 - 1)
    base_year: Literal[2010, 2020] = 2020
    end_year: int = Field(2035, ge=2011, le=2060)
    scale: float = Field(0.1, gt=0, le=1)
    initial: Initial = Field(default_factory=Initial)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    costs: Costs = Field(default_factory=Costs)
    policy: Policy = Field(default_factory=Policy)

    @model_validator(mode="before")
    @classmethod
    def _calibrated_defaults(cls, data: Any) -> Any:
        """Fill behaviour values that the file leaves out from data/calibration.json."""
        if not isinstance(data, dict):
            return data
        values = calibrated_values()
        if not values:
            return data
        data = copy.deepcopy(data)
        beh = data.get("behaviour")
        if isinstance(beh, BaseModel):
            return data
        if beh is None:
            beh = data["behaviour"] = {}
        if not isinstance(beh, dict):
            return data
        for path, value in values.items():
            _, block, name = path.split(".")
            sub = beh.setdefault(block, {})
            if isinstance(sub, dict):
                sub.setdefault(name, value)
        return data

    @field_validator("end_year")
    @classmethod
    def _after_base_year(cls, end_year: int, info: ValidationInfo) -> int:
        base = info.data.get("base_year")
        if base is not None and end_year <= base:
            raise ValueError(f"a year after base_year {base}")
        return end_year

    @model_validator(mode="after")
    def _register_holds_its_residents(self) -> "Scenario":
        """Hukou holders include the residents registered in the county; a smaller number cannot be
        built (synthesis would keep the residents and drop only the registered people living outside)."""
        if not self.initial.hukou_holders:
            return self
        from .population.synthesis import registered_residents   # late: the census is read only here
        least = registered_residents(self.base_year, self.initial.within_city_share)
        for code, n in self.initial.hukou_holders.items():
            need = int(least[CODES.index(code)])
            if n < need:
                raise problem_at(f"initial.hukou_holders.{code}",
                                 f"at least {need:,} (the residents registered in {code} in the {self.base_year} "
                                 "census; the rest of its holders live outside Tieling)", n)
        return self


class ScenarioError(ValueError):
    """One or more problems with a scenario; `problems` holds one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))

    def __reduce__(self):
        # pickled whole (a run's replicate worker sends it to the run, dashboard/pool.py), not
        # rebuilt from the joined message
        return type(self), (self.problems,)


# --- loading ------------------------------------------------------------

def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file. Raises ScenarioError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError([f"{path}: cannot read: {e}"]) from None
    return parse_scenario(text, source=str(path))


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """Validate scenario YAML text; `source` names it in messages."""
    try:
        data, node = read_yaml(text)
    except YamlProblem as e:
        raise ScenarioError([f"{source}:{e.line}: {e}" if e.line else f"{source}: {e}"]) from None
    if not isinstance(data, dict):
        raise ScenarioError([f"{source}: expected a mapping of scenario fields at the top, found {type(data).__name__}"])
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(_problems(e, source, node)) from None


def with_overrides(scenario: Scenario, overrides: dict[str, Any]) -> Scenario:
    """A new scenario with dotted-path overrides applied and validated again.

    `with_overrides(s, {"policy.graduates.settlement": "closed", "scale": 0.1})`
    """
    data = scenario.model_dump(mode="json")
    for path, value in overrides.items():
        keys = path.split(".")
        cur = data
        for i, k in enumerate(keys[:-1]):
            if not isinstance(cur, dict) or k not in cur:
                raise ScenarioError([f"override {path}: no field {'.'.join(keys[: i + 1])}"])
            cur = cur[k]
        if not isinstance(cur, dict) or (keys[-1] not in cur and keys[0] != "initial"):
            raise ScenarioError([f"override {path}: no field {path}"])
        cur[keys[-1]] = value
    try:
        return Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(_problems(e, "override", None)) from None


def parse_override(text: str) -> tuple[str, Any]:
    """'policy.purchase.enabled=false' -> ('policy.purchase.enabled', False); values are YAML."""
    if "=" not in text:
        raise ScenarioError([f"--set {text}: expected PATH=VALUE"])
    path, raw = text.split("=", 1)
    try:
        return path.strip(), read_yaml(raw)[0]     # guarded like a file (sim/yaml_guard.py)
    except YamlProblem as e:
        raise ScenarioError([f"--set {short(text)}: the value is not YAML the simulator reads: {e}"]) from None


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML that `load_scenario` reads back to an equal scenario."""
    return yaml.safe_dump(scenario.model_dump(mode="json"), allow_unicode=True, sort_keys=False)


# --- messages -------------------------------------------------------------

MAX_PROBLEMS = 20   # a file with thousands of wrong keys gets the first ones and a count


def _problems(e: ValidationError, source: str, node: yaml.Node | None) -> list[str]:
    errors = e.errors()
    lines = YamlLines(node)
    problems = [_describe(err, source, lines) for err in errors[:MAX_PROBLEMS]]
    if len(errors) > MAX_PROBLEMS:
        problems.append(f"{source}: ... and {len(errors) - MAX_PROBLEMS:,} more problems")
    return problems


def _describe(err: dict, source: str, lines: YamlLines) -> str:
    loc = tuple(x for x in err["loc"] if not str(x).startswith("function-after") and x != "[key]")
    path = ".".join(str(x) for x in loc) or "(top level)"
    line = lines(loc)
    where = f"{source}:{line}" if line else source
    kind, msg, found = err["type"], err["msg"], err.get("input")
    if kind == "value_at":   # a cross-field rule names the field it is about (sim.blocks.problem_at)
        loc = loc + tuple(err["ctx"]["at"].split("."))
        path, line = ".".join(str(x) for x in loc), lines(loc)
        where = f"{source}:{line}" if line else source
        return f"{where}: {path}: expected {short(err['ctx']['expected'], 200)}, found {short(err['ctx']['found'])}"
    if kind == "extra_forbidden":
        expected = f"one of the known fields ({', '.join(_known_fields(loc[:-1]))})"
        return f"{where}: {path}: unknown field; expected {expected}, found {short(loc[-1])}"
    if kind == "missing":
        return f"{where}: {path}: required field is missing"
    expected = msg.removeprefix("Input should be ").removeprefix("Value error, ")
    return f"{where}: {path}: expected {short(expected, 200)}, found {short(found)}"


def _known_fields(loc: tuple) -> list[str]:
    model: Any = Scenario
    for key in loc:
        field = getattr(model, "model_fields", {}).get(str(key))
        if field is None:
            return []
        model = field.annotation
    return list(getattr(model, "model_fields", {}).keys())
