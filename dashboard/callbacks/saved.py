"""Scenarios saved on the server (dashboard/saved.py, the page's part in dashboard/saved_panel.py):
save the edited scenario under its name (asking before overwriting one of that name), a link to
share, the list of saved scenarios, and opening one from `/?scenario=<id or name>` (dcc.Location `url`).

Opening puts the saved YAML into the session's library and selects it, so the controls load
it exactly as they load an uploaded file. Every outcome, failure included, is a message record
in `saved-message-data` (callbacks/messages.py renders it in the page's language).
"""
from __future__ import annotations

import sqlite3
from urllib.parse import parse_qs, quote, urljoin

from dash import Input, Output, State, no_update
from dash.exceptions import PreventUpdate

import sim

from .. import i18n
from ..data import Library
from ..saved import NameTaken, SavedScenarios
from .common import LEVER_IDS, LEVER_VALUES, PARAM_IDS, PARAM_VALUES, edited
from .messages import failure, problems, status

# the edited scenario, as every save reads it
EDITED = (LEVER_IDS, State(LEVER_VALUES, "value"), PARAM_IDS, State(PARAM_VALUES, "value"),
          State("scenario-name", "value"), State("end-year", "value"), State("library", "value"),
          State("session-library", "data"), State("lang-switch", "value"), State("url", "href"))


def list_options(saved: SavedScenarios) -> list[dict]:
    return [{"label": f"{s.name}  ·  {s.saved_at.replace('T', ' ')}", "value": str(s.id)} for s in saved.list()]


def link_to(href: str | None, saved_id: int) -> str:
    return urljoin(href or "/", f"/?scenario={quote(str(saved_id))}")


def register(app, library: Library, saved: SavedScenarios) -> None:
    """The saved-scenario callbacks, one named registration each."""
    for add in (save, confirm_overwrite, refresh_list, open_picked, open_from_link, translate):
        add(app, library, saved)


def _store(saved, library, overwrite, lever_ids, lever_values, param_ids, param_values, name, end_year, key,
           session_lib, lang, href):
    """(message, confirm shown, confirm words, link, link style, list options) after a save attempt."""
    keep = (no_update,) * 3
    try:
        _, sc = edited(library, key, session_lib, lever_ids, lever_values, param_ids, param_values, name, end_year)
        row = saved.save(sc, overwrite=overwrite)
    except sim.ScenarioError as e:
        return (problems(e.problems), False, no_update) + keep
    except NameTaken as e:
        return no_update, True, i18n.t("saved_overwrite_ask", lang).format(name=e.args[0]), *keep
    except (sqlite3.Error, OSError):
        return (failure("saved_db_failed", "problems"), False, no_update) + keep
    link = link_to(href, row.id)
    msg = status("saved_overwritten" if overwrite else "saved_server_ok", name=row.name, id=row.id)
    return msg, False, no_update, link, {"display": "block"}, list_options(saved)


SAVE_OUTPUTS = (Output("saved-message-data", "data", allow_duplicate=True),
                Output("overwrite-confirm", "displayed"), Output("overwrite-confirm", "message"),
                Output("saved-link", "href"), Output("saved-link-row", "style"),
                Output("saved-list", "options", allow_duplicate=True))


def save(app, library: Library, saved: SavedScenarios) -> None:
    """Saving under a new name stores it; under a saved name, asks first."""
    @app.callback(*SAVE_OUTPUTS, Input("save-server-btn", "n_clicks"), *EDITED, prevent_initial_call=True)
    def save(_n, *edited_state):
        return _store(saved, library, False, *edited_state)


def confirm_overwrite(app, library: Library, saved: SavedScenarios) -> None:
    """The planner said yes: overwrite (the row keeps its id, so old links open the new version)."""
    @app.callback(*SAVE_OUTPUTS, Input("overwrite-confirm", "submit_n_clicks"), *EDITED, prevent_initial_call=True)
    def confirm_overwrite(_n, *edited_state):
        return _store(saved, library, True, *edited_state)

    @app.callback(Output("saved-message-data", "data", allow_duplicate=True),
                  Input("overwrite-confirm", "cancel_n_clicks"), State("scenario-name", "value"),
                  prevent_initial_call=True)
    def declined(_n, name):
        return status("saved_not_overwritten", name=name or "")


def refresh_list(app, library: Library, saved: SavedScenarios) -> None:
    """The list of saved scenarios, read when the page opens."""
    @app.callback(Output("saved-list", "options"), Input("url", "pathname"))
    def refresh_list(_path):
        try:
            return list_options(saved)
        except (sqlite3.Error, OSError):
            return []


def open_picked(app, library: Library, saved: SavedScenarios) -> None:
    """Picking a saved scenario opens its link (the address bar then holds the link to share)."""
    @app.callback(Output("url", "search"), Input("saved-list", "value"), prevent_initial_call=True)
    def open_picked(saved_id):
        if not saved_id:
            raise PreventUpdate
        return f"?scenario={quote(str(saved_id))}"


def open_from_link(app, library: Library, saved: SavedScenarios) -> None:
    """`?scenario=<id or name>`: the saved scenario joins the session's library and loads into the controls."""
    @app.callback(Output("session-library", "data", allow_duplicate=True),
                  Output("library-pending", "data", allow_duplicate=True),
                  Output("saved-message-data", "data", allow_duplicate=True),
                  Input("url", "search"), State("session-library", "data"),
                  prevent_initial_call="initial_duplicate")
    def open_from_link(search, session_lib):
        refs = parse_qs((search or "").lstrip("?")).get("scenario")
        if not refs:
            raise PreventUpdate
        ref = refs[0]
        try:
            row, sc = saved.load(ref)
        except LookupError:
            return no_update, no_update, failure("saved_not_found", "problems", ref=ref)
        except sim.ScenarioError as e:
            return no_update, no_update, problems(e.problems, "saved_invalid")
        except (sqlite3.Error, OSError):
            return no_update, no_update, failure("saved_db_failed", "problems")
        session_lib = dict(session_lib or {})
        session_lib[sc.name] = row.yaml
        # chosen in the library once its entry is among the options (callbacks/scenarios.py)
        return session_lib, "session:" + sc.name, status("saved_opened", name=sc.name,
                                                         saved_at=row.saved_at.replace("T", " "))


def translate(app, library: Library, saved: SavedScenarios) -> None:
    """The list's placeholder follows the language (the other words are `t` elements)."""
    @app.callback(Output("saved-list", "placeholder"), Input("lang-switch", "value"))
    def translate(lang):
        return i18n.t("saved_pick", lang)
