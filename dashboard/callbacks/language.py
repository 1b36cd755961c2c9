"""Switching the page's language: every translatable text, tab label and option list."""
from __future__ import annotations

from dash import ALL, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from .. import i18n
import sim

from ..layout import (LEVERS_BY_PATH, TAB_KEYS, area_options, band_options, clause_tooltip, lever_tooltip,
                      mode_options, outcome_options, param_tooltip, text_for)

PARAMETERS = dict(sim.iter_parameters())


def register(app) -> None:
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
                  Output("outcome", "options"), Output("lever-search", "placeholder"),
                  Input("lang-switch", "value"), prevent_initial_call=True)
    def translate_choices(lang):
        return (mode_options(lang), band_options(lang), area_options(lang), outcome_options(lang),
                i18n.t("search_levers", lang))

    # hover texts (title attributes) follow the language too: levers' notes, parameters' sources
    @app.callback(Output({"type": "row", "path": ALL}, "title"),
                  Output({"type": "param-row", "path": ALL}, "title"),
                  Output({"type": "clause-summary", "clause": ALL}, "title"),
                  Output({"type": "t", "key": "ui:scale"}, "title"),
                  Output({"type": "t", "key": "ui:replicates"}, "title"),
                  Input("lang-switch", "value"), State({"type": "row", "path": ALL}, "id"),
                  State({"type": "param-row", "path": ALL}, "id"),
                  State({"type": "clause-summary", "clause": ALL}, "id"))
    def translate_hover(lang, rows, params, clauses):
        if not ctx.triggered_id and lang == i18n.DEFAULT_LANG:
            raise PreventUpdate         # the page is built in the default language: nothing to send
        return ([lever_tooltip(LEVERS_BY_PATH[r["path"]], lang) for r in rows],
                [param_tooltip(p["path"], PARAMETERS[p["path"]], lang) for p in params],
                [clause_tooltip(c["clause"], lang) for c in clauses],
                i18n.t("scale_help", lang), i18n.t("replicates_help", lang))
