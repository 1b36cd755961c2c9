"""`urbsim dashboard`: start the planner dashboard (Dash) in the browser.

    urbsim dashboard [--host 127.0.0.1] [--port 8050] [--scenarios DIR] [--geojson FILE] [--saved-db FILE]

Added to the `urbsim` app by `register(app)`; `python -m urbsim.cmd_dashboard` runs the
command on its own. A bad option is one line and exit 2.
"""
from __future__ import annotations

import socket
from pathlib import Path
from typing import Optional

import typer

from urbsim.ui import err, fail, run_alone


def dashboard(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on (0.0.0.0 to share on the network)"),
    port: int = typer.Option(8050, "--port", min=1, max=65535, help="port to listen on"),
    scenarios: Optional[Path] = typer.Option(None, "--scenarios",
                                             help="folder of scenario YAML files for the library (default ./scenarios)"),
    geojson: Optional[Path] = typer.Option(None, "--geojson",
                                           help="county map to use instead of the packaged one "
                                                "(GeoJSON whose features have properties.adcode)"),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir",
                                             help="folder for run jobs and results (default: the system temp folder)"),
    saved_db: Optional[Path] = typer.Option(None, "--saved-db",
                                            help="SQLite file of scenarios saved on the server and shared by link "
                                                 "(default $URBSIM_SAVED_DB or the user's data folder, "
                                                 "~/.local/share/urbsim on Linux)"),
    debug: bool = typer.Option(False, "--debug", help="Dash debug mode: error overlay and dev tools, local "
                                                       "addresses only (no code reloader)"),
    workers: Optional[int] = typer.Option(None, "--workers", min=0,
                                          help="processes that run a scenario's replicates at the same time "
                                               "(default: one per core; 0: one after another)"),
) -> None:
    """Start the planner dashboard: scenario library, levers, background runs, comparisons, map."""
    from dashboard import is_local   # the package's __init__ only: light

    if debug and not is_local(host):
        fail(f"--debug with --host {host}: debug mode only on a local address (127.0.0.1, localhost, ::1); "
             "its error overlay lets a browser run code on this machine")
    if scenarios is not None and not scenarios.is_dir():
        fail(f"--scenarios {scenarios}: not a folder")
    if geojson is not None and not geojson.is_file():
        fail(f"--geojson {geojson}: file not found")
    try:   # fail before loading the model, not after
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
            s.bind((host, port))
    except OSError as e:
        fail(f"cannot listen on {host}:{port}: {e.strerror or e}; choose another --port or --host")
    from dashboard.app import serve   # imported late: keeps `urbsim --help` fast

    try:
        serve(host=host, port=port, scenarios_dir=scenarios, geojson=geojson, cache_dir=cache_dir, debug=debug,
              saved_db=saved_db, workers=workers)
    except (ValueError, OSError) as e:   # a bad map file, or the port is taken
        fail(str(e))
    except KeyboardInterrupt:
        err.print("dashboard stopped")


def register(app: typer.Typer) -> None:
    """Add `dashboard` to the `urbsim` app."""
    app.command("dashboard")(dashboard)


def main() -> None:
    run_alone(register, "The planner dashboard.")


if __name__ == "__main__":
    main()
