"""A sweep spec: which scenario to start from, which inputs to vary, how to sample them.

The spec's schema, in pydantic (`extra="forbid"`, `frozen=True`). Its factors are resolved
against the scenario schema in `experiments.factors`; a spec file is read and checked, with
the YAML line of each problem, in `experiments.spec_file`. Nothing is run here;
`experiments.design` turns a spec into the experiments to run.
"""
from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from sim import CITY_CODE


class SweepError(ValueError):
    """One or more problems with a sweep spec or store; `problems` holds one line each."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class Method(StrEnum):
    grid = "grid"
    lhs = "lhs"
    sobol = "sobol"
    morris = "morris"


class Kind(StrEnum):
    """How a factor varies: over a numeric range (float or int) or over a list of choices."""
    float = "float"
    int = "int"
    choice = "choice"


# --- the spec ------------------------------------------------------------------

class _Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GridDesign(_Block):
    """Every combination: numeric factors at `levels` evenly spaced values (ends included), choices all."""
    method: Literal["grid"]
    levels: int = Field(3, ge=2, le=100)


class LhsDesign(_Block):
    """Latin hypercube sample of `n` points."""
    method: Literal["lhs"]
    n: int = Field(ge=2, le=1_000_000)


class SobolDesign(_Block):
    """Saltelli/Sobol' sample: n × (D + 2) points, or n × (2D + 2) with second-order indices."""
    method: Literal["sobol"]
    n: int = Field(ge=2, le=1_048_576, description="base sample size, a power of 2")
    second_order: bool = False


class MorrisDesign(_Block):
    """Morris elementary effects: `trajectories` × (D + 1) points on a grid of `levels`."""
    method: Literal["morris"]
    trajectories: int = Field(ge=2, le=10_000)
    levels: int = Field(4, ge=2, le=100, description="grid levels p, even")


DesignSpec = Annotated[Union[GridDesign, LhsDesign, SobolDesign, MorrisDesign], Field(discriminator="method")]


class FactorSpec(_Block):
    """A factor's range (`lo`, `hi`) or its `choices`; bools and options default to all their values."""
    lo: float | None = None
    hi: float | None = None
    choices: list[Any] | None = None
    levels: int | None = Field(None, ge=2, le=100, description="grid only: values between lo and hi")


class SweepSpec(_Block):
    name: str = Field(min_length=1, max_length=80, pattern=r"^[\w\-]+$")
    description: str = ""
    base: str = Field(min_length=1, description="scenario YAML file, relative to the spec file")
    overrides: dict[str, Any] = Field(default_factory=dict,
                                      description="fixed changes to the base scenario, by dotted path")
    scale: float | None = Field(None, gt=0, le=1, description="sampled share of the population")
    end_year: int | None = Field(None, ge=2011, le=2060)
    seed: int = Field(0, ge=0, le=2**32 - 1, description="root of the design sample and the replicate seeds")
    replicates: int = Field(1, ge=1, le=10_000)
    design: DesignSpec
    factors: dict[str, FactorSpec] = Field(min_length=1)
    outcomes: list[str] = Field(min_length=1)
    years: list[int] | None = Field(None, min_length=1, description="years of interest; default: end year")
    counties: list[str] = Field(default_factory=lambda: [CITY_CODE],
                                description="county codes to keep; 211200 is the city; '*' keeps all")
    groups: list[str] = Field(default_factory=lambda: ["all"], description="groups to keep; '*' keeps all")

    _root: Path = PrivateAttr(default_factory=Path.cwd)
    _source: str = PrivateAttr(default="<spec>")

    @property
    def source(self) -> str:
        """Where the spec came from (its file name, or `<spec>`), for messages."""
        return self._source

    @property
    def base_path(self) -> Path:
        return self._root / self.base

    def canonical(self) -> dict:
        """The spec as plain JSON data, `base` as written."""
        return self.model_dump(mode="json")
