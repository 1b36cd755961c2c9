"""Runs: a scenario's replicates in a background process (which hands them to the replicate
pool, dashboard/pool.py), with progress and cancel; automatic re-runs take the place of the
last automatic one (callbacks/autorun.py says when they are due); removing runs from the
comparison."""
from __future__ import annotations

import time

from dash import ALL, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

import sim

from .. import i18n
from ..data import (MAX_COMPARED, MAX_REPLICATES, REPLICATE_SEED, SCALES, Library, ResultStore, changed_paths,
                    run_replicates, unique_label)
from ..layout import LEVERS_BY_PATH
from .common import LEVER_IDS, LEVER_VALUES, PARAM_IDS, PARAM_VALUES, edited
from .messages import failure, problems, status


def duration_text(seconds: float, lang: str) -> str:
    s = max(1, int(round(seconds)))
    if s < 60:
        return i18n.t("seconds_only", lang).format(s=s)
    return i18n.t("minutes_seconds", lang).format(m=s // 60, s=s % 60)


def progress_text(label: str, done: int, total: int, elapsed: float, lang: str) -> str:
    """'正在运行 X：已模拟 6/45 年，约剩 12 秒': the time left extrapolated from the years done so far."""
    text = i18n.t("progress", lang).format(label=label, done=done, total=total)
    if 0 < done < total:
        text += i18n.t("progress_left", lang).format(left=duration_text(elapsed / done * (total - done), lang))
    return text


def run_yaml(scenario: sim.Scenario, label: str, scale: float, seeds: list[int]) -> str:
    """The scenario as it ran: its name as the run is labelled, the run's scale and first
    seed, and every replicate seed in a comment (`urbsim run FILE --seed S` repeats one)."""
    sc = sim.with_overrides(scenario, {"name": label, "scale": float(scale), "seed": int(seeds[0])})
    head = (f"# Run {label}: scale {scale:g}, {len(seeds)} replicate(s) with seeds {', '.join(map(str, seeds))}\n"
            f"# (the seed below is the first; `urbsim run FILE --seed S` repeats any of them)\n")
    return head + sim.scenario_yaml(sc)


# The inputs of a run: what the controls say when Run is pressed or an automatic re-run is due.
RUN_STATES = [LEVER_IDS, State(LEVER_VALUES, "value"), PARAM_IDS, State(PARAM_VALUES, "value"),
              State("scenario-name", "value"), State("end-year", "value"),
              State("library", "value"), State("session-library", "data"), State("runs", "data"),
              State("scale", "value"), State("replicates", "value"), State("session-token", "data"),
              State("lang-switch", "value")]
# While a run is under way: the controls that would change what it stands for are disabled, the
# progress bar shows, and the last run's status is hidden (and cleared if it is cancelled).
RUNNING = [(Output("run-btn", "disabled"), True, False),
           (Output("cancel-btn", "disabled"), False, True),
           (Output("save-btn", "disabled"), True, False),
           (Output("clear-btn", "disabled"), True, False),
           (Output("upload", "disabled"), True, False),
           (Output("library", "disabled"), True, False),
           (Output("progress-wrap", "style"), {"visibility": "visible"}, {"visibility": "hidden"}),
           (Output("comparison", "className"), "card busy", "card"),
           (Output("run-message", "style"), {"display": "none"}, {})]


def checked_request(library: Library, key, session_lib, lever_ids, lever_values, param_ids, param_values, name,
                    end_year, scale, replicates) -> tuple[sim.Scenario, sim.Scenario, int]:
    """(library scenario, edited scenario, replicates) of a run; raises ScenarioError."""
    try:
        base, sc = edited(library, key, session_lib, lever_ids, lever_values, param_ids, param_values, name,
                          end_year)
        n = int(replicates or 1)
    except (TypeError, ValueError) as e:
        raise sim.ScenarioError([str(e)]) from None
    if not 1 <= n <= MAX_REPLICATES:
        raise sim.ScenarioError([f"replicates: expected 1 to {MAX_REPLICATES}, found {n}"])
    if scale not in SCALES:
        raise sim.ScenarioError([f"scale: expected one of {', '.join(f'{x:g}' for x in SCALES)}, found {scale}"])
    return base, sc, n


def place(runs: list[dict], record: dict) -> list[dict]:
    """The comparison after a run. An automatic run takes the place of the last automatic one (it
    stands for the controls as they are now); one asked for with Run is added and replaces the
    automatic one too (the same controls, now kept)."""
    if record.get("auto"):
        i = next((i for i, r in enumerate(runs) if r.get("auto")), len(runs))
        return runs[:i] + [record] + runs[i + 1:]
    return [r for r in runs if not r.get("auto")] + [record]


def progress_reporter(set_progress, label: str, lang: str):
    """progress(done, total) for run_replicates: at most ~7 updates a second (each is a write to
    the job cache), with the time left."""
    start = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] >= 0.15 or done == total:
            last[0] = now
            set_progress((str(done), str(total), progress_text(label, done, total, now - start, lang)))
    return progress


def register(app, library: Library, store: ResultStore, manager) -> None:
    register_run(app, library, store, manager)
    register_cancel_and_remove(app)


def register_run(app, library: Library, store: ResultStore, manager) -> None:
    @app.callback(
        Output("runs", "data"), Output("run-message-data", "data"),
        Input("run-btn", "n_clicks"), Input("auto-run", "data"), *RUN_STATES,
        background=True, manager=manager, interval=150, prevent_initial_call=True,
        progress=[Output("run-progress", "value"), Output("run-progress", "max"),
                  Output("run-progress-text", "children")],
        progress_default=["0", "1", ""], running=RUNNING, cancel=[Input("cancel-btn", "n_clicks")],
    )
    def run(set_progress, _n, _auto, lever_ids, lever_values, param_ids, param_values, name, end_year, key,
            session_lib, runs, scale, replicates, _session_token, lang):
        # (`_session_token` is unused here, but it is part of the job's cache key, so two sessions
        # asking for the very same run at once get two jobs, each its own result. A newer trigger of
        # this callback, a click or an automatic re-run, stops the run under way: Dash ends its job.)
        auto = ctx.triggered_id == "auto-run"
        runs = list(runs or [])
        if len([r for r in runs if not r.get("auto")]) >= MAX_COMPARED:
            return no_update, failure("too_many")
        try:
            base, sc, n = checked_request(library, key, session_lib, lever_ids, lever_values, param_ids,
                                          param_values, name, end_year, scale, replicates)
        except sim.ScenarioError as e:   # (an automatic run leaves them to the draft's check above the levers)
            return no_update, no_update if auto else problems(e.problems)
        seeds = sim.replicate_seeds(REPLICATE_SEED, n)
        label = unique_label(sc.name, [r for r in runs if not r.get("auto")])
        start = time.perf_counter()
        try:
            outcomes, manifests = run_replicates(sc, seeds, scale, progress_reporter(set_progress, label, lang),
                                                 pool=manager.pool)
        except Exception as e:  # a model failure is shown in the page, not swallowed
            return no_update, problems([f"{type(e).__name__}: {e}"], "run_failed")
        wall = time.perf_counter() - start
        token = store.new_token()
        store.put(token, outcomes, manifests)
        record = {"key": token, "label": label, "name": sc.name, "scale": scale, "seeds": seeds,
                  "base_year": sc.base_year, "end_year": sc.end_year, "wall_s": round(wall, 2),
                  "changed": changed_paths(base, sc, LEVERS_BY_PATH), "library": key, "auto": auto,
                  "yaml": run_yaml(sc, label, scale, seeds)}
        return place(runs, record), status("run_done", label=label, seconds=wall)

    # a run whose process ended without a result (killed, out of memory) says so (dashboard/jobs.py)
    manager.on_lost(run, lambda args: (no_update, failure("run_lost")))


def register_cancel_and_remove(app) -> None:
    @app.callback(Output("run-message-data", "data", allow_duplicate=True), Input("cancel-btn", "n_clicks"),
                  prevent_initial_call=True)
    def cancelled(_n):
        # (the background run above is stopped by the same click; this replaces the status it left)
        return status("run_cancelled")

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
