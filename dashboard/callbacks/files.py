"""Downloads: the edited scenario, the exact scenario of a run, and the results table."""
from __future__ import annotations

import io

from dash import ALL, Input, Output, State, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

import sim

from ..data import Library, ResultStore, export_table, runsets_from
from .common import LEVER_IDS, LEVER_VALUES, PARAM_IDS, PARAM_VALUES, edited
from .messages import problems


def register(app, library: Library, store: ResultStore) -> None:
    @app.callback(Output("download", "data"), Output("library-message-data", "data", allow_duplicate=True),
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
            return no_update, problems(e.problems)
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
        return dcc.send_string(r["yaml"], f"{r['label']}.yaml")

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
