"""Callbacks, one module per concern: `language` (switching languages), `messages`
(status lines and problem lists in the current language), `levers` (search and collapse
of the lever panel), `scenarios`
(library, controls, upload, save), `files` (downloads), `runs` (background runs,
progress, cancel, removing runs), `autorun` (re-runs on their own after a lever
changes), `views` (the comparison and its figures), `ensemble` (the parameter-ensemble card's
background runs).

Per-session state lives in the browser (dcc.Store: the session's runs and its own
scenarios) and in the result store under tokens only that session holds. Nothing a
callback writes is shared between sessions.
"""
from __future__ import annotations

from .. import uploads
from ..data import Library, ResultStore
from . import autorun, ensemble, files, language, levers, messages, runs, scenarios, views
from .common import (LEVER_IDS, LEVER_VALUES, PARAM_IDS, PARAM_VALUES, bounds_text, control_value, control_values,
                     edited, ok_box, problems_box, scenario_value)
from .views import GRAPH_CONFIG, TOPOJSON_ASSET, block_components, run_chip, table_component

__all__ = ["register", "control_value", "scenario_value", "control_values", "edited", "bounds_text",
           "problems_box", "ok_box", "block_components", "run_chip", "table_component", "GRAPH_CONFIG",
           "TOPOJSON_ASSET", "LEVER_IDS", "LEVER_VALUES", "PARAM_IDS", "PARAM_VALUES"]


def register(app, library: Library, store: ResultStore, manager, geojson: dict, credit: dict[str, str]) -> None:
    """Attach every callback to `app`."""
    uploads.register(app)
    language.register(app)
    messages.register(app)
    levers.register(app)
    scenarios.register(app, library)
    files.register(app, library, store)
    runs.register(app, library, store, manager)
    ensemble.register(app, store, manager)
    autorun.register(app)
    views.register(app, store, geojson, credit)
