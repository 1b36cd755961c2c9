"""A sweep killed with SIGKILL part-way and resumed has every run exactly once and no leftovers."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

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
