"""The rules in force in a given year: the only reader of `config.policy`.

Before `policy.start_year` the historical rules apply (`HISTORICAL`: the rules Tieling
had before the reform document, `historical.yaml`, which the `baseline_pre_reform` scenario runs throughout). From the
start year the scenario's policy applies, phased in over `policy.phase_in_years`:
numbers move linearly from the historical value, switches and options change when
half the phase-in has passed (clause 十一: "avoid rushing").
"""
from __future__ import annotations

from importlib import resources
from typing import Any

from pydantic import BaseModel

from ..yaml_guard import read_yaml
from .levers import Policy

# The rules before the reform: graduates conditional, purchase with a floor-area minimum, no
# insurance pathway, weak permits, settling costs rural rights. Declared once, in historical.yaml.
HISTORICAL_FILE = resources.files("sim") / "policies" / "historical.yaml"
HISTORICAL = Policy.model_validate(read_yaml(HISTORICAL_FILE.read_text(encoding="utf-8"))[0])
# Levers that are not phased: the phase-in itself, and statistics, which describe the run rather
# than a reform (the scenario's value applies every year).
UNPHASED = ("policy.start_year", "policy.phase_in_years", "policy.statistics.survey_sample_rate")


class Rules(Policy):
    """The rules in force in one year: a policy whose values are the historical ones phased into
    the scenario's (numbers may then lie between the two: 4.25 years). Read by lever path, e.g.
    `rules.purchase.min_floor_area_m2`; built by `rules_for`, never validated again."""

    @property
    def permit_access(self) -> float:
        """Mean access a permit gives to public services, relative to hukou holders (0-1): the
        only way the seven `residence_permit.services` shares act."""
        shares = self.residence_permit.services.model_dump()
        return sum(shares.values()) / len(shares)

    def at(self, path: str) -> Any:
        """The value of a lever by its path under `policy.` ("graduates.settlement")."""
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part)
        return value


def _mix(old, new, s: float):
    """Phase-in: numbers interpolate; anything else switches at the half-way point."""
    if isinstance(new, bool) or not isinstance(new, (int, float)):
        return new if s >= 0.5 else old
    return old + (new - old) * s


def _mixed(old: BaseModel, new: BaseModel, s: float, kind: type[BaseModel], prefix: str = "policy") -> BaseModel:
    """`kind` built from the blocks `old` and `new`, lever by lever (`UNPHASED` levers: `new`)."""
    values = {}
    for name in type(new).model_fields:
        o, n, path = getattr(old, name), getattr(new, name), f"{prefix}.{name}"
        if isinstance(n, BaseModel):
            values[name] = _mixed(o, n, s, type(n), path)
        else:
            values[name] = n if path in UNPHASED else _mix(o, n, s)
    return kind.model_construct(**values)


def phase(policy: Policy, year: int) -> float:
    """How far the scenario's policy is in force in `year`: 0 before `start_year`, then rising
    to 1 over `phase_in_years` (at once when 0)."""
    if year < policy.start_year:
        return 0.0
    if policy.phase_in_years == 0:
        return 1.0
    return min(1.0, (year - policy.start_year + 1) / policy.phase_in_years)


def rules_for(policy: Policy, year: int) -> Rules:
    return _mixed(HISTORICAL, policy, phase(policy, year), Rules)


def rules_known(policy: Policy, base_year: int, year: int) -> Rules:
    """The rules people knew in `year`: in the base year, the rules before the reform (the base
    population's awareness and choices are of those), else the rules of the year."""
    return rules_for(policy, year if year > base_year else min(base_year, policy.start_year - 1))
