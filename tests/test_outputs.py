"""A run's output folder: checked before the run, written whole, never a mix of two runs.

`urbsim run --out` refuses a file, a path under a file and a folder holding a previous run
(unless --overwrite) or anything else, in one line and before the first simulated year. The
files are written into a hidden partial folder and renamed into place; killed at any moment
(SIGKILL, as the sweep kill test does) the folder holds the old run or the whole new one, and
the next run removes what the killed one left. DuckDB's `runs/*/outcomes.parquet` reads only
whole runs.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from sim.files import PARTIAL, OutputError, check_output_folder, folder_replaced_whole, remove_stale_partials
from tests.test_cli import REFORM, cli, error_lines

RUN = ["--scale", "0.005", "--end-year", "2021"]


def run_cmd(out: Path, seed: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "urbsim.cli", "run", str(REFORM), *RUN, "--seed", str(seed), "--out", str(out),
            *extra]


def seed_of(out: Path) -> int:
    """The seed the folder's files come from, checked to agree across all three files."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    parquet = pd.read_parquet(out / "outcomes.parquet")
    csv = pd.read_csv(out / "outcomes.csv", dtype={"county": str})
    assert len(parquet) == len(csv) and parquet.value.sum() == pytest.approx(csv.value.sum())
    return manifest["seed"], float(parquet.value.sum())


# --- before the run -----------------------------------------------------------------------

def test_out_naming_a_file_fails_before_the_run(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("keep me", encoding="utf-8")
    start = time.perf_counter()
    result = cli("run", REFORM, "--out", target, "--scale", "0.5")   # a long run, if it ran
    assert result.exit_code == 2 and time.perf_counter() - start < 20
    (line,) = error_lines(result)
    assert line.startswith(f"--out {target}: ") and "a file" in line
    assert target.read_text(encoding="utf-8") == "keep me"


def test_out_under_a_file_fails_before_the_run(tmp_path):
    (tmp_path / "f").write_text("x", encoding="utf-8")
    result = cli("run", REFORM, "--out", tmp_path / "f" / "sub" / "out", "--scale", "0.5")
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert "is a file" in line and "Traceback" not in result.output


def test_a_previous_run_needs_overwrite_and_other_files_are_never_replaced(tmp_path):
    out = tmp_path / "out"
    assert cli("run", REFORM, *RUN, "--seed", "1", "--out", out).exit_code == 0
    first = seed_of(out)
    refused = cli("run", REFORM, *RUN, "--seed", "2", "--out", out)
    assert refused.exit_code == 2 and "--overwrite" in error_lines(refused)[0]
    assert seed_of(out) == first
    assert cli("run", REFORM, *RUN, "--seed", "2", "--out", out, "--overwrite").exit_code == 0
    assert seed_of(out)[0] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]           # no partial folder left
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("x", encoding="utf-8")
    other = cli("run", REFORM, *RUN, "--out", tmp_path / "notes", "--overwrite")
    assert other.exit_code == 2 and "other files" in error_lines(other)[0]
    assert (tmp_path / "notes" / "mine.txt").exists()


def test_check_output_folder_accepts_new_and_empty_folders(tmp_path):
    assert check_output_folder(tmp_path / "new" / "deeper", overwrite=False) == tmp_path / "new" / "deeper"
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty", overwrite=False)
    with pytest.raises(OutputError):
        check_output_folder(tmp_path, overwrite=True)    # holds 'empty', not a run's files


# --- all or nothing -------------------------------------------------------------------------

def test_an_error_while_writing_leaves_the_old_folder_and_no_partial(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.json").write_text('{"seed": 1}', encoding="utf-8")
    with pytest.raises(RuntimeError):
        with folder_replaced_whole(out) as tmp:
            (tmp / "manifest.json").write_text('{"seed": 2}', encoding="utf-8")
            raise RuntimeError("disk full")
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_partial_folders_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    holder = tmp_path / PARTIAL
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (holder / f"run1.{dead.pid}.abcd").mkdir(parents=True)
    (holder / f"run1.{dead.pid}.abcd" / "outcomes.parquet").write_bytes(b"PAR1")
    (holder / f"run2.{os.getpid()}.efgh").mkdir()
    assert remove_stale_partials(tmp_path) == [f"run1.{dead.pid}.abcd"]
    assert [p.name for p in holder.iterdir()] == [f"run2.{os.getpid()}.efgh"]


def test_duckdb_pattern_reads_only_whole_runs(tmp_path):
    runs = tmp_path / "runs"
    assert cli("run", REFORM, *RUN, "--seed", "1", "--out", runs / "run1").exit_code == 0
    # a run killed while writing: its partial folder, with a Parquet file that has no footer
    partial = runs / PARTIAL / "run2.999999.abcd"
    partial.mkdir(parents=True)
    (partial / "outcomes.parquet").write_bytes(b"PAR1 half")
    (partial / "outcomes.csv").write_bytes(b"")
    n = duckdb.sql(f"SELECT count(*) FROM '{runs}/*/outcomes.parquet'").fetchall()[0][0]
    assert n == len(pd.read_parquet(runs / "run1" / "outcomes.parquet"))
    # the same files in a hidden folder beside the runs (how partial folders were placed before) are read
    (runs / PARTIAL).rename(runs / ".run2.abcd")
    (runs / ".run2.abcd" / "run2.999999.abcd").rename(runs / ".run2")
    with pytest.raises(duckdb.Error):
        duckdb.sql(f"SELECT count(*) FROM '{runs}/*/outcomes.parquet'").fetchall()


def test_killed_runs_leave_the_old_output_or_the_whole_new_one(tmp_path):
    """SIGKILL at random moments of `run --overwrite` over a previous run (seed 1, then each kill
    asks for another seed): the folder always holds one run's three files, never a mix; the next
    run removes the partial folders the killed ones left."""
    out = tmp_path / "out"
    subprocess.run(run_cmd(out, 1), check=True, capture_output=True, timeout=300)
    expected = {seed_of(out)}
    start = time.perf_counter()
    subprocess.run(run_cmd(tmp_path / "timing", 2), check=True, capture_output=True, timeout=300)
    whole = time.perf_counter() - start
    rng = random.Random(18)
    outcomes = {"old": 0, "new": 0}
    for i in range(10):
        seed = 10 + i
        proc = subprocess.Popen(run_cmd(out, seed, "--overwrite"), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        # most kills late in the run, where the files are written and renamed
        time.sleep(whole * rng.uniform(0.5, 1.1))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "outcomes.csv", "outcomes.parquet"]
        got = seed_of(out)
        if got[0] == seed:
            outcomes["new"] += 1
            expected.add(got)
        else:
            outcomes["old"] += 1
            assert got in expected, got       # a whole earlier run, not a mix
    done = subprocess.run(run_cmd(out, 99, "--overwrite"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert seed_of(out)[0] == 99
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "timing"], list(tmp_path.iterdir())
    assert outcomes["old"] + outcomes["new"] == 10
