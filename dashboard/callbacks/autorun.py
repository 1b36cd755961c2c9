"""Automatic re-runs: a planner who changes a lever gets the answer without pressing Run.

In the browser, a change of a lever, a behaviour parameter or the last year starts a pause of
PAUSE_MS; each further change starts it again (debounce), so a run starts only once the planner
has stopped changing things. When the pause ends the `auto-run` store counts one up, which
triggers the run callback (callbacks/runs.py); a run still under way is stopped by Dash when the
callback is triggered again, so a newer change supersedes an older run and no stale result
overwrites a newer one. Meanwhile the result on the page stays, marked out of date (`stale`)
until the new run's result, problem or cancellation arrives.

A draft with problems is not run (they are shown above the levers; the last result stands).
Only a planner's own change counts: loading a scenario from the library (or Reset) sets every
control in one callback, and such a change arrives as many triggered properties at once, while
a change by hand arrives as one. Pressing Run drops a pending re-run (Run does it now), and so
does switching automatic re-runs off.
"""
from __future__ import annotations

from dash import Input, Output, State

from .common import LEVER_VALUES, PARAM_VALUES

PAUSE_MS = 700   # long enough for a second click on a neighbouring lever, short enough to feel immediate

DEBOUNCE_JS = """
function(_levers, _params, _endYear, _run, toggle) {
    const C = window.dash_clientside;
    const A = window.urbsimAutoRun = window.urbsimAutoRun || {timer: null, n: 0};
    const trig = (C.callback_context.triggered || []).filter(t => t.prop_id && t.prop_id !== '.');
    const byHand = trig.length === 1 && !trig[0].prop_id.startsWith('run-btn.')
                   && !trig[0].prop_id.startsWith('auto-run-toggle.');
    clearTimeout(A.timer);
    A.timer = null;
    if (!byHand || !(toggle || []).includes('on')) {
        return trig.some(t => t.prop_id.startsWith('auto-run-toggle.')) ? false : C.no_update;
    }
    A.timer = setTimeout(() => {
        A.timer = null;
        // a draft with problems (shown above the levers) is not run; the last result stands
        if (document.querySelector('#draft-problems .problems')) {
            C.set_props('results-stale', {data: false});
            return;
        }
        A.n += 1;
        C.set_props('auto-run', {data: A.n});
    }, %d);
    return true;
}
""" % PAUSE_MS

CLEAR_JS = """
function(_runs, _message, draftProblems) {
    const trig = (window.dash_clientside.callback_context.triggered || []).map(t => t.prop_id);
    if (trig.length === 1 && trig[0].startsWith('draft-problems.') && !draftProblems) {
        return window.dash_clientside.no_update;
    }
    return false;
}
"""

STALE_JS = """
function(stale) {
    return [stale ? 'view stale' : 'view', stale ? {} : {display: 'none'}];
}
"""


def register(app) -> None:
    app.clientside_callback(
        DEBOUNCE_JS, Output("results-stale", "data"),
        Input(LEVER_VALUES, "value"), Input(PARAM_VALUES, "value"), Input("end-year", "value"),
        Input("run-btn", "n_clicks"), Input("auto-run-toggle", "value"), prevent_initial_call=True)
    # a run's answer (its result, a problem, a cancellation) ends the out-of-date mark, and so do
    # problems of the draft (it will not be run)
    app.clientside_callback(
        CLEAR_JS, Output("results-stale", "data", allow_duplicate=True),
        Input("runs", "data"), Input("run-message-data", "data"), Input("draft-problems", "children"),
        prevent_initial_call=True)
    app.clientside_callback(STALE_JS, Output("view", "className"), Output("stale-note", "style"),
                            Input("results-stale", "data"))
