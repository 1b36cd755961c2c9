"""The scenario library and the controls: loading a scenario into them, checking the
draft as it is edited, uploading a file and saving the edited scenario."""
from __future__ import annotations

from dash import ctx, ALL, Input, Output, State, no_update
from dash.exceptions import PreventUpdate

import sim

from .. import i18n
from ..data import Library, changed_paths, parse_upload, value_at
from ..layout import library_options
from .common import LEVER_IDS, LEVER_VALUES, PARAM_IDS, PARAM_VALUES, control_value, edited, problems_box
from .messages import problems, status


def register(app, library: Library) -> None:
    """The scenario callbacks, one named registration each."""
    for add in (library_choices, load_into_controls, check_draft, upload, save):
        add(app, library)


def library_choices(app, library: Library) -> None:
    """The library's choices, the chosen scenario and its description, in the page's language.

    A scenario that joins the session's library (uploaded, saved to the session, opened from a
    link: callbacks/saved.py) is chosen by writing its key to `library-pending` with the new
    `session-library`; it is chosen here, in the same answer as the options that hold it. (Written
    straight to the dropdown, the key could arrive before those options, and the dropdown drops a
    value it has no option for.)"""
    @app.callback(Output("library", "options"), Output("library", "value"), Output("library-description", "children"),
                  Input("session-library", "data"), Input("library-pending", "data"), Input("library", "value"),
                  Input("lang-switch", "value"))
    def library_choices(session_lib, pending, key, lang):
        entries = library.entries(session_lib)
        arrived = {"session-library.data", "library-pending.data"} & set(ctx.triggered_prop_ids)
        value = pending if arrived and pending in {e.key for e in entries} else no_update
        chosen = key if value is no_update else value
        desc = next((e.describe(lang) for e in entries if e.key == chosen), "")
        return library_options(entries, lang), value, desc


def load_into_controls(app, library: Library) -> None:
    """Loading a scenario (or resetting) fills every lever and parameter control."""
    @app.callback(Output(LEVER_VALUES, "value"), Output(PARAM_VALUES, "value"),
                  Output("scenario-name", "value"), Output("end-year", "value"),
                  Output("load-message-data", "data"),
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
                    problems(e.problems))
        data = sc.model_dump(mode="json")
        levers = [control_value(i["kind"], value_at(data, i["path"])) for i in lever_ids]
        params = [value_at(data, i["path"]) for i in param_ids]
        return levers, params, sc.name, sc.end_year, None


def check_draft(app, library: Library) -> None:
    """The edited draft checked as it changes: its problems, and the rows that differ from the scenario."""
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


def upload(app, library: Library) -> None:
    """An uploaded file joins the session's library (or its problems are shown)."""
    @app.callback(Output("session-library", "data"), Output("library-pending", "data"),
                  Output("upload-message-data", "data"),
                  Input("upload-checked", "data"),
                  State("session-library", "data"), prevent_initial_call=True)
    def upload(checked, session_lib):
        # (`upload-checked` is the file as checked in the browser, dashboard/uploads.py; problems are
        # kept in English and shown in the page's language by callbacks/messages.py)
        if not checked:
            raise PreventUpdate
        filename = checked.get("filename") or "upload.yaml"
        if "too_big" in checked:   # refused in the browser
            return no_update, no_update, problems(
                [f"{i18n.t('upload_too_big', 'en')}{filename} ({checked['too_big']:,} B)"], "upload_bad")
        sc, text, found = parse_upload(checked.get("contents"), filename, "en")
        if found:
            return no_update, no_update, problems(found, "upload_bad")
        session_lib = dict(session_lib or {})
        session_lib[sc.name] = text
        return session_lib, "session:" + sc.name, status("upload_ok", file=filename, name=sc.name)


def save(app, library: Library) -> None:
    """The edited scenario joins the session's library under its name."""
    @app.callback(Output("session-library", "data", allow_duplicate=True),
                  Output("library-pending", "data", allow_duplicate=True),
                  Output("library-message-data", "data", allow_duplicate=True),
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
            return no_update, no_update, problems(e.problems)
        session_lib = dict(session_lib or {})
        session_lib[sc.name] = sim.scenario_yaml(sc)
        return session_lib, "session:" + sc.name, status("saved", name=sc.name)
