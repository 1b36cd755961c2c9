"""Background runs that hold up under a planning office: many sessions, killed processes, a busy store.

Dash's DiskcacheManager forks each run from the web server while its other threads answer
requests. A fork copies any lock another thread holds at that instant (SQLite's, the job
store's), and the copy never unlocks: with eight sessions a run process sat in a futex for
twelve minutes, others raised `diskcache.core.Timeout` and stored no result, and polling a
run that had just ended raised `psutil.NoSuchProcess` (HTTP 500). `RunManager` fixes each:

- runs are forked by a `Launcher`, a process forked once when the app is built, before the
  server starts its threads; being single-threaded it holds no lock when it forks, and it
  already holds the app's callbacks and the warmed-up model (no pickling, no reload);
- the job store (`JobCache`) waits for a busy SQLite database instead of raising `Timeout`;
- a process that is gone is "not running", whatever psutil says about it;
- a run whose process ended without a result (killed, out of memory) answers with the
  answer its callback gave `RunManager.on_lost` (a message on the page) instead of nothing;
- a run that ends while its poll is answered still delivers its result: Dash reads the result,
  then asks whether the process runs, and closes the run with no update when the answer is
  no; a process gone with its result unread is "running" until the result is read (the runs
  most exposed are the shortest, such as the instant "at most 4 scenarios" refusal).

A run hands its replicates to the manager's `pool` (dashboard/pool.py), warm processes forked
with the launcher, one per core, that run them at the same time.
"""
from __future__ import annotations

import os
import signal
import threading
import traceback
from typing import Any, Callable

import diskcache
import psutil
from dash import DiskcacheManager

from .pool import ReplicatePool

# scipy's FFT (SALib's RBD-FAST uses it for the ensemble's drivers) keeps a pool of worker threads
# that it starts again in every forked child (a pthread_atfork handler): after one FFT in the
# server, the launcher and every run would be multi-threaded. A process here runs one model at a
# time (parallel runs are processes), so one thread, which means no pool; read when the pool is
# first made, so set before any FFT. A value set by the user wins.
os.environ.setdefault("DUCC0_NUM_THREADS", "1")


class JobCache(diskcache.Cache):
    """A diskcache.Cache whose reads and writes retry while another process holds the database
    (diskcache raises Timeout on the first busy transaction unless told to retry)."""

    def set(self, key, value, expire=None, read=False, tag=None, retry=True):
        return super().set(key, value, expire, read, tag, retry)

    def get(self, key, default=None, read=False, expire_time=False, tag=False, retry=True):
        return super().get(key, default, read, expire_time, tag, retry)

    def add(self, key, value, expire=None, read=False, tag=None, retry=True):
        return super().add(key, value, expire, read, tag, retry)

    def delete(self, key, retry=True):
        return super().delete(key, retry)

    def touch(self, key, expire=None, retry=True):
        return super().touch(key, expire, retry)

    def transact(self, retry=True):
        return super().transact(retry)


class Launcher:
    """A single-threaded process that forks run processes on request.

    `start(registry)` forks it from the current process (call before any server thread runs);
    `launch(name, args)` asks it to fork a child that calls `registry[name](*args)` and returns
    the child's pid. Children are reaped by the kernel (SIGCHLD ignored), so a finished run is
    gone, not a zombie. The launcher ends when the server closes its end of the pipe."""

    def __init__(self) -> None:
        self.registry: dict[str, Callable] = {}
        self.lock = threading.Lock()
        self.conn: Any = None
        self.pid: int | None = None
        self.owner: int | None = None

    def start(self, registry: dict[str, Callable], close_fds: tuple[int, ...] = ()) -> None:
        """Fork the launcher; it closes `close_fds` (another process's lifeline it must not hold)."""
        import multiprocess   # dill-based pickling: callback contexts hold more than plain data

        self.registry = registry
        ours, theirs = multiprocess.Pipe()
        pid = os.fork()
        if pid == 0:   # the launcher
            ours.close()
            for fd in close_fds:
                os.close(fd)
            signal.signal(signal.SIGCHLD, signal.SIG_IGN)
            signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C in the terminal stops the server; EOF stops us
            try:
                self._serve(theirs)
            finally:
                os._exit(0)
        theirs.close()
        self.conn, self.pid, self.owner = ours, pid, os.getpid()

    def _serve(self, conn) -> None:
        while True:
            try:
                name, args = conn.recv()
            except (EOFError, OSError):
                return
            pid = os.fork()
            if pid == 0:   # a run
                code = 0
                try:
                    conn.close()
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    self.registry[name](*args)
                except BaseException:   # the job function stores its own errors; this is a last resort
                    traceback.print_exc()
                    code = 1
                finally:
                    os._exit(code)
            conn.send(pid)

    def alive(self) -> bool:
        return (self.pid is not None and self.owner == os.getpid() and _running(self.pid))

    def launch(self, name: str, args: tuple) -> int:
        with self.lock:
            if not self.alive():
                # a server process forked after the app was built (a WSGI worker), or the launcher
                # was killed: start another here (rare; the first start is the safe one)
                self.start(self.registry)
            self.conn.send((name, args))
            return int(self.conn.recv())

    def stop(self) -> None:
        if self.conn is not None and self.owner == os.getpid():
            self.conn.close()
            self.conn = None


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied, ProcessLookupError):
        return False


class RunManager(DiskcacheManager):
    """Dash's DiskcacheManager with runs forked by a Launcher, psutil races ignored, lost
    runs answered with the answer their callback gave `on_lost` (each background callback its
    own: the ensemble card's outputs are not a run's), and a pool of
    `workers` processes for the runs' replicates (None: one per core; 0: no pool, a run does its
    replicates itself, one after another)."""

    def __init__(self, cache: JobCache, expire: int | None = None, workers: int | None = None):
        # (before Dash's __init__, which registers the callbacks already declared through `register`)
        self.lost_answers: dict[str, Callable[[Any], Any]] = {}   # job name -> answer(args)
        self._names: dict[Callable, str] = {}
        super().__init__(cache, expire=expire)
        self.launcher = Launcher()
        self.pool = ReplicatePool(workers)

    def register(self, key, fn, progress):
        super().register(key, fn, progress)
        self._names[fn] = key

    def on_lost(self, callback: Callable, answer: Callable[[Any], Any]) -> None:
        """`answer(args)`: what the background `callback` (as `app.callback` returned it) gives
        when its process ends without a result."""
        self.lost_answers[self._names[getattr(callback, "__wrapped__", callback)]] = answer

    def start(self) -> None:
        """Fork the replicate pool and the launcher; call once every background callback is
        registered, before the server starts its threads."""
        self.pool.start()
        self.launcher.start(self.func_registry, self.pool.lifeline())

    def stop(self) -> None:
        self.launcher.stop()
        self.pool.stop()

    def call_job_fn(self, key, job_fn, args, context):
        name = next(k for k, fn in self.func_registry.items() if fn is job_fn)
        if name in self.lost_answers:
            self.handle.set(_lost_key(key), self.lost_answers[name](args), expire=24 * 3600)
        pid = self.launcher.launch(name, (key, self._make_progress_key(key), args, context))
        self.handle.set(_job_key(pid), key, expire=24 * 3600)
        return pid

    def job_running(self, job):
        """Dash's question after a poll found no result: True while the process runs, and
        while its result waits to be read (so the next poll reads it)."""
        if not job:
            return False
        if _running(int(job)):
            return True
        key = self.handle.get(_job_key(job))
        return key is not None and self.result_ready(key)

    def terminate_job(self, job):
        # a run stopped on request (Cancel, or a newer click of the same button) is not lost:
        # remembered, so a poll that arrives after it answers "cancelled" (no update), not the lost answer;
        # one already gone (killed from outside) stays lost
        if job and _running(int(job)):
            self.handle.set(_terminated_key(job), True, expire=24 * 3600)
        try:
            super().terminate_job(job)
        except (psutil.Error, ProcessLookupError, ValueError):
            pass   # it ended on its own meanwhile

    def get_result(self, key, job):
        result = super().get_result(key, job)
        if result is not self.UNDEFINED:
            self.clear_cache_entry(_lost_key(key))
            return result
        if not job or _running(int(job)):
            return result
        result = super().get_result(key, job)   # it may have stored its result just before it ended
        if result is not self.UNDEFINED:
            return result
        lost = self.handle.get(_lost_key(key), self.UNDEFINED)
        self.clear_cache_entry(_lost_key(key))
        return self.UNDEFINED if self.handle.get(_terminated_key(job)) else lost

    def result_ready(self, key):
        return self.handle.get(key) is not None


def _lost_key(key: str) -> str:
    return f"{key}-lost"


def _job_key(job) -> str:
    return f"job-{job}-key"


def _terminated_key(job) -> str:
    return f"terminated-{job}"
