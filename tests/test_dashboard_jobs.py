"""The dashboard's run jobs (dashboard/jobs.py) and its command's debug mode.

The launcher forks runs from a single-threaded process; a run that ends without a result is
answered with the callback's lost answer; a process that is gone is not running (no psutil
error); the job store waits for a busy database. `urbsim dashboard --debug` starts, and is
refused on a non-local address.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import psutil
import pytest
from typer.testing import CliRunner

from dashboard.jobs import JobCache, Launcher, RunManager

from .conftest import ROOT, SCENARIOS


def store_result(cache_dir, key, value):
    JobCache(str(cache_dir)).set(key, value)


def end_without_result(*_args):
    os._exit(0)


def sleep_long(*_args):
    time.sleep(60)


def store_when_told(cache_dir, key, gate):
    """A run that ends exactly when the test says: it stores its result once `gate` exists."""
    while not os.path.exists(gate):
        time.sleep(0.01)
    store_result(cache_dir, key, "done")


@pytest.fixture
def manager(tmp_path):
    m = RunManager(JobCache(str(tmp_path / "jobs")))
    m.func_registry.update({"store": lambda key, _p, args, _c: store_result(tmp_path / "jobs", key, args),
                            "gated": lambda key, _p, args, _c: store_when_told(tmp_path / "jobs", key, args[0]),
                            "lost": end_without_result, "sleep": sleep_long})
    m.lost_answers.update({name: (lambda args: ["lost", args]) for name in ("lost", "sleep")})
    m.start()
    yield m
    m.launcher.stop()


def thread_names(pid: int) -> list[str]:
    """The names of a process's threads (named, so that a failure says which library started one)."""
    tasks = sorted(os.listdir(f"/proc/{pid}/task"))
    return [open(f"/proc/{pid}/task/{t}/comm").read().strip() for t in tasks]


def wait_until(test, seconds=20):
    deadline = time.monotonic() + seconds
    while not test():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_run_stores_its_result_and_its_process_is_gone_after(manager):
    pid = manager.call_job_fn("k1", manager.func_registry["store"], [1, 2], {})
    wait_until(lambda: manager.result_ready("k1"))
    assert manager.get_result("k1", pid) == [1, 2]
    wait_until(lambda: not manager.job_running(pid))
    assert not psutil.pid_exists(pid) or psutil.Process(pid).ppid() != manager.launcher.pid   # reaped, no zombie


def test_a_run_that_ends_without_a_result_gets_the_lost_answer(manager):
    pid = manager.call_job_fn("k2", manager.func_registry["lost"], ["zh"], {})
    wait_until(lambda: not manager.job_running(pid))
    assert manager.get_result("k2", pid) == ["lost", ["zh"]]


def test_a_killed_run_gets_the_lost_answer_and_terminating_it_again_is_harmless(manager):
    pid = manager.call_job_fn("k3", manager.func_registry["sleep"], ["en"], {})
    assert manager.job_running(pid)
    assert manager.get_result("k3", pid) is manager.UNDEFINED          # still running: no answer yet
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not manager.job_running(pid))
    manager.terminate_job(pid)                                          # gone: no psutil error
    assert manager.get_result("k3", pid) == ["lost", ["en"]]


def test_a_gone_process_is_not_running(manager):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert manager.job_running(dead.pid) is False and manager.job_running(None) is False


def test_a_run_that_ends_between_the_two_questions_of_a_poll_still_delivers(manager, tmp_path):
    """Dash answers a poll by reading the result, then asking whether the process runs; "no"
    with no result closes the run with no update. A run that ends in between must still count
    as running, so that the next poll reads its result."""
    gate = str(tmp_path / "gate")
    pid = manager.call_job_fn("k6", manager.func_registry["gated"], [gate], {})
    assert manager.get_result("k6", pid) is manager.UNDEFINED      # the poll reads: nothing yet
    open(gate, "w").close()                                        # ... the run ends now ...
    wait_until(lambda: not psutil.pid_exists(pid))
    assert manager.job_running(pid)                                # ... and the poll asks: keep polling
    assert manager.get_result("k6", pid) == "done"                 # the next poll delivers
    assert not manager.job_running(pid)


def test_runs_are_forked_by_the_launcher_not_the_server(manager):
    pid = manager.call_job_fn("k4", manager.func_registry["sleep"], [], {})
    try:
        assert psutil.Process(pid).ppid() == manager.launcher.pid != os.getpid()
        names = thread_names(manager.launcher.pid)
        assert len(names) == 1, f"the launcher runs threads {names}"
    finally:
        manager.terminate_job(pid)


def test_the_launcher_stays_single_threaded_after_an_fft_in_the_server(tmp_path):
    """scipy's FFT pool restarts its threads in forked children unless told to use one thread."""
    import numpy as np
    import scipy.fft
    scipy.fft.fft(np.ones(64))                 # what the ensemble's drivers (RBD-FAST) do
    launcher = Launcher()
    launcher.start({})
    try:
        names = thread_names(launcher.pid)
        assert len(names) == 1, f"the launcher runs threads {names}"
    finally:
        launcher.stop()


def test_the_launcher_is_started_again_when_it_was_killed(manager):
    os.kill(manager.launcher.pid, signal.SIGKILL)
    wait_until(lambda: not manager.launcher.alive())
    pid = manager.call_job_fn("k5", manager.func_registry["store"], [5], {})
    wait_until(lambda: manager.result_ready("k5"))
    assert manager.get_result("k5", pid) == [5]


def test_the_job_store_waits_for_a_busy_database(tmp_path):
    """Another process holds the store's write lock for longer than its timeout: a write waits
    and succeeds (plain diskcache raises Timeout and the run's result is lost)."""
    cache = JobCache(str(tmp_path), timeout=0.2)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, diskcache\n"
        f"c = diskcache.Cache({str(tmp_path)!r})\n"
        "with c.transact():\n"
        "    c.set('x', 1)\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(1.5)\n")], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    start = time.perf_counter()
    cache.set("result", 42)
    assert time.perf_counter() - start > 0.5 and cache.get("result") == 42
    holder.wait(10)


def test_launcher_serves_requests_from_several_threads(tmp_path):
    launcher = Launcher()
    launcher.start({"store": lambda key, value: store_result(tmp_path, key, value)})
    try:
        pids: list[int] = []
        threads = [threading.Thread(target=lambda i=i: pids.append(launcher.launch("store", (f"t{i}", i))))
                   for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        cache = JobCache(str(tmp_path))
        wait_until(lambda: all(cache.get(f"t{i}") == i for i in range(8)))
        assert len(set(pids)) == 8
    finally:
        launcher.stop()


# --- the command ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_debug_is_refused_on_a_non_local_host():
    from urbsim.cli import app
    result = CliRunner().invoke(app, ["dashboard", "--debug", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--debug" in result.stderr and "local" in result.stderr and "Traceback" not in result.stderr


def test_debug_mode_starts(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "urbsim.cli", "dashboard", "--debug", "--port", str(port),
                             "--scenarios", str(SCENARIOS), "--cache-dir", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read().decode()
            assert time.monotonic() < deadline, "the debug server did not answer"
            time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-dependencies", timeout=10) as r:
            assert r.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
