"""The parameter-ensemble card's callbacks (its layout, figure and table: dashboard/ensemble_panel.py).

The K x 2 runs are a background job, as ordinary runs are (dashboard/jobs.py): forked by the
launcher, its runs handed to the replicate pool (dashboard/ensemble_runs.py), with a progress bar
and Cancel; the page answers meanwhile. While it runs, its button is disabled (a second request
is refused until it ends or is cancelled). Its result is kept in the result store under a token
only the session holds (`ens-data`) and drawn from there in the page's language, so switching
the language redraws it; its status and errors go to `ens-message`, rendered in the page's
language (callbacks/messages.py).
"""
from __future__ import annotations

import time

from dash import Input, Output, State, dcc, html, no_update

import sim
from sim import EnsembleError

from .. import i18n
from ..ensemble_panel import HIDDEN, LEVEL, MAX_K, REPLICATES, SHOWN, _figure, _table
from ..ensemble_runs import run_ensemble
from .messages import failure, problems, status
from .runs import progress_reporter

def view(data: dict | None, store, lang: str) -> list:
    """The figure and table of the ensemble result `data` names, in `lang`."""
    if not data:
        return []
    result = store.get_ensemble(data.get("token"))
    if result is None:
        return [html.P(i18n.t("ens_expired", lang), className="note")]
    return [html.P(i18n.t("ens_result_of", lang).format(label=data.get("label", "")), className="note"),
            dcc.Graph(figure=_figure(result, lang)), *_table(result, lang)]


def register(app, store, manager) -> None:
    @app.callback(Output("ens-title", "children"), Output("ens-help", "children"), Output("ens-run-label", "children"),
                  Output("ens-k-label", "children"), Output("ens-go", "children"), Output("ens-cancel", "children"),
                  Input("lang-switch", "value"))
    def translate(lang):
        return (i18n.t("ens_title", lang), i18n.t("ens_help", lang).format(level=f"{LEVEL:.0%}"),
                i18n.t("ens_run_of", lang), i18n.t("ens_k", lang), i18n.t("ens_go", lang), i18n.t("cancel", lang))

    @app.callback(Output("ens-run", "options"), Output("ens-run", "value"), Input("runs", "data"),
                  State("ens-run", "value"))
    def choices(runs, current):
        keys = [r["key"] for r in runs or []]
        options = [{"label": r["label"], "value": r["key"]} for r in runs or []]
        return options, current if current in keys else (keys[-1] if keys else None)

    @app.callback(Output("ens-view", "children"), Input("ens-data", "data"), Input("lang-switch", "value"))
    def show(data, lang):
        return view(data, store, lang)

    @app.callback(Output("ens-message-data", "data", allow_duplicate=True), Input("ens-cancel", "n_clicks"),
                  prevent_initial_call=True)
    def cancelled(_n):
        # (the background job below is stopped by the same click; this replaces its status)
        return status("ens_cancelled")

    register_run(app, store, manager)


def refusal(record: dict | None, k) -> dict | None:
    """The status record refusing a request for the run `record` with `k` members, or None."""
    if record is None:
        return failure("ens_no_runs", "ens_failed")
    if not isinstance(k, (int, float)) or int(k) != k or not 2 <= k <= MAX_K:
        return failure("ens_bad_k", "ens_failed", n=MAX_K)
    return None


def register_run(app, store, manager) -> None:
    @app.callback(
        Output("ens-data", "data"), Output("ens-message-data", "data"),
        Input("ens-go", "n_clicks"), State("ens-run", "value"), State("ens-k", "value"), State("runs", "data"),
        State("session-token", "data"), State("lang-switch", "value"),
        background=True, manager=manager, interval=300, prevent_initial_call=True,
        progress=[Output("ens-progress", "value"), Output("ens-progress", "max"),
                  Output("ens-progress-text", "children")],
        progress_default=["0", "1", ""], cancel=[Input("ens-cancel", "n_clicks")],
        running=[(Output("ens-go", "disabled"), True, False), (Output("ens-cancel", "disabled"), False, True),
                 (Output("ens-run", "disabled"), True, False), (Output("ens-k", "disabled"), True, False),
                 (Output("ens-progress-wrap", "style"), SHOWN, HIDDEN),
                 (Output("ens-message", "style"), {"display": "none"}, {}),
                 (Output("ens-view", "className"), "busy", "")],
    )
    def run(set_progress, _n, key, k, runs, _session_token, lang):
        # (`_session_token` only keys the job apart from another session's identical request)
        record = next((r for r in runs or [] if r.get("key") == key), None)
        refused = refusal(record, k)
        if refused:
            return no_update, refused
        k = int(k)
        try:
            scenario = sim.parse_scenario(record["yaml"])
        except sim.ScenarioError as e:
            return no_update, problems(e.problems, "ens_failed")
        label = i18n.t("ens_progress_label", lang).format(label=record["label"], k=k)
        start = time.perf_counter()
        try:
            result = run_ensemble(scenario, k, REPLICATES, progress_reporter(set_progress, label, lang),
                                  pool=manager.pool)
        except EnsembleError as e:
            return no_update, problems(e.problems, "ens_failed")
        except Exception as e:  # a model failure is shown in the page, not swallowed
            return no_update, problems([f"{type(e).__name__}: {e}"], "ens_failed")
        token = store.new_token()
        store.put_ensemble(token, result)
        seconds = time.perf_counter() - start
        return ({"token": token, "label": record["label"], "k": k},
                status("ens_done", label=record["label"], k=k, runs=k * REPLICATES, seconds=seconds))

    # an ensemble whose process ended without a result (killed, out of memory) says so
    manager.on_lost(run, lambda args: (no_update, failure("ens_lost", "ens_failed")))
