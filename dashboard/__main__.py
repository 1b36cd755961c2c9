"""`python -m dashboard [--host H] [--port P]`: the same as `urbsim dashboard`."""
from __future__ import annotations

import argparse

from .app import serve


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m dashboard", description="Tieling urbanization simulator dashboard")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8050)
    ap.add_argument("--scenarios", default=None, help="folder of scenario YAML files (default ./scenarios)")
    ap.add_argument("--geojson", default=None, help="county GeoJSON with properties.adcode (default: the packaged map)")
    ap.add_argument("--cache-dir", default=None, help="folder for run jobs and results (default: system temp)")
    ap.add_argument("--saved-db", default=None, help="SQLite file of scenarios saved on the server "
                    "(default $URBSIM_SAVED_DB or the user's data folder)")
    ap.add_argument("--debug", action="store_true")
    ap.add_argument("--workers", type=int, default=None,
                    help="processes that run replicates at the same time (default: one per core; 0: none)")
    a = ap.parse_args(argv)
    serve(a.host, a.port, a.scenarios, a.geojson, a.cache_dir, a.debug, saved_db=a.saved_db, workers=a.workers)


if __name__ == "__main__":
    main()
