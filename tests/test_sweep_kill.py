"""A sweep killed with SIGKILL part-way and resumed has every run exactly once and no leftovers."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from experiments import RunStore, sweep_status

from .test_sweep_support import write_spec


def sweep_cmd(spec, out, *extra):
    return [sys.executable, "-m", "urbsim.cli", "sweep", str(spec), "--out", str(out), "--workers", "2", *extra]


def test_killed_sweep_resumes_without_losing_or_repeating_runs(tmp_path):
    spec = write_spec(tmp_path, design={"method": "lhs", "n": 30}, replicates=1, scale=0.005, end_year=2023,
                      years=[2023])
    out = tmp_path / "out"
    proc = subprocess.Popen(sweep_cmd(spec, out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)   # its own process group: the pool dies with it
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / "runs").is_dir() and len(RunStore(out).done()) >= 4:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the sweep finished before it could be killed: " + proc.stdout.read().decode()
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    store = RunStore(out)
    before = store.done()
    total = sweep_status(out)["n_runs"]
    assert 4 <= len(before) < total
    # a half-written file as a kill can leave one (the real one may or may not exist)
    (out / "runs" / f"{'0' * 32}.parquet.tmp-1-deadbeef").write_bytes(b"PAR1 half")

    done = subprocess.run(sweep_cmd(spec, out, "--resume"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    m = re.search(r"(\d+) runs: (\d+) were stored, (\d+) ran now", done.stdout)
    assert m, done.stdout
    n, stored, ran = map(int, m.groups())
    assert n == total and stored == len(before) and stored + ran == total     # nothing lost, nothing repeated
    assert "leftover temporary file" in done.stdout
    design = store.design()
    assert store.done() == set(design.run_id) and len(store.done()) == total
    assert sorted(p.name for p in (out / "runs").iterdir()) == sorted(f"{r}.parquet" for r in design.run_id)
    assert not store.temp_files() and not store.failures()
    results = store.results()
    assert results.groupby("run_id").size().eq(3).all()        # 3 outcomes × 1 year, once each
    assert len(results) == total * 3 and not results.duplicated(["run_id", "outcome", "year"]).any()
    assert pd.Series(sorted(results.run_id.unique())).equals(pd.Series(sorted(design.run_id)))


# --- stopped by a signal: a message, a conventional exit code, no process left ------------

def group_members(pgid: int) -> list[str]:
    """'pid command' of every process still in process group `pgid` (zombies excluded)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        state, pgrp = rest[0], int(rest[2])
        if pgrp == pgid and state != "Z":
            found.append(f"{stat.parent.name} {name}")
    return found


def start_and_wait(spec, out, runs: int = 3) -> subprocess.Popen:
    """Start a sweep in its own process group and return once `runs` runs are stored."""
    proc = subprocess.Popen(sweep_cmd(spec, out), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "runs").is_dir() and len(RunStore(out).done()) >= runs:
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        raise AssertionError("the sweep ended before the signal: " + proc.stdout.read())
    return proc


def wait_group_gone(pgid: int, timeout: float = 20.0) -> list[str]:
    deadline = time.monotonic() + timeout
    left = group_members(pgid)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = group_members(pgid)
    return left


def cleanup(proc: subprocess.Popen) -> None:
    if group_members(proc.pid):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait()


def signal_spec(tmp_path):
    return write_spec(tmp_path, design={"method": "lhs", "n": 24}, replicates=1, scale=0.005, end_year=2023,
                      years=[2023])


def test_sigterm_stops_the_sweep_its_workers_and_says_how_to_resume(tmp_path):
    spec, out = signal_spec(tmp_path), tmp_path / "out"
    proc = start_and_wait(spec, out)
    try:
        proc.send_signal(signal.SIGTERM)          # as a cluster scheduler does: to the sweep process only
        output, _ = proc.communicate(timeout=60)
        left = wait_group_gone(proc.pid)
    finally:
        cleanup(proc)
    assert proc.returncode == 128 + signal.SIGTERM, output
    assert "interrupted by SIGTERM" in output and f"--out {out} --resume" in output
    assert left == [], f"processes left behind: {left}"
    store = RunStore(out)
    assert not store.temp_files() and not store.failures()
    stopped_at = len(store.done())
    assert 3 <= stopped_at < sweep_status(out)["n_runs"]

    done = subprocess.run(sweep_cmd(spec, out, "--resume"), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{stopped_at} were stored" in done.stdout
    whole = tmp_path / "whole"
    subprocess.run(sweep_cmd(spec, whole), capture_output=True, text=True, timeout=300, check=True)
    resumed = store.results().sort_values(["run_id", "outcome", "year"]).reset_index(drop=True)
    uninterrupted = RunStore(whole).results().sort_values(["run_id", "outcome", "year"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(resumed, uninterrupted)


def test_ctrl_c_reaching_the_whole_group_exits_130_without_orphans(tmp_path):
    spec, out = signal_spec(tmp_path), tmp_path / "out"
    proc = start_and_wait(spec, out)
    try:
        os.killpg(proc.pid, signal.SIGINT)        # a terminal's Ctrl-C reaches every process of the group
        output, _ = proc.communicate(timeout=60)
        left = wait_group_gone(proc.pid)
    finally:
        cleanup(proc)
    assert proc.returncode == 130, output
    assert "interrupted by SIGINT" in output and "Traceback" not in output
    assert left == [], f"processes left behind: {left}"
    assert not RunStore(out).temp_files()


def test_workers_exit_when_the_sweep_process_is_killed(tmp_path):
    spec, out = signal_spec(tmp_path), tmp_path / "out"
    proc = start_and_wait(spec, out)
    try:
        assert len(group_members(proc.pid)) >= 3      # the sweep, the forkserver, workers (and resource tracker)
        os.kill(proc.pid, signal.SIGKILL)             # the sweep process only: nobody tells the workers
        proc.wait(timeout=10)
        left = wait_group_gone(proc.pid)
    finally:
        cleanup(proc)
    assert left == [], f"processes left behind: {left}"
