"""The run store: a sweep's folder on disk.

    DIR/sweep.json          the spec, the resolved base scenario, seeds, factors, n_runs, code version
    DIR/design.parquet      one row per (design row, replicate): factor values, seed, run id
    DIR/runs/<id>.parquet   one file per finished run: the outcomes of interest, its factor values and seed
    DIR/failed/<id>.json    one file per failed run: the error and traceback
    DIR/analysis/           written by `analyze`

Every file is written to a temporary name in the same folder, flushed to disk and
moved into place with `os.replace`, so a killed sweep leaves only whole files (and
perhaps temporary ones, which `--resume` removes). A run counts as done when its
Parquet file exists; a failed run is tried again on resume.
"""
from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .spec import SweepError

FORMAT = 1
TMP_MARK = ".tmp-"


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, write: Callable[[Any], None], mode: str = "wb") -> None:
    """Write a file all or nothing: `write(fileobj)` into a temporary name beside it,
    fsync, then `os.replace` onto `path`."""
    tmp = path.with_name(f"{path.name}{TMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_json(path: Path, data: dict) -> None:
    atomic_write(path, lambda f: f.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n"), mode="w")


class RunStore:
    """A sweep folder: create it, add run results and failures, list what is done."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    # --- layout
    @property
    def meta_path(self) -> Path:
        return self.root / "sweep.json"

    @property
    def design_path(self) -> Path:
        return self.root / "design.parquet"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def failed_dir(self) -> Path:
        return self.root / "failed"

    @property
    def analysis_dir(self) -> Path:
        return self.root / "analysis"

    def run_path(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.parquet"

    def failure_path(self, run_id: str) -> Path:
        return self.failed_dir / f"{run_id}.json"

    # --- state
    def exists(self) -> bool:
        return self.meta_path.is_file()

    def meta(self) -> dict:
        if not self.exists():
            raise SweepError(f"{self.root}: no sweep here (sweep.json not found)")
        try:
            return json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise SweepError(f"{self.meta_path}: cannot read: {e}") from None

    def design(self) -> pd.DataFrame:
        try:
            return pd.read_parquet(self.design_path)
        except (OSError, pa.ArrowException) as e:
            raise SweepError(f"{self.design_path}: cannot read: {e}") from None

    def done(self) -> set[str]:
        """Ids of runs with a result file."""
        if not self.runs_dir.is_dir():
            return set()
        return {p.name.removesuffix(".parquet") for p in self.runs_dir.iterdir()
                if p.name.endswith(".parquet") and TMP_MARK not in p.name}

    def failures(self) -> dict[str, dict]:
        """Failure records of runs that have no result, by run id."""
        if not self.failed_dir.is_dir():
            return {}
        done = self.done()
        out = {}
        for p in sorted(self.failed_dir.glob("*.json")):
            rid = p.name.removesuffix(".json")
            if rid in done:
                continue
            try:
                out[rid] = json.loads(p.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                out[rid] = {"run_id": rid, "error": "unreadable failure record"}
        return out

    def temp_files(self) -> list[Path]:
        found = []
        for folder in (self.root, self.runs_dir, self.failed_dir):
            if folder.is_dir():
                found += [p for p in folder.iterdir() if TMP_MARK in p.name]
        return found

    def tidy(self) -> int:
        """Remove leftover temporary files, and failure records of runs that later succeeded.
        Returns how many temporary files were removed."""
        temps = self.temp_files()
        for p in temps:
            p.unlink(missing_ok=True)
        if self.failed_dir.is_dir():
            done = self.done()
            for p in self.failed_dir.glob("*.json"):
                if p.name.removesuffix(".json") in done:
                    p.unlink(missing_ok=True)
        return len(temps)

    # --- writing
    def create(self, meta: dict, design: pd.DataFrame) -> None:
        """Start a new sweep here: write sweep.json and design.parquet (the folder must hold no sweep)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.runs_dir.mkdir(exist_ok=True)
        self.failed_dir.mkdir(exist_ok=True)
        table = pa.Table.from_pandas(design, preserve_index=False)
        atomic_write(self.design_path, lambda f: pq.write_table(table, f))
        write_json(self.meta_path, {"format": FORMAT, **meta})

    def extend(self, design: pd.DataFrame, meta: dict) -> None:
        """Replace the design by a longer one (more replicates) and then sweep.json: a kill in
        between leaves the longer design with the old sweep.json, which a later resume accepts."""
        table = pa.Table.from_pandas(design, preserve_index=False)
        atomic_write(self.design_path, lambda f: pq.write_table(table, f))
        write_json(self.meta_path, {"format": FORMAT, **meta})

    def write_run(self, run_id: str, table: pa.Table) -> Path:
        path = self.run_path(run_id)
        atomic_write(path, lambda f: pq.write_table(table, f))
        self.failure_path(run_id).unlink(missing_ok=True)
        return path

    def write_failure(self, run_id: str, record: dict) -> Path:
        path = self.failure_path(run_id)
        write_json(path, {"run_id": run_id, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **record})
        return path

    # --- reading results
    def results(self, columns: tuple[str, ...] = ("run_id", "year", "county", "group", "outcome", "value")
                ) -> pd.DataFrame:
        """All run results in one table (DuckDB reads the run files in one pass)."""
        import duckdb

        files = sorted(str(self.run_path(r)) for r in self.done())
        if not files:
            return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else "object") for c in columns})
        cols = ", ".join(f'"{c}"' for c in columns)
        with duckdb.connect() as con:
            return con.execute(f"SELECT {cols} FROM read_parquet(?, union_by_name = true)", [files]).df()
