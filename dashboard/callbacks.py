"""Callbacks: language, library, controls, background runs, comparison and views.

Per-session state lives in the browser (dcc.Store: the session's runs and its own
scenarios) and in the result store under tokens only that session holds. Nothing a
callback writes is shared between sessions.
"""
from __future__ import annotations

import io
import time
from typing import Any

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate

import sim

from . import i18n, uploads
from .data import (MAX_COMPARED, MAX_REPLICATES, SCALES, Library, ResultStore, changed_paths, compose, export_table,
                   parse_upload, replicate_seeds, run_replicates, runsets_from, unique_label, value_at)
from .figures import COLORS, Block, ViewOptions, build_view
from .layout import (LEVERS_BY_PATH, TAB_KEYS, area_options, band_options, field_bounds, library_options,
                     mode_options, outcome_options, text_for)

LEVER_IDS = State({"type": "lever", "kind": ALL, "path": ALL}, "id")
LEVER_VALUES = {"type": "lever", "kind": ALL, "path": ALL}
PARAM_IDS = State({"type": "param", "path": ALL}, "id")
PARAM_VALUES = {"type": "param", "path": ALL}
GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
# plotly.js fetches a world base map for every geo subplot, from cdn.plot.ly unless told
# otherwise, even with the base layers hidden. assets/world_110m.json is an empty topology:
# the county map draws only its GeoJSON and the page never needs the network.
TOPOJSON_ASSET = "world_110m.json"


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
        items.append(html.Li(p + (f"  [{label}]" if label else "")))
    return html.Div([html.Strong(i18n.t(head_key, lang)), html.Ul(items)], className="problems")


def ok_box(text: str) -> Any:
    return html.Div(text, className="ok")


# --- views ------------------------------------------------------------------------

def table_component(block: Block) -> Any:
    df = block.table
    head = html.Thead(html.Tr([html.Th(c) for c in df.columns]))
    body = html.Tbody([html.Tr([html.Td(v) for v in row]) for row in df.astype(str).itertuples(index=False)])
    return html.Div([html.P(block.text, className="help"), html.Table([head, body], className="summary")],
                    id=block.id, className="table-wrap")


def block_components(block: Block, credit: str | None = None, topojson_url: str | None = None) -> list:
    out: list = []
    if block.kind == "graph":
        config = dict(GRAPH_CONFIG, topojsonURL=topojson_url) if topojson_url else GRAPH_CONFIG
        out.append(dcc.Graph(id=block.id, figure=block.figure, config=config, className="graph"))
        if block.id == "fig-map" and credit:
            out.append(html.P(credit, className="credit"))
    elif block.kind == "table":
        out.append(table_component(block))
    else:
        out.append(html.Div(block.text, className="note empty-state"))
    out += [html.P(n, className="note") for n in block.notes]
    return out


def run_chip(i: int, r: dict, baseline: str | None, lang: str) -> Any:
    meta = (f"{i18n.t('scale_short', lang)} {r['scale']:g} · {len(r['seeds'])} {i18n.t('replicates_short', lang)}"
            f" · {r['end_year']} · {r['wall_s']:.1f} {i18n.t('seconds', lang)}")
    if r.get("changed"):
        meta += f" · {i18n.t('changed_levers', lang)}: {len(r['changed'])}"
    return html.Div([
        html.Span(className="swatch", style={"background": COLORS[i % len(COLORS)]}),
        html.Span(r["label"], className="run-label"),
        html.Span(" ★" if r["key"] == baseline else "", className="star"),
        html.Span(meta, className="run-meta"),
        html.Button("YAML", id={"type": "run-yaml", "key": r["key"]}, className="btn tiny"),
        html.Button("×", id={"type": "run-remove", "key": r["key"]}, className="btn tiny",
                    title=i18n.t("remove", lang)),
    ], className="run-chip", title="\n".join(r.get("changed", [])) or r.get("name", ""))


# --- registration -----------------------------------------------------------------

def register(app, library: Library, store: ResultStore, manager, geojson: dict, credit: dict[str, str]) -> None:
    """Attach every callback to `app`."""
    uploads.register(app)
    topojson_url = app.get_asset_url(TOPOJSON_ASSET).rsplit("/", 1)[0] + "/"

    # language ---------------------------------------------------------------------
    @app.callback(Output({"type": "t", "key": ALL}, "children"),
                  Input("lang-switch", "value"), State({"type": "t", "key": ALL}, "id"))
    def translate(lang, ids):
        return [text_for(i["key"], lang) for i in ids]

    # (dcc.Tab does not render dict ids in the page, so tabs have plain ids "tab-<view>")
    @app.callback([Output(f"tab-{t}", "label") for t in TAB_KEYS], Input("lang-switch", "value"))
    def translate_tabs(lang):
        return [i18n.t(key, lang) for key in TAB_KEYS.values()]

    @app.callback(Output({"type": "lever", "kind": "choice", "path": ALL}, "options"),
                  Output({"type": "lever", "kind": "multi", "path": ALL}, "options"),
                  Input("lang-switch", "value"),
                  State({"type": "lever", "kind": "choice", "path": ALL}, "id"),
                  State({"type": "lever", "kind": "multi", "path": ALL}, "id"))
    def translate_options(lang, choice_ids, multi_ids):
        def opts(i):
            return [{"label": i18n.option(o, lang), "value": o} for o in LEVERS_BY_PATH[i["path"]].options]
        return [opts(i) for i in choice_ids], [opts(i) for i in multi_ids]

    @app.callback(Output("mode", "options"), Output("band", "options"), Output("area", "options"),
                  Output("outcome", "options"), Input("lang-switch", "value"), prevent_initial_call=True)
    def translate_choices(lang):
        return mode_options(lang), band_options(lang), area_options(lang), outcome_options(lang)

    # library --------------------------------------------------------------------------
    @app.callback(Output("library", "options"), Output("library-description", "children"),
                  Input("session-library", "data"), Input("library", "value"), Input("lang-switch", "value"))
    def library_choices(session_lib, key, lang):
        entries = library.entries(session_lib)
        desc = next((e.description for e in entries if e.key == key), "")
        return library_options(entries, lang), desc

    @app.callback(Output(LEVER_VALUES, "value"), Output(PARAM_VALUES, "value"),
                  Output("scenario-name", "value"), Output("end-year", "value"),
                  Output("load-message", "children"),
                  Input("library", "value"), Input("reset-btn", "n_clicks"),
                  State("session-library", "data"), LEVER_IDS, PARAM_IDS, State("lang-switch", "value"),
                  # the controls take no input while a scenario loads into them
                  running=[(Output("controls", "className"), "card busy", "card")])
    def load_into_controls(key, _reset, session_lib, lever_ids, param_ids, lang):
        if not key:
            raise PreventUpdate
        try:
            sc = library.load(key, session_lib)
        except sim.ScenarioError as e:
            return ([no_update] * len(lever_ids), [no_update] * len(param_ids), no_update, no_update,
                    problems_box(e.problems, lang))
        data = sc.model_dump(mode="json")
        levers = [control_value(i["kind"], value_at(data, i["path"])) for i in lever_ids]
        params = [value_at(data, i["path"]) for i in param_ids]
        return levers, params, sc.name, sc.end_year, None

    @app.callback(Output("draft-problems", "children"), Output({"type": "row", "path": ALL}, "className"),
                  Input(LEVER_VALUES, "value"), Input(PARAM_VALUES, "value"),
                  Input("scenario-name", "value"), Input("end-year", "value"), Input("lang-switch", "value"),
                  LEVER_IDS, PARAM_IDS, State({"type": "row", "path": ALL}, "id"),
                  State("library", "value"), State("session-library", "data"))
    def check_draft(lever_values, param_values, name, end_year, lang, lever_ids, param_ids, row_ids, key,
                    session_lib):
        try:
            base, sc = edited(library, key, session_lib, lever_ids, lever_values, param_ids, param_values,
                              name, end_year)
        except sim.ScenarioError as e:
            return problems_box(e.problems, lang), ["lever"] * len(row_ids)
        changed = set(changed_paths(base, sc, [r["path"] for r in row_ids]))
        return None, ["lever changed" if r["path"] in changed else "lever" for r in row_ids]

    @app.callback(Output("session-library", "data"), Output("library", "value"),
                  Output("upload-message", "children"),
                  Input("upload-checked", "data"),
                  State("session-library", "data"), State("lang-switch", "value"), prevent_initial_call=True)
    def upload(checked, session_lib, lang):
        if not checked:
            raise PreventUpdate
        filename = checked.get("filename") or "upload.yaml"
        if "too_big" in checked:   # refused in the browser (dashboard/uploads.py)
            return no_update, no_update, problems_box(
                [f"{i18n.t('upload_too_big', lang)}{filename} ({checked['too_big']:,} B)"], lang, "upload_bad")
        sc, text, problems = parse_upload(checked.get("contents"), filename, lang)
        if problems:
            return no_update, no_update, problems_box(problems, lang, "upload_bad")
        session_lib = dict(session_lib or {})
        session_lib[sc.name] = text
        return session_lib, "session:" + sc.name, ok_box(i18n.t("upload_ok", lang) + f"{filename} → {sc.name}")

    @app.callback(Output("session-library", "data", allow_duplicate=True),
                  Output("library", "value", allow_duplicate=True),
                  Output("library-message", "children", allow_duplicate=True),
                  Input("save-btn", "n_clicks"),
                  LEVER_IDS, State(LEVER_VALUES, "value"), PARAM_IDS, State(PARAM_VALUES, "value"),
                  State("scenario-name", "value"), State("end-year", "value"),
                  State("library", "value"), State("session-library", "data"), State("lang-switch", "value"),
                  prevent_initial_call=True)
    def save(_n, lever_ids, lever_values, param_ids, param_values, name, end_year, key, session_lib, lang):
        try:
            _, sc = edited(library, key, session_lib, lever_ids, lever_values, param_ids, param_values, name,
                           end_year)
        except sim.ScenarioError as e:
            return no_update, no_update, problems_box(e.problems, lang)
        session_lib = dict(session_lib or {})
        session_lib[sc.name] = sim.scenario_yaml(sc)
        return session_lib, "session:" + sc.name, ok_box(i18n.t("saved", lang) + sc.name)

    # downloads --------------------------------------------------------------------------
    @app.callback(Output("download", "data"), Output("library-message", "children", allow_duplicate=True),
                  Input("yaml-btn", "n_clicks"),
                  LEVER_IDS, State(LEVER_VALUES, "value"), PARAM_IDS, State(PARAM_VALUES, "value"),
                  State("scenario-name", "value"), State("end-year", "value"),
                  State("library", "value"), State("session-library", "data"), State("lang-switch", "value"),
                  prevent_initial_call=True)
    def download_yaml(_n, lever_ids, lever_values, param_ids, param_values, name, end_year, key, session_lib, lang):
        try:
            _, sc = edited(library, key, session_lib, lever_ids, lever_values, param_ids, param_values, name,
                           end_year)
        except sim.ScenarioError as e:
            return no_update, problems_box(e.problems, lang)
        return dcc.send_string(sim.scenario_yaml(sc), f"{sc.name}.yaml"), None

    @app.callback(Output("download", "data", allow_duplicate=True),
                  Input({"type": "run-yaml", "key": ALL}, "n_clicks"), State("runs", "data"),
                  prevent_initial_call=True)
    def download_run_yaml(clicks, runs):
        if not ctx.triggered_id or not any(clicks):
            raise PreventUpdate
        r = next((r for r in runs or [] if r["key"] == ctx.triggered_id["key"]), None)
        if r is None:
            raise PreventUpdate
        return dcc.send_string(r["yaml"], f"{r['name']}.yaml")

    @app.callback(Output("download", "data", allow_duplicate=True),
                  Input("csv-btn", "n_clicks"), Input("parquet-btn", "n_clicks"),
                  State("runs", "data"), State("lang-switch", "value"), prevent_initial_call=True)
    def download_results(_csv, _parquet, runs, lang):
        runsets, _ = runsets_from(runs, store)
        if not runsets:
            raise PreventUpdate
        df = export_table(runsets, lang)
        stem = "urbsim_" + "_vs_".join(rs.label.replace(" ", "") for rs in runsets)[:100]
        if ctx.triggered_id == "parquet-btn":
            buf = io.BytesIO()
            df.to_parquet(buf, index=False)
            return dcc.send_bytes(buf.getvalue(), stem + ".parquet")
        # UTF-8 with a byte-order mark so spreadsheet programs read the Chinese county names
        return dcc.send_bytes(df.to_csv(index=False).encode("utf-8-sig"), stem + ".csv")

    # runs -------------------------------------------------------------------------------------
    @app.callback(
        Output("runs", "data"), Output("run-message", "children"),
        Input("run-btn", "n_clicks"),
        LEVER_IDS, State(LEVER_VALUES, "value"), PARAM_IDS, State(PARAM_VALUES, "value"),
        State("scenario-name", "value"), State("end-year", "value"),
        State("library", "value"), State("session-library", "data"), State("runs", "data"),
        State("scale", "value"), State("replicates", "value"), State("session-token", "data"),
        State("lang-switch", "value"),
        background=True, manager=manager, interval=150, prevent_initial_call=True,
        progress=[Output("run-progress", "value"), Output("run-progress", "max"),
                  Output("run-progress-text", "children")],
        progress_default=["0", "1", ""],
        running=[(Output("run-btn", "disabled"), True, False),
                 (Output("cancel-btn", "disabled"), False, True),
                 (Output("save-btn", "disabled"), True, False),
                 (Output("clear-btn", "disabled"), True, False),
                 (Output("upload", "disabled"), True, False),
                 (Output("library", "disabled"), True, False),
                 (Output("progress-wrap", "style"), {"visibility": "visible"}, {"visibility": "hidden"}),
                 (Output("comparison", "className"), "card busy", "card")],
        cancel=[Input("cancel-btn", "n_clicks")],
    )
    def run(set_progress, _n, lever_ids, lever_values, param_ids, param_values, name, end_year, key, session_lib,
            runs, scale, replicates, _session_token, lang):
        # (`_session_token` is unused here, but it is part of the job's cache key, so two sessions
        # asking for the very same run at once get two jobs, each its own result.)
        runs = list(runs or [])
        if len(runs) >= MAX_COMPARED:
            return no_update, problems_box([i18n.t("too_many", lang)], lang, "run_failed")
        try:
            base, sc = edited(library, key, session_lib, lever_ids, lever_values, param_ids, param_values, name,
                              end_year)
            n = int(replicates or 1)
            if not 1 <= n <= MAX_REPLICATES:
                raise sim.ScenarioError([f"replicates: expected 1 to {MAX_REPLICATES}, found {n}"])
            if scale not in SCALES:
                raise sim.ScenarioError([f"scale: expected one of {', '.join(f'{x:g}' for x in SCALES)}, found {scale}"])
        except (sim.ScenarioError, TypeError, ValueError) as e:
            return no_update, problems_box(getattr(e, "problems", [str(e)]), lang)
        seeds = replicate_seeds(n)
        label = unique_label(sc.name, runs)
        word = i18n.t("running", lang)

        last = [0.0]

        def progress(done: int, total: int) -> None:
            # at most ~7 updates a second: each is a write to the job cache
            now = time.perf_counter()
            if now - last[0] >= 0.15 or done == total:
                last[0] = now
                set_progress((str(done), str(total), f"{word} {label}: {done}/{total}"))

        start = time.perf_counter()
        try:
            outcomes, manifests = run_replicates(sc, seeds, scale, progress)
        except Exception as e:  # a model failure is shown in the page, not swallowed
            return no_update, problems_box([f"{type(e).__name__}: {e}"], lang, "run_failed")
        wall = time.perf_counter() - start
        token = store.new_token()
        store.put(token, outcomes, manifests)
        record = {"key": token, "label": label, "name": sc.name, "scale": scale, "seeds": seeds,
                  "base_year": sc.base_year, "end_year": sc.end_year, "wall_s": round(wall, 2),
                  "changed": changed_paths(base, sc, LEVERS_BY_PATH), "library": key,
                  "yaml": sim.scenario_yaml(sc)}
        return runs + [record], ok_box(f"{i18n.t('run_done', lang)}{label} ({wall:.1f} {i18n.t('seconds', lang)})")

    # a run whose process ended without a result (killed, out of memory) says so (dashboard/jobs.py)
    manager.lost_answer = lambda args: (no_update, problems_box([i18n.t("run_lost", args[-1])], args[-1],
                                                                "run_failed"))

    @app.callback(Output("runs", "data", allow_duplicate=True),
                  Input({"type": "run-remove", "key": ALL}, "n_clicks"), Input("clear-btn", "n_clicks"),
                  State("runs", "data"), prevent_initial_call=True)
    def remove_runs(removes, _clear, runs):
        trig = ctx.triggered_id
        if trig == "clear-btn":
            return []
        if not trig or not any(removes):
            raise PreventUpdate
        return [r for r in runs or [] if r["key"] != trig["key"]]

    @app.callback(Output("area-field", "style"), Output("outcome-field", "style"), Output("year-field", "style"),
                  Input("tabs", "value"))
    def selectors_for(tab):
        show, hide = {}, {"display": "none"}
        return (hide if tab in ("counties", "map") else show,
                show if tab in ("map", "explore") else hide,
                show if tab in ("counties", "map", "table") else hide)

    # One callback refreshes the run list, the baseline, the year slider and the view, so a
    # finished run reaches the figures in one round trip (chained callbacks would take three).
    @app.callback(Output("view", "children"), Output("runs-list", "children"),
                  Output("baseline", "options"), Output("baseline", "value"),
                  Output("year", "min"), Output("year", "max"), Output("year", "value"), Output("year", "marks"),
                  Input("tabs", "value"), Input("runs", "data"), Input("mode", "value"), Input("baseline", "value"),
                  Input("band", "value"), Input("area", "value"), Input("year", "value"), Input("outcome", "value"),
                  Input("lang-switch", "value"))
    def refresh(tab, runs, mode, baseline, band, area, year, outcome, lang):
        runs = runs or []
        keys = [r["key"] for r in runs]
        new_baseline = baseline if baseline in keys else (keys[0] if keys else None)
        if runs:
            chips = [run_chip(i, r, new_baseline, lang) for i, r in enumerate(runs)]
        else:
            chips = html.P(i18n.t("no_runs", lang), className="help")
        slider: list = [no_update] * 4
        if runs and ("runs.data" in ctx.triggered_prop_ids or not ctx.triggered_prop_ids):
            lo, hi = min(r["base_year"] for r in runs), max(r["end_year"] for r in runs)
            marks = {y: str(y) for y in range(lo, hi + 1) if (y - lo) % 5 == 0 or y == hi}
            year = year if isinstance(year, int) and lo <= year <= hi and len(runs) > 1 else hi
            slider = [lo, hi, year, marks]
        runsets, missing = runsets_from(runs, store)
        opts = ViewOptions(lang=lang, mode=mode or "levels", baseline=new_baseline, band=band or "minmax",
                           area=area or sim.CITY_CODE, year=year, outcome=outcome or "resident_urbanization_rate")
        out: list = []
        if missing:
            out.append(html.P(i18n.t("expired", lang) + ", ".join(missing), className="note"))
        map_credit = credit.get(lang) if tab == "map" else None
        for block in build_view(tab, runsets, opts, geojson):
            out += block_components(block, map_credit, topojson_url)
        options = [{"label": r["label"], "value": r["key"]} for r in runs]
        return (out, chips, options, new_baseline if new_baseline != baseline else no_update, *slider)
