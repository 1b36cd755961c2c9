"""WSGI entry point for a production server, e.g. `gunicorn -w 2 dashboard.wsgi:server`.

Settings come from the environment: URBSIM_SCENARIOS (scenario folder), URBSIM_GEOJSON
(county map), URBSIM_TMP (folder for job and result caches), URBSIM_WORKERS (processes of each
server worker's replicate pool; default one per core)."""
from __future__ import annotations

import os

from .app import create_app

_workers = os.environ.get("URBSIM_WORKERS")
app = create_app(os.environ.get("URBSIM_SCENARIOS"), os.environ.get("URBSIM_GEOJSON"),
                 workers=int(_workers) if _workers else None)
server = app.server
