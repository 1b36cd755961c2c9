"""The comparison: the run list, the baseline, the year slider and the chosen view,
refreshed in one callback."""
from __future__ import annotations

from typing import Any

from dash import Input, Output, ctx, dcc, html, no_update

import sim

from .. import i18n
from ..data import ResultStore, runsets_from
from ..layout import LEVERS_BY_PATH
from ..figures import COLORS, Block, ViewOptions, build_view

GRAPH_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
# plotly.js fetches a world base map for every geo subplot, from cdn.plot.ly unless told
# otherwise, even with the base layers hidden. assets/world_110m.json is an empty topology:
# the county map draws only its GeoJSON and the page never needs the network.
TOPOJSON_ASSET = "world_110m.json"


def table_cell(text: str) -> Any:
    """'mean  [low – high]' as the mean with the band on a line of its own."""
    mean, sep, rest = text.partition("  [")
    return html.Td([mean, html.Span("[" + rest, className="band")] if sep else text)


def table_component(block: Block) -> Any:
    df = block.table
    head = html.Thead(html.Tr([html.Th(c) for c in df.columns]))
    body = html.Tbody([html.Tr([table_cell(v) for v in row]) for row in df.astype(str).itertuples(index=False)])
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
    if r.get("auto"):
        meta += f" · {i18n.t('auto_tag', lang)}"
    if r.get("changed"):
        meta += f" · {i18n.t('changed_levers', lang)}{'：' if lang == 'zh' else ': '}{len(r['changed'])}"
    return html.Div([
        html.Span(className="swatch", style={"background": COLORS[i % len(COLORS)]}),
        html.Span(r["label"], className="run-label"),
        html.Span(" ★" if r["key"] == baseline else "", className="star"),
        html.Span(meta, className="run-meta"),
        html.Button("YAML", id={"type": "run-yaml", "key": r["key"]}, className="btn tiny"),
        html.Button("×", id={"type": "run-remove", "key": r["key"]}, className="btn tiny",
                    title=i18n.t("remove", lang)),
    ], className="run-chip", title=changed_words(r.get("changed", []), lang) or r.get("name", ""))


def changed_words(paths: list[str], lang: str) -> str:
    """The hover text of a run's chip: the levers it changed from its library scenario, by their
    labels in `lang`, one a line (a path no lever or parameter declares stays as it is)."""
    if not paths:
        return ""
    def label(path: str) -> str:
        if path in LEVERS_BY_PATH:
            return LEVERS_BY_PATH[path].label(lang)
        return i18n.parameter(path, lang) if path in i18n.PARAMETERS else path
    head = i18n.t("changed_levers", lang) + ("：" if lang == "zh" else ":")
    return "\n".join([head, *map(label, paths)])


def register(app, store: ResultStore, geojson: dict, credit: dict[str, str]) -> None:
    topojson_url = app.get_asset_url(TOPOJSON_ASSET).rsplit("/", 1)[0] + "/"

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
