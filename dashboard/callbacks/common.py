"""What the callback modules share: the pattern-matching ids of the controls, the
conversion between controls and scenarios, and the message boxes."""
from __future__ import annotations

from typing import Any

from dash import ALL, State, html

import sim

from .. import i18n
from ..data import Library, compose
from ..layout import LEVERS_BY_PATH, field_bounds

LEVER_IDS = State({"type": "lever", "kind": ALL, "path": ALL}, "id")
LEVER_VALUES = {"type": "lever", "kind": ALL, "path": ALL}
PARAM_IDS = State({"type": "param", "path": ALL}, "id")
PARAM_VALUES = {"type": "param", "path": ALL}


# --- controls <-> scenario ------------------------------------------------------

def control_value(kind: str, value: Any) -> Any:
    """A scenario value as its control shows it."""
    if kind == "bool":
        return ["on"] if value else []
    if kind == "multi":
        return list(value)
    return value


def scenario_value(kind: str, value: Any) -> Any:
    """A control's value as the scenario wants it."""
    if kind == "bool":
        return bool(value) and "on" in value
    if kind == "multi":
        return list(value or [])
    return value


def control_values(lever_ids, lever_values, param_ids, param_values) -> dict[str, Any]:
    out = {i["path"]: scenario_value(i["kind"], v) for i, v in zip(lever_ids, lever_values)}
    out.update({i["path"]: v for i, v in zip(param_ids, param_values)})
    return out


def edited(library: Library, key, session_lib, lever_ids, lever_values, param_ids, param_values, name, end_year):
    """(library scenario, scenario as edited in the controls); raises ScenarioError."""
    if not key:
        raise sim.ScenarioError(["no scenario selected in the library"])
    base = library.load(key, session_lib)
    empty = [i["path"] for i, v in zip(list(lever_ids) + list(param_ids), list(lever_values) + list(param_values))
             if v is None]
    if empty:
        raise sim.ScenarioError([f"{path}: expected a number {bounds_text(path)}, found an empty or "
                                 "out-of-range entry" for path in empty])
    values = control_values(lever_ids, lever_values, param_ids, param_values)
    return base, compose(base, values, name=name or base.name, end_year=end_year)


def bounds_text(path: str) -> str:
    """'from 0 to 10 years' from the lever's or parameter's declaration."""
    lv = LEVERS_BY_PATH.get(path)
    if lv is not None:
        lo, hi, unit = lv.lo, lv.hi, lv.unit
    else:
        info = dict(sim.iter_parameters())[path]
        (lo, hi), unit = field_bounds(info), (info.json_schema_extra or {}).get("unit", "")
    return f"from {lo:g} to {hi:g}" + (f" {unit}" if unit else "")


def problems_box(problems: list[str], lang: str, head_key: str = "problems") -> Any:
    """Problems, each naming its field; lever paths are followed by the lever's label."""
    items = []
    for p in problems:
        paths = [path for path in LEVERS_BY_PATH if path in p]
        label = LEVERS_BY_PATH[max(paths, key=len)].label(lang) if paths else None
        params = [path for path in i18n.PARAMETERS if path in p] if label is None else []
        label = i18n.parameter(max(params, key=len), lang) if params else label
        items.append(html.Li(i18n.problem(p, lang) + (f"  [{label}]" if label else "")))
    return html.Div([html.Strong(i18n.t(head_key, lang)), html.Ul(items)], className="problems")


def ok_box(text: str) -> Any:
    return html.Div(text, className="ok")
