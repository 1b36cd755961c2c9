"""A sweep spec: which scenario to start from, which inputs to vary, how to sample them.

A spec is a YAML file validated with pydantic (`extra="forbid"`, `frozen=True`).
Factor paths are checked against the scenario schema, and every value a factor
can take is checked against the field's type and bounds, so a bad spec fails at
load time with one line per problem naming the file, the YAML line, the field,
what was expected and what was found:

    experiments/specs/bad.yaml:12: factors.policy.graduates.setlement: unknown field; expected one of ...

Nothing is run here; `experiments.design` turns a spec into the experiments to run.
"""
from __future__ import annotations

import difflib
import json
import math
import types
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, TypeAdapter, ValidationError

from sim import CITY_CODE, COUNTIES, OUTCOMES, Scenario, ScenarioError, YamlLines, load_scenario, with_overrides

# Top-level scenario fields that cannot be factors: names, and the seed (replicates own it).
NOT_FACTORS = {"name": "a label", "description": "a label",
               "seed": "replicate seeds come from the spec's `seed` and `replicates`"}


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


# --- factors resolved against the scenario schema ------------------------------

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


def _unwrap(ann: Any) -> Any:
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


def _is_model(ann: Any) -> bool:
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
        if _is_model(model):
            fields = model.model_fields
            if key not in fields:
                near = difflib.get_close_matches(key, list(fields), n=1)
                hint = f" (did you mean {'.'.join(keys[:i] + near)}?)" if near else ""
                raise SweepError(f"unknown field {here}; expected one of the known fields "
                                 f"({', '.join(fields)}){hint}")
            info = fields[key]
            ann, meta = _unwrap(info.annotation), list(info.metadata)
        elif get_origin(model) is dict:
            key_type, value_type = get_args(model)
            allowed = get_args(key_type) if get_origin(key_type) is Literal else None
            if allowed is not None and key not in allowed:
                raise SweepError(f"unknown key {here}; expected one of ({', '.join(allowed)})")
            ann, meta = _unwrap(value_type), []
        else:
            raise SweepError(f"{'.'.join(keys[:i])} is a single value; it has no field {key!r}")
        if i == len(keys) - 1:
            if _is_model(ann):
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
    if path in NOT_FACTORS:
        raise SweepError(f": {path} cannot be a factor ({NOT_FACTORS[path]})")
    try:
        ann, meta = field_at(path)
    except SweepError as e:
        raise SweepError(f": {e.problems[0]}") from None
    adapter = TypeAdapter(Annotated[ann, *meta]) if meta else TypeAdapter(ann)
    method = design.method
    problems: list[str] = []

    def check(sub: str, value: Any) -> Any:
        try:
            return _plain(adapter.validate_python(value))
        except ValidationError as e:
            err = e.errors()[0]
            expected = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
            problems.append(f".{sub}: expected {expected}, found {value!r}")
            return None

    numeric = ann in (int, float)
    if spec.choices is not None:
        if spec.lo is not None or spec.hi is not None:
            raise SweepError(": give either lo and hi, or choices, not both")
        if spec.levels is not None:
            raise SweepError(".levels: applies to lo/hi ranges only; the choices are the levels")
        values = [check(f"choices[{i}]", v) for i, v in enumerate(spec.choices)]
        if problems:
            raise SweepError(problems)
        keys = [json.dumps(v, sort_keys=True) for v in values]
        if len(set(keys)) != len(keys):
            raise SweepError(f".choices: expected distinct values, found {spec.choices!r}")
        if len(values) < 2:
            raise SweepError(f".choices: expected at least 2 values (put a fixed value under `overrides`), "
                             f"found {spec.choices!r}")
        return Factor(path, Kind.choice, choices=values, design=design)
    if spec.lo is not None or spec.hi is not None:
        if not numeric:
            opts = _options(ann)
            hint = f"choices (one of {opts})" if opts else "choices"
            raise SweepError(f": expected {hint} for this {getattr(ann, '__name__', ann)} field, found lo/hi")
        if spec.lo is None or spec.hi is None:
            raise SweepError(f".{'hi' if spec.lo is not None else 'lo'}: required with "
                             f"{'lo' if spec.lo is not None else 'hi'}")
        lo, hi = check("lo", spec.lo), check("hi", spec.hi)
        if problems:
            raise SweepError(problems)
        if ann is int and (lo != spec.lo or hi != spec.hi or int(lo) != lo or int(hi) != hi):
            raise SweepError(f": expected whole numbers for an integer field, found lo={spec.lo!r}, hi={spec.hi!r}")
        if not lo < hi:
            raise SweepError(f".hi: expected a value above lo={spec.lo!r}, found {spec.hi!r}")
        if spec.levels is not None and method != Method.grid:
            raise SweepError(f".levels: applies to the grid design only, found design method {method}")
        kind = Kind.int if ann is int else Kind.float
        return Factor(path, kind, lo=lo if kind == Kind.float else int(lo),
                      hi=hi if kind == Kind.float else int(hi), levels=spec.levels, design=design)
    opts = _options(ann)
    if opts is None:
        raise SweepError(": expected lo and hi (a range) or choices (a list of values), found neither")
    return Factor(path, Kind.choice, choices=opts, design=design)


# --- loading -------------------------------------------------------------------

class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a mapping key given twice (plain safe_load keeps the last silently)."""


def _no_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False):
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} is given twice (first on line {seen[key]})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def _known(loc: tuple) -> list[str]:
    """Field names of the spec block at `loc` (map keys such as factor paths are stepped over)."""
    model: Any = SweepSpec
    keys = list(loc)
    while keys:
        if not _is_model(model):
            return []
        field = model.model_fields.get(str(keys.pop(0)))
        if field is None:
            return []
        model = _unwrap(field.annotation)
        if get_origin(model) is dict:
            model = get_args(model)[1]
            if keys:
                keys.pop(0)   # the map key
    return list(model.model_fields) if _is_model(model) else []


def _describe(err: dict, source: str, node: yaml.Node | None) -> str:
    # Drop the discriminator tag pydantic puts in the location of a tagged union.
    loc = tuple(err["loc"])
    if loc[:1] == ("design",) and len(loc) > 1 and loc[1] in {m.value for m in Method}:
        loc = ("design",) + loc[2:]
    path = ".".join(str(x) for x in loc) or "(top level)"
    line = YamlLines(node)(loc)
    where = f"{source}:{line}" if line else source
    kind, found = err["type"], err.get("input")
    if kind == "extra_forbidden":
        parent = loc[:-1]
        if parent[:1] == ("design",):
            tag = err["loc"][1]
            known = list({"grid": GridDesign, "lhs": LhsDesign, "sobol": SobolDesign,
                          "morris": MorrisDesign}[tag].model_fields)
        else:
            known = _known(parent)
        return (f"{where}: {path}: unknown field; expected one of the known fields ({', '.join(known)}), "
                f"found {loc[-1]!r}")
    if kind == "missing":
        return f"{where}: {path}: required field is missing"
    if kind == "too_short":
        n = err.get("ctx", {}).get("min_length", 1)
        return f"{where}: {path}: expected at least {n} entr{'y' if n == 1 else 'ies'}, found {found!r}"
    methods = ", ".join(m.value for m in Method)
    if kind == "union_tag_invalid":
        if isinstance(found, dict):
            return f"{where}: {path}.method: expected one of ({methods}), found {found.get('method')!r}"
        return f"{where}: {path}: expected a design method, found {found!r}"
    if kind == "union_tag_not_found":
        return f"{where}: {path}.method: required field is missing; expected one of ({methods})"
    expected = err["msg"].removeprefix("Input should be ").removeprefix("Value error, ")
    return f"{where}: {path}: expected {expected}, found {found!r}"


def parse_sweep(text: str, source: str = "<spec>", root: str | Path | None = None) -> SweepSpec:
    """Validate sweep-spec YAML text. `source` names it in messages; `root` is the folder
    that `base:` is relative to (default: the current folder). Raises SweepError."""
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise SweepError(f"{where}: invalid YAML: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(data, dict):
        raise SweepError(f"{source}: expected a mapping of sweep fields at the top, found {type(data).__name__}")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as e:
        raise SweepError([_describe(err, source, node) for err in e.errors()]) from None
    spec._root = Path(root) if root is not None else Path.cwd()
    spec._source = source
    problems = check_spec(spec, node)
    if problems:
        raise SweepError(problems)
    return spec


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec file; `base:` is relative to the file's folder. Raises SweepError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SweepError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SweepError(f"{path}: cannot read: {e}") from None
    return parse_sweep(text, source=str(path), root=path.parent)


# --- checks that need the scenario schema ----------------------------------------

def _where(spec: SweepSpec, node: yaml.Node | None, *loc: Any) -> str:
    line = YamlLines(node)(loc)
    return f"{spec.source}:{line}" if line else spec.source


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


def _base(spec: SweepSpec) -> tuple[Scenario | None, list[tuple[str, str]]]:
    """The base scenario with overrides, scale and end year applied, or the problems as (field, text)."""
    try:
        base = load_scenario(spec.base_path)
    except ScenarioError as e:
        return None, [("base", p) for p in e.problems]
    over = dict(spec.overrides)
    if spec.scale is not None:
        over["scale"] = spec.scale
    if spec.end_year is not None:
        over["end_year"] = spec.end_year
    try:
        return (with_overrides(base, over) if over else base), []
    except ScenarioError as e:
        return None, [("overrides", p.removeprefix("override: ").removeprefix("override ")) for p in e.problems]


def base_scenario(spec: SweepSpec) -> Scenario:
    """The base scenario with the spec's overrides, scale and end year applied. Raises SweepError."""
    base, problems = _base(spec)
    if problems:
        raise SweepError([f"{spec.source}: {field}: {text}" for field, text in problems])
    return base


def check_spec(spec: SweepSpec, node: yaml.Node | None = None) -> list[str]:
    """Problems that need the scenario schema: factor paths and values, the base scenario,
    outcomes, years, counties and design sizes. One line each; empty when the spec is good."""
    problems: list[str] = []
    method = spec.design.method
    for path, fs in spec.factors.items():
        try:
            resolve_factor(path, fs, spec.design)
        except SweepError as e:
            problems += [f"{_where(spec, node, 'factors', path)}: factors.{path}{p}" for p in e.problems]
        if path in spec.overrides:
            problems.append(f"{_where(spec, node, 'overrides', path)}: overrides.{path}: is also a factor; "
                            f"expected it in one place, found both")
        if path in ("scale", "end_year") and getattr(spec, path) is not None:
            problems.append(f"{_where(spec, node, path)}: {path}: is also a factor; "
                            f"expected it in one place, found both")
    base, base_problems = _base(spec)
    problems += [f"{_where(spec, node, field)}: {field}: {text}" for field, text in base_problems]
    for i, name in enumerate(spec.outcomes):
        if name not in OUTCOMES:
            near = difflib.get_close_matches(name, list(OUTCOMES), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            problems.append(f"{_where(spec, node, 'outcomes', i)}: outcomes[{i}]: expected one of the outcomes "
                            f"({', '.join(OUTCOMES)}), found {name!r}{hint}")
    if len(set(spec.outcomes)) != len(spec.outcomes):
        problems.append(f"{_where(spec, node, 'outcomes')}: outcomes: expected distinct names, found {spec.outcomes}")
    codes = {c.code for c in COUNTIES} | {CITY_CODE, "*"}
    for i, code in enumerate(spec.counties):
        if code not in codes:
            problems.append(f"{_where(spec, node, 'counties', i)}: counties[{i}]: expected a county code "
                            f"({', '.join(sorted(codes))}), found {code!r}")
    year_factors = {"base_year", "end_year"} & set(spec.factors)
    if base is not None and spec.years is not None and not year_factors:
        for i, y in enumerate(spec.years):
            if not base.base_year <= y <= base.end_year:
                problems.append(f"{_where(spec, node, 'years', i)}: years[{i}]: expected a year from "
                                f"{base.base_year} to {base.end_year}, found {y}")
    d = spec.design
    if isinstance(d, SobolDesign) and d.n & (d.n - 1):
        problems.append(f"{_where(spec, node, 'design', 'n')}: design.n: expected a power of 2 for Sobol' "
                        f"sequences (e.g. {1 << d.n.bit_length() - 1} or {1 << d.n.bit_length()}), found {d.n}")
    if isinstance(d, MorrisDesign) and d.levels % 2:
        problems.append(f"{_where(spec, node, 'design', 'levels')}: design.levels: expected an even number "
                        f"of Morris grid levels (e.g. 4), found {d.levels}")
    if method in (Method.sobol, Method.morris) and len(spec.factors) < 2:
        problems.append(f"{_where(spec, node, 'factors')}: factors: expected at least 2 factors for a "
                        f"{method} design, found {len(spec.factors)}")
    return problems


def spec_yaml(spec: SweepSpec) -> str:
    """The spec as YAML text (`parse_sweep` reads it back to an equal spec)."""
    return yaml.safe_dump(spec.canonical(), allow_unicode=True, sort_keys=False)
