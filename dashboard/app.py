"""The Dash application: `create_app()` builds it, `serve()` runs it.

    from dashboard.app import create_app
    app = create_app()            # scenarios from ./scenarios, map from sim.geojson_path()
    app.run(port=8050)

Runs execute in background processes (dashboard.jobs.RunManager, a DiskcacheManager whose
processes are forked by a launcher started here); both the job cache and the result store
live under the system temporary folder (or $URBSIM_TMP, or `cache_dir`).
"""
from __future__ import annotations

import os
from pathlib import Path

from dash import Dash

import sim

from . import budget_tab, callbacks, i18n, layout
from .callbacks import saved as saved_callbacks
from . import is_local
from .data import Library, ResultStore, RunSet, run_replicates, scratch_dir
from .figures import TABS, ViewOptions, build_view, load_geojson
from .jobs import JobCache, RunManager
from .saved import SavedScenarios

HERE = Path(__file__).resolve().parent
# Requests carry at most a 256 KB scenario file (base64 in a data URL) plus the page's state.
MAX_REQUEST_BYTES = 4 * 1024 * 1024


def default_scenarios_dir() -> Path | None:
    """$URBSIM_SCENARIOS, ./scenarios, or the scenarios folder beside this package."""
    for cand in (os.environ.get("URBSIM_SCENARIOS"), Path.cwd() / "scenarios", HERE.parent / "scenarios"):
        if cand and Path(cand).is_dir():
            return Path(cand)
    return None


def check_geojson(path: Path) -> dict:
    """A county GeoJSON FeatureCollection whose features carry properties.adcode."""
    gj = load_geojson(str(path))
    feats = gj.get("features") if isinstance(gj, dict) else None
    if not feats or not all("adcode" in (f.get("properties") or {}) for f in feats):
        raise ValueError(f"{path}: expected a GeoJSON FeatureCollection whose features have properties.adcode")
    return gj


def map_credit(path: Path | None) -> dict[str, str]:
    if path is None:
        return {lang: i18n.t("map_credit", lang) for lang in i18n.LANGS}
    return {lang: i18n.t("map_custom", lang) + Path(path).name for lang in i18n.LANGS}


def warm_up() -> None:
    """Run a tiny scenario and draw every view once, so the model's modules and input tables
    are loaded before the server forks a process per run (each run would otherwise load them
    again) and the first figures are as quick as the later ones."""
    sc = sim.with_overrides(sim.Scenario(name="warm_up"), {"scale": 0.001})
    sc = sim.with_overrides(sc, {"end_year": sc.base_year + 1})
    outcomes, _ = run_replicates(sc, [sc.seed], sc.scale)
    runs = [RunSet("warm-up", sc.name, outcomes, [sc.seed], sc.scale)]
    for tab in TABS:
        build_view(tab, runs, ViewOptions())


def create_app(scenarios_dir: str | Path | None = None, geojson: str | Path | None = None,
               cache_dir: str | Path | None = None, warm: bool = True, saved_db: str | Path | None = None,
               workers: int | None = None) -> Dash:
    """Build the dashboard. `geojson` replaces the county map (any GeoJSON with
    properties.adcode matching the county codes); `cache_dir` holds jobs and results;
    `warm` loads the model once up front so the first run is as fast as the others; `saved_db` is
    the SQLite file of scenarios saved on the server (default: dashboard.saved.default_path());
    `workers` is the number of processes that run replicates at the same time (None: one per
    core; 0: each run does its replicates one after another)."""
    root = Path(cache_dir) if cache_dir else scratch_dir()
    root.mkdir(parents=True, exist_ok=True)
    manager = RunManager(JobCache(str(root / "jobs")), workers=workers)
    store = ResultStore(root / "results")
    library = Library(Path(scenarios_dir) if scenarios_dir else default_scenarios_dir())
    saved = SavedScenarios(saved_db)
    gj_path = Path(geojson) if geojson else None
    gj = check_geojson(gj_path if gj_path else sim.geojson_path())

    app = Dash(__name__, title="铁岭城镇化模拟 · Tieling urbanization simulator",
               assets_folder=str(HERE / "assets"), background_callback_manager=manager,
               suppress_callback_exceptions=True, update_title=None)
    app.server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    if warm:
        warm_up()
    # A fresh page per load: a new session token, the default scenario selected.
    app.layout = lambda: layout.page(library.entries(), library.default_key())
    callbacks.register(app, library, store, manager, gj, map_credit(gj_path))
    budget_tab.register(app, store)
    saved_callbacks.register(app, library, saved)
    manager.start()   # fork the replicate pool and the run launcher now, before the server starts its threads
    return app


def serve(host: str = "127.0.0.1", port: int = 8050, scenarios_dir: str | Path | None = None,
          geojson: str | Path | None = None, cache_dir: str | Path | None = None, debug: bool = False,
          saved_db: str | Path | None = None, workers: int | None = None) -> None:
    """Run the dashboard with Dash's threaded server until interrupted. `debug` shows Dash's error
    overlay and dev tools, without the code reloader (it started a second server on the same port
    and a second set of run processes); only on a local address (the overlay runs code)."""
    if debug and not is_local(host):
        raise ValueError(f"--debug with --host {host}: debug mode only on a local address "
                         "(127.0.0.1, localhost, ::1); it lets the browser run code on the server")
    app = create_app(scenarios_dir, geojson, cache_dir, saved_db=saved_db, workers=workers)
    print(f"Tieling urbanization simulator dashboard: http://{host}:{port}/", flush=True)
    app.run(host=host, port=port, debug=debug, use_reloader=False, threaded=True)

