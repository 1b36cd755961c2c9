"""Behavioural parameters: the `behaviour:` block of a scenario.

Every parameter names its source (a row of `data/figures.csv`, a census column of
`data/tieling_census_*.csv`, a schedule of `data/demographic_schedules.csv`, a
paper) or says it is an assumption and why. Values that `urbsim calibrate` fits
are overlaid from `data/calibration.json`, which records the command and date
that produced them (see `docs/calibration.md`); they are never hand-edited.

The blocks are declared by subject: `life.py` (Demography, Education), `moves.py` (Outside,
Migration), `town.py` (Work, Housing, Services), `register.py` (Settling, Registry); each field
with `fields.param`. `Behaviour` gathers them in the order of the scenario's `behaviour:` block.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from pydantic import BaseModel, Field

from ..blocks import Block
from .fields import at_most_one_with, param
from .life import Demography, Education
from .moves import Migration, Outside
from .register import Registry, Settling
from .town import Housing, Services, Work

__all__ = ["PARAMETERS", "Behaviour", "Block", "Demography", "Education", "Housing", "Migration", "Outside",
           "ParameterInfo", "Registry", "Services", "Settling", "Work", "at_most_one_with", "calibrated_values",
           "iter_parameters", "param", "parameter_infos"]


class Behaviour(Block):
    demography: Demography = Field(default_factory=Demography)
    outside: Outside = Field(default_factory=Outside)
    migration: Migration = Field(default_factory=Migration)
    work: Work = Field(default_factory=Work)
    education: Education = Field(default_factory=Education)
    settling: Settling = Field(default_factory=Settling)
    housing: Housing = Field(default_factory=Housing)
    services: Services = Field(default_factory=Services)
    registry: Registry = Field(default_factory=Registry)


def iter_parameters(model: type[BaseModel] = Behaviour, prefix: str = "behaviour"):
    """Yield (path, pydantic FieldInfo) for every behavioural parameter: the schema-level view
    the dashboard and calibration build on. For plain records use `PARAMETERS` (ParameterInfo)
    or `sim.parameters_table()`."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            yield from iter_parameters(ann, f"{prefix}.{name}")
        else:
            yield f"{prefix}.{name}", info


@lru_cache(maxsize=1)
def calibrated_values() -> dict[str, float]:
    """Calibrated defaults {"behaviour.outside.return_rate": value, ...} from data/calibration.json."""
    path = resources.files("sim") / "data" / "calibration.json"
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")).get("values", {}))


@dataclass(frozen=True)
class ParameterInfo:
    """One behavioural parameter as plain data (what `iter_parameters` buries in pydantic metadata)."""
    path: str               # "behaviour.outside.return_rate"
    kind: str               # "float" | "int"
    default: float          # what a scenario gets when it leaves the parameter out (calibrated if fitted)
    declared: float         # the default written in this module
    calibrated: bool        # default comes from data/calibration.json (`urbsim calibrate`)
    lo: float
    hi: float
    unit: str
    source: str             # a data file, census column, paper, or "assumption: ..." with its reason
    assumption: bool

    @property
    def block(self) -> str:
        return self.path.split(".")[1]


def _parameter_info(path: str, info: Any) -> ParameterInfo:
    extra = info.json_schema_extra or {}
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    declared = info.get_default(call_default_factory=True)
    fitted = calibrated_values()
    return ParameterInfo(path, "int" if info.annotation is int else "float", fitted.get(path, declared), declared,
                         path in fitted, lo, hi, extra.get("unit", ""), extra.get("source", ""),
                         bool(extra.get("assumption", False)))


def parameter_infos() -> tuple[ParameterInfo, ...]:
    """Every behavioural parameter, in declaration order."""
    return tuple(_parameter_info(path, info) for path, info in iter_parameters())


PARAMETERS: tuple[ParameterInfo, ...] = parameter_infos()
