"""How a sweep ends when its scheduler or its user stops it.

- `stop_on_signals()`: while a sweep runs, SIGTERM (what cluster schedulers and `kill`
  send) and SIGINT (Ctrl-C) raise `SweepInterrupted` in the main thread, so the sweep
  stops its workers, keeps what is stored and exits with 128 + the signal number
  (143, 130), the shell's convention for a process ended by a signal.
- `watch_parent(pid)`: the initializer of every local worker process. Workers ignore
  SIGINT (a terminal's Ctrl-C reaches the whole process group; the sweep process decides)
  and poll whether the sweep process is still there; when it is not — killed with
  SIGKILL, out of memory — they exit instead of lingering as orphans. Polling is used
  because Linux's PR_SET_PDEATHSIG would watch the forkserver, not the sweep process.

The forkserver and multiprocessing's resource tracker exit by themselves once the
sweep process and its workers are gone (they read pipes that then reach end of file).
"""
from __future__ import annotations

import os
import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

POLL_S = 0.5          # how often a worker checks its sweep process; bounds how long an orphan lives
STOPPED_BY_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class SweepInterrupted(KeyboardInterrupt):
    """The sweep was stopped by a signal; `exit_code` is 128 + its number."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn the first SIGTERM or SIGINT into `SweepInterrupted`; later ones are ignored while
    the sweep cleans up. Outside the main thread (where Python allows no handlers) it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum, frame):
        nonlocal fired
        if not fired:
            fired = True
            raise SweepInterrupted(signum)

    old = {s: signal.signal(s, handler) for s in STOPPED_BY_SIGNALS}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # exists but belongs to another user (a reused pid); the ppid check still applies
        return True
    return True


def watch_parent(parent_pid: int) -> None:
    """Worker initializer: ignore SIGINT, and exit when the sweep process `parent_pid` is gone
    (checked directly, and through our own parent, the forkserver, which exits with it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    first_parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(POLL_S)
            if os.getppid() != first_parent or not _alive(parent_pid):
                os._exit(3)   # nothing to save: workers never write to the store

    threading.Thread(target=watch, name="watch-sweep-process", daemon=True).start()


def stop_pool(pool, timeout: float = 5.0) -> None:
    """Stop a ProcessPoolExecutor now: cancel queued runs and terminate the running ones
    (a run's result is only written by the sweep process, so nothing is left half-done)."""
    # No public way to reach the workers before Python 3.14's `terminate_workers()`: the
    # executor's `_processes` (pid -> Process) has been stable since 3.2.
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        if p.is_alive():
            p.terminate()
    deadline = time.monotonic() + timeout
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        if p.is_alive():
            p.kill()
            p.join(1.0)
