"""The page: controls generated from `sim.LEVERS` and `sim.iter_parameters()`, the run
bar, the comparison panel and the views.

Controls carry pattern-matching ids so callbacks read and set them all at once:
levers `{"type": "lever", "kind": kind, "path": "policy.x.y"}`, behaviour parameters
`{"type": "param", "path": "behaviour.block.name"}`. Every text that changes with the
language has the id `{"type": "t", "key": ...}` and is filled by `text_for(key, lang)`.
Defaults and bounds are read from the declarations, never written here.
"""
from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Any

from dash import dcc, html

import sim

from . import budget_tab, ensemble_panel, i18n, saved_panel
from .data import DEFAULT_REPLICATES, DEFAULT_SCALE, MAX_REPLICATES, SCALES
from .figures import TABS
from .i18n.hover import LEVER_NOTES, PARAMETER_SOURCES, translated

LEVERS_BY_PATH = {lv.path: lv for lv in sim.LEVERS}
MESSAGE_AREAS = ("load-message", "upload-message", "library-message", "run-message", "saved-message",
                 "ens-message")
TAB_KEYS = {"urban": "tab_urban", "population": "tab_population", "counties": "tab_counties",
            "settle": "tab_settle", "permits": "tab_permits", "schools": "tab_schools", "housing": "tab_housing",
            "money": "tab_money", "budget": "tab_budget", "statistics": "tab_statistics", "map": "tab_map", "explore": "tab_explore",
            "table": "tab_table"}
assert set(TAB_KEYS) == set(TABS)


# --- declarations read once ----------------------------------------------------

def field_bounds(info) -> tuple[Any, Any]:
    """(ge, le) of a pydantic field from its annotated_types metadata (None when open)."""
    lo = hi = None
    for m in info.metadata:
        lo = getattr(m, "ge", getattr(m, "gt", lo))
        hi = getattr(m, "le", getattr(m, "lt", hi))
    return lo, hi


def parameters() -> "OrderedDict[str, list[tuple[str, Any]]]":
    """Behaviour parameters grouped by block, in declaration order."""
    out: OrderedDict[str, list[tuple[str, Any]]] = OrderedDict()
    for path, info in sim.iter_parameters():
        out.setdefault(path.split(".")[1], []).append((path, info))
    return out


def levers_by_clause() -> "OrderedDict[str, list[sim.LeverInfo]]":
    out: OrderedDict[str, list] = OrderedDict((c, []) for c in sim.CLAUSES)
    for lv in sim.LEVERS:
        out.setdefault(lv.clause, []).append(lv)
    return OrderedDict((c, lvs) for c, lvs in out.items() if lvs)


def scenario_field(name: str):
    return sim.Scenario.model_fields[name]


# --- texts --------------------------------------------------------------------------

def fmt_num(v: Any) -> str:
    """A bound or default as the hint shows it: thousands separators from 10,000 on only,
    so years read 2000 – 2050, not 2,000 – 2,050."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10_000 else str(v)
    return f"{v:g}"


def lever_hint(lv: sim.LeverInfo, lang: str) -> str:
    """Bounds and unit, and what the document sets (the lever's declared default)."""
    doc = i18n.t("document_value", lang) + ("：" if lang == "zh" else ": ")
    comma = "、" if lang == "zh" else ", "
    if lv.kind in ("int", "float"):
        unit = i18n.unit(lv.unit, lang)
        rng = f"{fmt_num(lv.lo)} – {fmt_num(lv.hi)}" + (f" {unit}" if unit else "")
        return f"{rng} · {doc}{fmt_num(lv.default)}"
    if lv.kind == "bool":
        return f"{doc}{i18n.t('on', lang) if lv.default else '—'}"
    if lv.kind == "choice":
        return f"{doc}{i18n.option(lv.default, lang)}"
    return f"{doc}{comma.join(i18n.option(v, lang) for v in lv.default) or '—'}"


def param_hint(path: str, info, lang: str) -> str:
    lo, hi = field_bounds(info)
    extra = info.json_schema_extra or {}
    unit = i18n.unit(extra.get("unit", ""), lang)
    text = f"{fmt_num(lo)} – {fmt_num(hi)}" + (f" {unit}" if unit else "")
    if extra.get("assumption"):
        text += f" · {i18n.t('assumption', lang)}"
    return text


def lever_tooltip(lv: sim.LeverInfo, lang: str = i18n.DEFAULT_LANG) -> str:
    """A lever's hover text: its clause, its path and its note (in Chinese from i18n/hover.py)."""
    zh, en = lv.clause_text
    lines = [zh if lang == "zh" else en, "", lv.path]
    if lv.note:
        lines.append(translated(LEVER_NOTES, lv.path, lv.note, lang))
    return "\n".join(lines)


def param_tooltip(path: str, info, lang: str = i18n.DEFAULT_LANG) -> str:
    """A parameter's hover text: its path and its source (in Chinese from i18n/hover.py)."""
    source = (info.json_schema_extra or {}).get("source", "")
    return f"{path}\n{translated(PARAMETER_SOURCES, path, source, lang)}"


def clause_tooltip(clause: str, lang: str = i18n.DEFAULT_LANG) -> str:
    zh, en = sim.CLAUSES[clause]
    return zh if lang == "zh" else en


def text_for(key: str, lang: str) -> str:
    """The text of a translatable element, from its key."""
    kind, _, rest = key.partition(":")
    if kind == "ui":
        return i18n.t(rest, lang)
    if kind == "lever":
        return LEVERS_BY_PATH[rest].label(lang)
    if kind == "hint":
        return lever_hint(LEVERS_BY_PATH[rest], lang)
    if kind == "clause":
        zh, en = sim.CLAUSES[rest]
        return zh if lang == "zh" else f"({rest}) {en}"
    if kind == "block":
        return i18n.block(rest, lang)
    if kind == "param":
        return i18n.parameter(rest, lang)
    if kind == "phint":
        info = dict(sim.iter_parameters())[rest]
        return param_hint(rest, info, lang)
    return key


def T(key: str, lang: str, tag=html.Span, **kw) -> Any:
    """A translatable element."""
    return tag(text_for(key, lang), id={"type": "t", "key": key}, **kw)


# --- option lists (given in the layout too: a dropdown drops a value its options lack) -----

def library_options(entries, lang: str) -> list[dict]:
    where = {"file": i18n.t("from_file", lang), "session": i18n.t("from_session", lang)}
    return [{"label": f"{e.name}  ·  {where[e.source]}", "value": e.key} for e in entries]


def area_options(lang: str) -> list[dict]:
    out = [{"label": sim.county_label(sim.CITY_CODE, lang), "value": sim.CITY_CODE}]
    return out + [{"label": sim.county_label(c.code, lang), "value": c.code} for c in sim.COUNTIES]


def outcome_options(lang: str) -> list[dict]:
    """Outcomes by label; the English view adds the outcome's column name (as in the CSV)."""
    return [{"label": info.label(lang) if lang == "zh" else f"{info.label(lang)} ({name})", "value": name}
            for name, info in sim.OUTCOMES.items()]


def mode_options(lang: str) -> list[dict]:
    return [{"label": i18n.t("levels", lang), "value": "levels"},
            {"label": i18n.t("difference", lang), "value": "difference"}]


def band_options(lang: str) -> list[dict]:
    return [{"label": i18n.t("band_minmax", lang), "value": "minmax"},
            {"label": i18n.t("band_p10p90", lang), "value": "p10p90"}]


# --- controls -------------------------------------------------------------------------

def lever_control(lv: sim.LeverInfo, lang: str) -> Any:
    cid = {"type": "lever", "kind": lv.kind, "path": lv.path}
    if lv.kind == "bool":
        return dcc.Checklist(id=cid, options=[{"label": "", "value": "on"}], value=["on"] if lv.default else [],
                             className="lever-bool")
    if lv.kind in ("int", "float"):
        return dcc.Input(id=cid, type="number", min=lv.lo, max=lv.hi, step=1 if lv.kind == "int" else "any",
                         value=lv.default, debounce=True, className="lever-number")
    options = [{"label": i18n.option(o, lang), "value": o} for o in lv.options]
    if lv.kind == "choice":
        return dcc.Dropdown(id=cid, options=options, value=lv.default, clearable=False, searchable=False,
                            className="lever-choice")
    return dcc.Checklist(id=cid, options=options, value=list(lv.default), inline=True, className="lever-multi")


def lever_row(lv: sim.LeverInfo, lang: str) -> Any:
    label = T("lever:" + lv.path, lang, tag=html.Label, className="lever-label")
    hint = T("hint:" + lv.path, lang, tag=html.Div, className="hint")
    ctrl = lever_control(lv, lang)
    body = [html.Div([ctrl, label], className="bool-line"), hint] if lv.kind == "bool" else [label, ctrl, hint]
    return html.Div(body, id={"type": "row", "path": lv.path}, className="lever", title=lever_tooltip(lv, lang))


def clause_section(clause: str, levers: list, lang: str, open_: bool) -> Any:
    return html.Details([
        html.Summary(T("clause:" + clause, lang), title=clause_tooltip(clause, lang),
                     id={"type": "clause-summary", "clause": clause}),
        html.Div([lever_row(lv, lang) for lv in levers], className="section-body"),
    ], open=open_, className="clause")


def param_row(path: str, info, lang: str) -> Any:
    lo, hi = field_bounds(info)
    is_int = info.annotation is int
    return html.Div([
        T("param:" + path, lang, tag=html.Label, className="param-label"),
        dcc.Input(id={"type": "param", "path": path}, type="number", min=lo, max=hi, step=1 if is_int else "any",
                  value=info.default, debounce=True, className="param-number"),
        T("phint:" + path, lang, tag=html.Div, className="hint"),
    ], className="param", title=param_tooltip(path, info, lang), id={"type": "param-row", "path": path})


def advanced_section(lang: str) -> Any:
    blocks = []
    for block, params in parameters().items():
        blocks.append(html.Details([
            html.Summary(T("block:" + block, lang)),
            html.Div([param_row(p, info, lang) for p, info in params], className="section-body"),
        ], className="param-block"))
    return html.Details([
        html.Summary(T("ui:advanced", lang)),
        T("ui:advanced_help", lang, tag=html.P, className="help"),
        *blocks,
    ], open=False, id="advanced", className="advanced")


def number_field(id_: str, key: str, lang: str, field: str, value: Any) -> Any:
    lo, hi = field_bounds(scenario_field(field))
    return html.Div([T(key, lang, tag=html.Label), dcc.Input(id=id_, type="number", min=lo, max=hi, step=1,
                                                              value=value, debounce=True)], className="field")


# --- panels ---------------------------------------------------------------------------

def sidebar(lang: str, entries, library_key: str | None) -> Any:
    sections = [clause_section(c, lvs, lang, open_=i < 2) for i, (c, lvs) in enumerate(levers_by_clause().items())]
    return html.Aside([
        html.Section([
            T("ui:library", lang, tag=html.H3),
            T("ui:library_help", lang, tag=html.P, className="help"),
            dcc.Dropdown(id="library", options=library_options(entries, lang), value=library_key,
                         clearable=False, searchable=True),
            html.Div(id="library-description", className="description"),
            html.Div(id="load-message", role="alert"),
            # any file is taken, so a wrong one gets a message (dashboard/uploads.py)
            dcc.Upload(id="upload", children=html.Div(T("ui:upload", lang)), className="upload", multiple=False),
            dcc.Store(id="upload-checked"),
            html.Div(id="upload-message", role="status"),
            html.Div([
                html.Button(T("ui:reset", lang), id="reset-btn", className="btn small"),
                html.Button(T("ui:save", lang), id="save-btn", className="btn small"),
                html.Button(T("ui:download_yaml", lang), id="yaml-btn", className="btn small"),
            ], className="button-row"),
            html.Div(id="library-message", role="status"),
            saved_panel.section(lang),
        ], className="card"),
        html.Section([
            html.Div([
                html.Div([T("ui:name", lang, tag=html.Label),
                          dcc.Input(id="scenario-name", type="text", debounce=True)], className="field"),
                number_field("end-year", "ui:end_year", lang, "end_year", None),
            ], className="field-row"),
            html.Div(id="draft-problems", role="alert"),
            T("ui:levers", lang, tag=html.H3),
            html.Div([
                dcc.Input(id="lever-search", type="search", debounce=False, className="lever-search",
                          placeholder=i18n.t("search_levers", lang)),
                html.Span(id="lever-search-count", className="hint"),
                html.Button(T("ui:collapse_all", lang), id="collapse-btn", className="btn tiny"),
            ], className="search-row"),
            dcc.Store(id="lever-search-words", data={k: list(i18n.UI[k]) for k in ("search_matches",)}),
            *sections,
            advanced_section(lang),
        ], className="card", id="controls"),
    ], className="sidebar", id="sidebar")


def run_bar(lang: str) -> Any:
    scale_opts = [{"label": f"{s:g} ({s * 100:g}%)", "value": s} for s in SCALES]
    return html.Section([
        html.Div([
            html.Div([T("ui:scale", lang, tag=html.Label, title=i18n.t("scale_help", lang)),
                      dcc.Dropdown(id="scale", options=scale_opts, value=DEFAULT_SCALE, clearable=False,
                                   searchable=False)], className="field narrow"),
            html.Div([T("ui:replicates", lang, tag=html.Label, title=i18n.t("replicates_help", lang)),
                      dcc.Input(id="replicates", type="number", min=1, max=MAX_REPLICATES, step=1,
                                value=DEFAULT_REPLICATES, debounce=True)], className="field narrow"),
            html.Button(T("ui:run", lang), id="run-btn", className="btn primary"),
            html.Button(T("ui:cancel", lang), id="cancel-btn", className="btn", disabled=True),
            auto_run_switch(lang),
            html.Div([html.Progress(id="run-progress", value="0", max="1"),
                      html.Span(id="run-progress-text", className="progress-text")],
                     id="progress-wrap", className="progress-wrap", style={"visibility": "hidden"}),
        ], className="run-row"),
        power_hint(lang),
        html.Div(id="run-message", role="status", className="run-message"),
    ], className="card run-bar")


def power_hint(lang: str) -> Any:
    """How many replicates a difference needs (dashboard/i18n/power.py, from the measured table)."""
    return T("ui:power_hint", lang, tag=html.Div, className="hint")


def auto_run_switch(lang: str) -> Any:
    """Re-run on its own after a lever changes (callbacks/autorun.py), on unless switched off."""
    return html.Div([
        dcc.Checklist(id="auto-run-toggle", options=[{"label": "", "value": "on"}], value=["on"],
                      persistence=True, persistence_type="session"),
        T("ui:auto_rerun", lang, tag=html.Label),
        dcc.Store(id="auto-run", data=0), dcc.Store(id="results-stale", data=False),
    ], className="bool-line auto-run", title=i18n.t("auto_rerun_help", lang))


def comparison_panel(lang: str) -> Any:
    return html.Section([
        html.Div([
            T("ui:comparison", lang, tag=html.H3),
            html.Div([
                html.Button(T("ui:download_csv", lang), id="csv-btn", className="btn small"),
                html.Button(T("ui:download_parquet", lang), id="parquet-btn", className="btn small"),
                html.Button(T("ui:clear", lang), id="clear-btn", className="btn small"),
            ], className="button-row"),
        ], className="panel-head"),
        html.Div(id="runs-list", className="runs-list"),
        html.Div([
            html.Div([T("ui:baseline", lang, tag=html.Label),
                      dcc.Dropdown(id="baseline", options=[], value=None, clearable=False)], className="field"),
            html.Div([T("ui:mode", lang, tag=html.Label),
                      dcc.RadioItems(id="mode", options=mode_options(lang), value="levels", inline=True)], className="field"),
            html.Div([T("ui:band", lang, tag=html.Label),
                      dcc.RadioItems(id="band", options=band_options(lang), value="minmax", inline=True)], className="field"),
            html.Div([T("ui:area", lang, tag=html.Label),
                      dcc.Dropdown(id="area", options=area_options(lang), value=sim.CITY_CODE, clearable=False)],
                     className="field", id="area-field"),
            html.Div([T("ui:outcome", lang, tag=html.Label),
                      dcc.Dropdown(id="outcome", options=outcome_options(lang), value="resident_urbanization_rate",
                                   clearable=False)],
                     className="field wide", id="outcome-field"),
        ], className="options-row"),
        html.Div([T("ui:year", lang, tag=html.Label),
                  dcc.Slider(id="year", min=2020, max=2035, step=1, value=2035, marks=None,
                             tooltip={"placement": "bottom", "always_visible": True})],
                 className="field year-field", id="year-field"),
    ], className="card", id="comparison")


def views(lang: str) -> Any:
    tabs = [dcc.Tab(label=i18n.t(TAB_KEYS[t], lang), value=t, id=f"tab-{t}",
                    className="tab", selected_className="tab--selected") for t in TABS]
    return html.Section([
        dcc.Tabs(id="tabs", value="urban", children=tabs, className="tabs"),
        html.Div(T("ui:stale", lang), id="stale-note", className="stale-note", role="status",
                 style={"display": "none"}),
        dcc.Loading(html.Div(id="view", className="view"), type="dot", delay_show=400),
    ], className="card views")


def page(entries, library_key: str | None, lang: str = i18n.DEFAULT_LANG) -> Any:
    """The whole page for one browser session (a fresh session token on every load);
    `entries` are the library's scenarios, `library_key` the one selected."""
    return html.Div([
        dcc.Store(id="session-token", data=secrets.token_urlsafe(16)),
        dcc.Store(id="runs", storage_type="session", data=[]),
        dcc.Store(id="session-library", storage_type="session", data={}),
        # the library key to choose once the options hold it: uploaded, saved, opened from a link
        dcc.Store(id="library-pending"),
        dcc.Download(id="download"),
        dcc.Location(id="url", refresh=False),       # ?scenario=<id or name> opens a saved scenario
        # message records of the status areas, rendered in the current language (callbacks/messages.py)
        *[dcc.Store(id=f"{area}-data") for area in MESSAGE_AREAS],
        html.Header([
            html.Div([T("ui:title", lang, tag=html.H1), T("ui:subtitle", lang, tag=html.Span, className="subtitle")]),
            html.Div([
                T("ui:language", lang, tag=html.Label),
                dcc.RadioItems(id="lang-switch", options=[{"label": "中文", "value": "zh"},
                                                          {"label": "English", "value": "en"}],
                               value=lang, inline=True, persistence=True, persistence_type="session"),
            ], className="lang"),
        ], className="header"),
        html.Div([
            sidebar(lang, entries, library_key),
            html.Main([run_bar(lang), comparison_panel(lang), views(lang), budget_tab.report_controls(lang),
                       ensemble_panel.panel(lang)],
                      className="main"),
        ], className="body"),
    ], id="page", className="page")
