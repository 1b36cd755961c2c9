"""The replicate pool: warm worker processes that run a scenario's replicates at the same time.

A dashboard run is one process forked by the launcher (dashboard/jobs.py). It used to run its
replicates one after another; now it hands each to a worker of this pool and waits, so three
replicates on two cores take about two replicates' time. The workers are forked once, when the
app is built, after `app.warm_up` has imported the model and run it: a replicate pays neither the
imports (about 1.5 s in a fresh process) nor, from its second run of a seed and scale on, the
base-year population (each worker keeps those in memory, `sim.keep_populations_in_memory`).

How a run talks to the pool: the workers all accept on one listening Unix socket (a pre-forked
server: the kernel hands each connection to one idle worker; connections beyond the idle
workers wait in the backlog, so sessions share the cores first come, first served). A run opens
one connection per replicate and sends (scenario, replicate, seed, scale); the worker answers
("year", done) after each simulated year, then ("done", outcomes, manifest) or ("error",
exception). Connections are authenticated (a random key the app's processes inherit), as they
carry pickles.

A run that is cancelled or superseded is killed (jobs.RunManager.terminate_job); its workers
notice at their next yearly message (the connection is closed), drop the replicate and take the
next one. A supervisor process forks the workers, forks a new one when one dies (killed, out of
memory) and ends the pool when the app's process ends; a replicate whose worker died is handed
to another worker (RETRIES times at most).
"""
from __future__ import annotations

import os
import secrets
import select
import signal
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Client, Connection, Listener
from typing import Any, Callable

import sim

from .data import gather, one_replicate

BACKLOG = 256          # connections waiting for a worker: 8 sessions x 10 replicates and more
RETRIES = 2            # a replicate whose worker died is run again, twice at most, then the run fails
MEMORY_MB = 250        # base-year populations a worker keeps (a 1% city takes 2 MB, a full one about 100 MB)
CHECK_S = 0.5          # how often the supervisor looks for dead workers


def cores() -> int:
    """The cores this process may use (the pool's default size)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:   # not on Linux
        return os.cpu_count() or 1


class WorkerLost(RuntimeError):
    """A replicate's workers ended without an answer, RETRIES + 1 times."""


class PoolUnavailable(RuntimeError):
    """Nothing accepts on the pool's socket (it was stopped)."""


class _RunGone(Exception):
    """The run that asked for this replicate has closed its connection (cancelled, superseded)."""


class ReplicatePool:
    """`start()` forks the supervisor and its workers (call before the server starts threads);
    `run(scenario, seeds, scale, progress)` runs the replicates on the workers, from any process
    forked after `start()`."""

    def __init__(self, workers: int | None = None):
        self.workers = workers if workers is not None else cores()
        self.authkey = secrets.token_bytes(32)
        self.address = self._new_address()
        self.supervisor: int | None = None
        self._alive_fd: int | None = None   # the supervisor ends when this pipe's write end closes

    @staticmethod
    def _new_address() -> str:
        name = f"urbsim-pool-{os.getpid()}-{secrets.token_hex(6)}"
        if sys.platform.startswith("linux"):
            return "\0" + name            # abstract namespace: no file to clean up
        return os.path.join(tempfile.gettempdir(), name)

    # --- the app's side ------------------------------------------------------------------------

    def start(self) -> None:
        if self.workers < 1 or self.supervisor is not None:
            return
        listener = Listener(self.address, "AF_UNIX", backlog=BACKLOG, authkey=self.authkey)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:   # the supervisor
            code = 0
            try:
                os.close(write_fd)
                _supervise(listener, self.workers, read_fd)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(read_fd)
        listener._listener._socket.close()   # only the pool accepts; the socket stays bound in it
        self.supervisor, self._alive_fd, self._listener = pid, write_fd, listener

    def lifeline(self) -> tuple[int, ...]:
        """The pipe whose closing ends the pool: processes forked later close their copy."""
        return (self._alive_fd,) if self._alive_fd is not None else ()

    def running(self) -> bool:
        return self.supervisor is not None

    def stop(self) -> None:
        """End the supervisor and its workers (they also end when this process does)."""
        if self._alive_fd is not None:
            os.close(self._alive_fd)
            self._alive_fd = None
        self.supervisor = None

    # --- a run's side -------------------------------------------------------------------------

    def run(self, scenario: sim.Scenario, seeds: list[int], scale: float,
            progress: Callable[[int, int], None] | None = None) -> tuple[Any, list[dict]]:
        """Every replicate on a worker at once; the same tables as data.run_replicates. Raises
        PoolUnavailable when nothing listens (the pool was stopped): the caller runs them itself."""
        results = self.run_each([(scenario, i, int(s), float(scale)) for i, s in enumerate(seeds)], progress)
        return gather([r[0] for r in results], [r[1] for r in results])

    def run_each(self, tasks: list[tuple[sim.Scenario, int, int, float]],
                 progress: Callable[[int, int], None] | None = None,
                 at_once: int | None = None) -> list[tuple[Any, dict]]:
        """Each task, (scenario, replicate index, seed, scale), on a worker: data.one_replicate's
        (outcomes, manifest) per task, in the tasks' order; `progress(done, total)` counts the
        simulated years of them all. At most `at_once` tasks wait for or hold a worker (None:
        all), so a long list (the parameter ensemble's runs) leaves room, between its tasks, for
        other sessions' runs. The first error is raised; tasks not yet started are dropped."""
        total = sum(sc.end_year - sc.base_year for sc, *_ in tasks)
        done = [0] * len(tasks)
        lock = threading.Lock()

        def year(slot: int, n: int) -> None:
            with lock:
                done[slot] = n
                if progress is not None:
                    progress(sum(done), total)

        # one thread per task under way: connecting waits until a worker accepts (the handshake
        # needs it), and the others' years must be heard meanwhile
        with ThreadPoolExecutor(max(1, min(len(tasks), at_once or len(tasks)))) as ex:
            futures = [ex.submit(self._replicate, task, slot, year) for slot, task in enumerate(tasks)]
            try:
                return [f.result() for f in futures]
            except BaseException:
                ex.shutdown(wait=False, cancel_futures=True)
                raise

    def _replicate(self, task: tuple[sim.Scenario, int, int, float], slot: int,
                   year: Callable[[int, int], None]) -> tuple[Any, dict]:
        scenario, i, seed, scale = task
        for _attempt in range(RETRIES + 1):
            try:
                conn = Client(self.address, "AF_UNIX", authkey=self.authkey)
            except (FileNotFoundError, ConnectionRefusedError) as e:
                raise PoolUnavailable(str(e)) from None
            except (EOFError, ConnectionResetError):   # the worker died in the handshake
                continue
            with conn:
                conn.send((scenario, i, int(seed), float(scale)))
                while True:
                    try:
                        kind, *body = conn.recv()
                    except (EOFError, OSError):     # the worker died: once more, on another
                        year(slot, 0)
                        break
                    if kind == "year":
                        year(slot, body[0])
                    elif kind == "error":
                        raise body[0]
                    else:
                        return body[0], body[1]
        raise WorkerLost(f"replicate {i} (seed {seed}): its worker process ended without a result")


# --- the pool's side -------------------------------------------------------------------------------

def _supervise(listener: Listener, n: int, alive_fd: int) -> None:
    """Keep `n` workers accepting on `listener` until the app's end of `alive_fd` closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C stops the server; the closed pipe stops us
    workers = {_fork_worker(listener, alive_fd) for _ in range(n)}
    try:
        while True:
            if select.select([alive_fd], [], [], CHECK_S)[0]:   # readable only at EOF: the app ended
                return
            while workers:
                pid, _status = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                workers.discard(pid)
            while len(workers) < n:
                workers.add(_fork_worker(listener, alive_fd))
    finally:
        for pid in workers:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass


def _fork_worker(listener: Listener, alive_fd: int) -> int:
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.close(alive_fd)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            sim.keep_populations_in_memory(MEMORY_MB)
            _serve(listener)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def _serve(listener: Listener) -> None:
    while True:
        try:
            conn = listener.accept()
        except (OSError, EOFError, ValueError):   # a client that left during the handshake, or a bad key
            continue
        with conn:
            _answer(conn)


def _answer(conn: Connection) -> None:
    """Run the replicate `conn` asks for, telling each year done; drop it when the run has gone."""
    try:
        scenario, index, seed, scale = conn.recv()
    except (EOFError, OSError):
        return

    def year(done: int, _total: int) -> None:
        try:
            conn.send(("year", done))
        except OSError:   # BrokenPipe, ConnectionReset: the run was cancelled or superseded
            raise _RunGone from None

    try:
        outcomes, manifest = one_replicate(scenario, index, seed, scale, year)
        answer: tuple = ("done", outcomes, manifest)
    except _RunGone:
        return
    except Exception as e:   # the model's error goes to the run, which shows it on the page
        answer = ("error", e)
    try:
        conn.send(answer)
    except OSError:
        return
    except Exception as e:   # an exception that cannot be pickled: its text
        conn.send(("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]}")))
