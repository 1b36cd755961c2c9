"""A sweep spec as a file: read (YAML, a key given twice refused), validated with the YAML line of
each problem, checked against the scenario schema, and written back. A bad spec fails at load
time with one line per problem naming the file, the YAML line, the field, what was expected and
what was found:

    experiments/specs/bad.yaml:12: factors.policy.graduates.setlement: unknown field; expected one of ...
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import ValidationError

from sim import (CITY_CODE, COUNTIES, OUTCOMES, Scenario, ScenarioError, YamlLines, YamlProblem, load_scenario,
                 read_yaml, with_overrides)

from .factors import is_model, resolve_factor, unwrap
from .spec import GridDesign, LhsDesign, Method, MorrisDesign, SobolDesign, SweepError, SweepSpec


# --- loading -------------------------------------------------------------------

def _known(loc: tuple) -> list[str]:
    """Field names of the spec block at `loc` (map keys such as factor paths are stepped over)."""
    model: Any = SweepSpec
    keys = list(loc)
    while keys:
        if not is_model(model):
            return []
        field = model.model_fields.get(str(keys.pop(0)))
        if field is None:
            return []
        model = unwrap(field.annotation)
        if get_origin(model) is dict:
            model = get_args(model)[1]
            if keys:
                keys.pop(0)   # the map key
    return list(model.model_fields) if is_model(model) else []


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
    try:   # bounded size, depth and aliases, no key twice (the scenario files' reader)
        data, node = read_yaml(text)
    except YamlProblem as e:
        raise SweepError(f"{source}:{e.line}: {e}" if e.line else f"{source}: {e}") from None
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
