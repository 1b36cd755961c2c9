"""Scenarios saved on the server, shared by link: an embedded SQLite database (stdlib sqlite3).

One row per name (any text: 无购房方案 as well as no_purchase): the scenario's YAML as
`sim.scenario_yaml` writes it, and when it was saved. A saved scenario opens from
`/?scenario=<id>` (or `?scenario=<name>`, URL-encoded). Saving a name that exists needs
`overwrite=True` (the page asks first); the row keeps its id, so links stay valid.

The database lives in the dashboard's data folder, not in the code's folder: `--saved-db FILE`,
else $URBSIM_SAVED_DB, else the user's data folder (platformdirs: ~/.local/share/urbsim on
Linux). Each call opens its own connection (the server answers requests on several threads),
in WAL mode so readers do not wait for a writer.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import platformdirs

import sim

SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    yaml TEXT NOT NULL,
    saved_at TEXT NOT NULL
)"""
MAX_NAME = 120


class NameTaken(Exception):
    """A scenario of this name is saved already (save again with overwrite=True)."""


@dataclass(frozen=True)
class Saved:
    id: int
    name: str
    saved_at: str
    yaml: str = ""


def default_path() -> Path:
    """$URBSIM_SAVED_DB, or saved_scenarios.sqlite in the user's data folder."""
    env = os.environ.get("URBSIM_SAVED_DB")
    return Path(env) if env else Path(platformdirs.user_data_dir("urbsim")) / "saved_scenarios.sqlite"


class SavedScenarios:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def save(self, scenario: sim.Scenario, overwrite: bool = False) -> Saved:
        """Store a valid scenario under its name; NameTaken when the name exists and not `overwrite`."""
        name = scenario.name.strip()
        if not name or len(name) > MAX_NAME:
            raise ValueError(f"name: expected 1 to {MAX_NAME} characters, found {len(name)}")
        text = sim.scenario_yaml(scenario)
        now = dt.datetime.now().isoformat(timespec="seconds")
        with closing(self._connect()) as db, db:
            row = db.execute("SELECT id FROM scenarios WHERE name = ?", (name,)).fetchone()
            if row is not None and not overwrite:
                raise NameTaken(name)
            if row is None:
                cur = db.execute("INSERT INTO scenarios (name, yaml, saved_at) VALUES (?, ?, ?)", (name, text, now))
                return Saved(int(cur.lastrowid), name, now, text)
            db.execute("UPDATE scenarios SET yaml = ?, saved_at = ? WHERE id = ?", (text, now, row[0]))
            return Saved(int(row[0]), name, now, text)

    def exists(self, name: str) -> bool:
        with closing(self._connect()) as db:
            return db.execute("SELECT 1 FROM scenarios WHERE name = ?", (name.strip(),)).fetchone() is not None

    def get(self, ref: str) -> Saved:
        """The scenario saved under id `ref` (digits) or name `ref`; LookupError when there is none."""
        ref = (ref or "").strip()
        with closing(self._connect()) as db:
            row = None
            if ref.isdigit():
                row = db.execute("SELECT id, name, saved_at, yaml FROM scenarios WHERE id = ?", (int(ref),)).fetchone()
            if row is None:
                row = db.execute("SELECT id, name, saved_at, yaml FROM scenarios WHERE name = ?", (ref,)).fetchone()
        if row is None:
            raise LookupError(ref)
        return Saved(int(row[0]), row[1], row[2], row[3])

    def load(self, ref: str) -> tuple[Saved, sim.Scenario]:
        """The saved row and its scenario, validated again (LookupError, sim.ScenarioError)."""
        saved = self.get(ref)
        return saved, sim.parse_scenario(saved.yaml, source=saved.name)

    def list(self) -> list[Saved]:
        """Every saved scenario (without its YAML), the latest saved first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT id, name, saved_at FROM scenarios ORDER BY saved_at DESC, id DESC").fetchall()
        return [Saved(int(i), n, s) for i, n, s in rows]
