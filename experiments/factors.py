"""A sweep's factors resolved against the scenario schema: the field each path names, the values
it may take (checked against the field's type and bounds), and how a point of the unit interval
becomes one of them (`Factor.value_at`).
"""
from __future__ import annotations

import difflib
import json
import math
import types
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from sim import COUNTIES, Scenario

from .spec import FactorSpec, Kind, Method, SweepError, SweepSpec

# Top-level scenario fields that cannot be factors: names, and the seed (replicates own it).
NOT_FACTORS = {"name": "a label", "description": "a label",
               "seed": "replicate seeds come from the spec's `seed` and `replicates`"}


class Factor:
    """A factor checked against the scenario schema: its path, kind and the values it can take.

    `value_at(u)` maps a point u in [0, 1) of the unit interval to a value: floats
    lo + u (hi - lo); ints and choices split [0, 1) into equal parts, one per value
    (choice i of k takes u in [i/k, (i+1)/k)). This is how Sobol', Morris and LHS
    samples, drawn in the unit cube, become scenario values.
    """

    def __init__(self, path: str, kind: Kind, *, lo: float | None = None, hi: float | None = None,
                 choices: list[Any] | None = None, levels: int | None = None, design: Any = None):
        self.path, self.kind = path, kind
        self.lo, self.hi, self.levels = lo, hi, levels
        self.choices = list(choices) if choices is not None else None
        method = getattr(design, "method", Method.sobol)
        self.method = Method(method)
        self.grid_levels = getattr(design, "levels", 3) if self.method == Method.grid else 3
        self.morris_levels = getattr(design, "levels", 4) if self.method == Method.morris else 4

    def __repr__(self) -> str:
        rng = f"choices={self.choices}" if self.kind == Kind.choice else f"lo={self.lo}, hi={self.hi}"
        return f"Factor({self.path!r}, {self.kind.value}, {rng})"

    @property
    def n_values(self) -> int | None:
        if self.kind == Kind.choice:
            return len(self.choices)
        if self.kind == Kind.int:
            return int(self.hi - self.lo) + 1
        return None

    def value_at(self, u: float) -> Any:
        u = min(max(float(u), 0.0), 1.0)
        if self.kind == Kind.float:
            return self.lo + u * (self.hi - self.lo)
        k = self.n_values
        i = min(int(math.floor(u * k)), k - 1)
        return int(self.lo) + i if self.kind == Kind.int else self.choices[i]

    def grid(self, default_levels: int) -> list[Any]:
        if self.kind == Kind.choice:
            return list(self.choices)
        n = self.levels or default_levels
        values = [self.lo + (self.hi - self.lo) * i / (n - 1) for i in range(n)]
        if self.kind == Kind.int:
            return sorted({int(round(v)) for v in values})
        return values

    def level_of(self, value: Any) -> int | None:
        """Index of a choice value (None for numeric factors)."""
        if self.kind != Kind.choice:
            return None
        return [json.dumps(c, sort_keys=True) for c in self.choices].index(json.dumps(value, sort_keys=True))

    def column(self, value: Any) -> Any:
        """The value as stored in a table column: scalars as they are, lists and maps as JSON text."""
        if isinstance(value, (list, dict)):
            return json.dumps(value, sort_keys=True, ensure_ascii=False)
        return value

    @property
    def encoding(self) -> str:
        """How the factor enters the design, in words (written next to the indices)."""
        def show(values):
            return ", ".join(f"{v:.6g}" if isinstance(v, float) else str(self.column(v)) for v in values)

        if self.method == Method.grid:
            return f"grid values {show(self.grid(self.grid_levels))}"
        if self.method == Method.morris:
            at = [self.value_at(i / (self.morris_levels - 1)) for i in range(self.morris_levels)]
            where = f"the {self.morris_levels} Morris grid levels give {show(at)}"
        else:
            where = "each equally likely" if self.kind != Kind.float else ""
        if self.kind == Kind.float:
            return f"continuous on [{self.lo}, {self.hi}]" + (f"; {where}" if where else "")
        if self.kind == Kind.int:
            return f"integer {int(self.lo)}..{int(self.hi)}; {where}"
        labels = ", ".join(f"{i}={self.column(c)}" for i, c in enumerate(self.choices))
        return f"choice mapped to integer levels ({labels}); {where}"

    def describe(self) -> dict:
        d: dict[str, Any] = {"path": self.path, "kind": self.kind.value, "encoding": self.encoding}
        if self.kind == Kind.choice:
            d["choices"] = self.choices
        else:
            d["lo"], d["hi"] = self.lo, self.hi
            if self.levels:
                d["levels"] = self.levels
        return d


def unwrap(ann: Any) -> Any:
    """Strip Optional/Annotated wrappers."""
    while True:
        origin = get_origin(ann)
        if origin is Annotated:
            ann = get_args(ann)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(ann) if a is not type(None)]
            if len(args) != 1:
                return ann
            ann = args[0]
        else:
            return ann


def is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def field_at(path: str) -> tuple[Any, list]:
    """(annotation, constraints) of the scenario field at a dotted path, or SweepError(reason).

    Paths run through the scenario's blocks (`policy.graduates.settlement`,
    `behaviour.outside.return_rate`, `scale`) and into per-county maps
    (`initial.hukou_holders.211202`)."""
    model: Any = Scenario
    keys = path.split(".")
    for i, key in enumerate(keys):
        here = ".".join(keys[: i + 1])
        if is_model(model):
            fields = model.model_fields
            if key not in fields:
                near = difflib.get_close_matches(key, list(fields), n=1)
                hint = f" (did you mean {'.'.join(keys[:i] + near)}?)" if near else ""
                raise SweepError(f"unknown field {here}; expected one of the known fields "
                                 f"({', '.join(fields)}){hint}")
            info = fields[key]
            ann, meta = unwrap(info.annotation), list(info.metadata)
        elif get_origin(model) is dict:
            key_type, value_type = get_args(model)
            allowed = get_args(key_type) if get_origin(key_type) is Literal else None
            if allowed is not None and key not in allowed:
                raise SweepError(f"unknown key {here}; expected one of ({', '.join(allowed)})")
            ann, meta = unwrap(value_type), []
        else:
            raise SweepError(f"{'.'.join(keys[:i])} is a single value; it has no field {key!r}")
        if i == len(keys) - 1:
            if is_model(ann):
                raise SweepError(f"{path} is a block of fields, not a value; expected one of "
                                 f"{', '.join(path + '.' + k for k in ann.model_fields)}")
            if get_origin(ann) is dict:
                raise SweepError(f"{path} is a map; name one entry, e.g. {path}.{COUNTIES[0].code}")
            return ann, meta
        model = ann
    raise AssertionError("unreachable")  # pragma: no cover


def _options(ann: Any) -> list[Any] | None:
    """All values of a bool, enum or Literal field."""
    if ann is bool:
        return [False, True]
    if isinstance(ann, type) and issubclass(ann, Enum):
        return [m.value for m in ann]
    if get_origin(ann) is Literal:
        return list(get_args(ann))
    return None


def _plain(value: Any) -> Any:
    """JSON-like form of a validated value (enum members to their values)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def resolve_factor(path: str, spec: FactorSpec, design: Any) -> Factor:
    """Check a factor against the schema; raises SweepError with field-level reasons
    (each reason is `subfield: text` so the caller can name the YAML field)."""
    ann, adapter = _field_of(path)
    if spec.choices is not None:
        return _choice_factor(path, spec, design, adapter)
    if spec.lo is not None or spec.hi is not None:
        return _range_factor(path, spec, design, ann, adapter)
    opts = _options(ann)
    if opts is None:
        raise SweepError(": expected lo and hi (a range) or choices (a list of values), found neither")
    return Factor(path, Kind.choice, choices=opts, design=design)


def _field_of(path: str) -> tuple[Any, TypeAdapter]:
    """The scenario field at `path`: its type and a validator of its values (with its bounds)."""
    if path in NOT_FACTORS:
        raise SweepError(f": {path} cannot be a factor ({NOT_FACTORS[path]})")
    try:
        ann, meta = field_at(path)
    except SweepError as e:
        raise SweepError(f": {e.problems[0]}") from None
    return ann, TypeAdapter(Annotated[ann, *meta]) if meta else TypeAdapter(ann)


def _validated(adapter: TypeAdapter, values: list[tuple[str, Any]]) -> list[Any]:
    """Each (subfield, value) validated as the field's value, as plain data; raises SweepError
    naming every subfield whose value the field refuses."""
    problems, out = [], []
    for sub, value in values:
        try:
            out.append(_plain(adapter.validate_python(value)))
        except ValidationError as e:
            err = e.errors()[0]
            expected = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
            problems.append(f".{sub}: expected {expected}, found {value!r}")
    if problems:
        raise SweepError(problems)
    return out


def _choice_factor(path: str, spec: FactorSpec, design: Any, adapter: TypeAdapter) -> Factor:
    """A factor over a list of values: each a valid value of the field, distinct, at least two."""
    if spec.lo is not None or spec.hi is not None:
        raise SweepError(": give either lo and hi, or choices, not both")
    if spec.levels is not None:
        raise SweepError(".levels: applies to lo/hi ranges only; the choices are the levels")
    values = _validated(adapter, [(f"choices[{i}]", v) for i, v in enumerate(spec.choices)])
    keys = [json.dumps(v, sort_keys=True) for v in values]
    if len(set(keys)) != len(keys):
        raise SweepError(f".choices: expected distinct values, found {spec.choices!r}")
    if len(values) < 2:
        raise SweepError(f".choices: expected at least 2 values (put a fixed value under `overrides`), "
                         f"found {spec.choices!r}")
    return Factor(path, Kind.choice, choices=values, design=design)


def _range_factor(path: str, spec: FactorSpec, design: Any, ann: Any, adapter: TypeAdapter) -> Factor:
    """A factor over a numeric range lo < hi, both valid values of the field (whole numbers for an
    integer field); `levels` only for the grid design."""
    if ann not in (int, float):
        opts = _options(ann)
        hint = f"choices (one of {opts})" if opts else "choices"
        raise SweepError(f": expected {hint} for this {getattr(ann, '__name__', ann)} field, found lo/hi")
    if spec.lo is None or spec.hi is None:
        raise SweepError(f".{'hi' if spec.lo is not None else 'lo'}: required with "
                         f"{'lo' if spec.lo is not None else 'hi'}")
    lo, hi = _validated(adapter, [("lo", spec.lo), ("hi", spec.hi)])
    if ann is int and (lo != spec.lo or hi != spec.hi or int(lo) != lo or int(hi) != hi):
        raise SweepError(f": expected whole numbers for an integer field, found lo={spec.lo!r}, hi={spec.hi!r}")
    if not lo < hi:
        raise SweepError(f".hi: expected a value above lo={spec.lo!r}, found {spec.hi!r}")
    if spec.levels is not None and design.method != Method.grid:
        raise SweepError(f".levels: applies to the grid design only, found design method {design.method}")
    kind = Kind.int if ann is int else Kind.float
    return Factor(path, kind, lo=lo if kind == Kind.float else int(lo),
                  hi=hi if kind == Kind.float else int(hi), levels=spec.levels, design=design)


def factors_of(spec: SweepSpec) -> list[Factor]:
    """The spec's factors resolved against the scenario schema (in spec order). Raises SweepError."""
    out, problems = [], []
    for path, fs in spec.factors.items():
        try:
            out.append(resolve_factor(path, fs, spec.design))
        except SweepError as e:
            problems += [f"{spec.source}: factors.{path}{p}" for p in e.problems]
    if problems:
        raise SweepError(problems)
    return out
