"""Running parameter points of a calibration: one run per point and seed, in a process pool,
each cached on disk as one JSON file keyed by the resolved scenario and the code's fingerprint
(docs/calibration.md, "Cache and resuming")."""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from sim import Scenario, with_overrides, write_text_whole

from .calibration_data import simulate
from .calibration_params import CalibrationError, Parameter


def _key(scenario: dict, fingerprint: str) -> str:
    text = json.dumps(scenario, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{fingerprint}\n{text}".encode()).hexdigest()[:24]


class RunCache:
    """One JSON file per run under DIR/<code fingerprint>/; written whole (temporary file + os.replace)."""

    def __init__(self, root: Path | str | None, fingerprint: str):
        self.dir = None if root is None else Path(root) / fingerprint
        self.fingerprint = fingerprint

    def get(self, key: str) -> dict | None:
        if self.dir is None:
            return None
        f = self.dir / f"{key}.json"
        try:
            return json.loads(f.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def put(self, key: str, data: dict) -> None:
        if self.dir is None:
            return
        write_text_whole(self.dir / f"{key}.json", json.dumps(data))


class InlineExecutor(Executor):
    """Runs each task when submitted, in this process (workers=0)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:  # pragma: no cover - surfaced by fut.result()
            fut.set_exception(e)
        return fut


def make_executor(workers: int) -> Executor:
    if workers <= 0:
        return InlineExecutor()
    import multiprocessing as mp
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["experiments.calibration_data"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


@dataclass
class Evaluator:
    """Runs parameter points at every seed (cached) and returns per-seed summaries."""
    base: Scenario
    parameters: Sequence[Parameter]
    seeds: Sequence[int]
    cache: RunCache
    executor: Executor
    on_run: Callable[[bool], None] | None = None     # called per finished run (True: from the cache)
    runs: int = 0
    cached: int = 0

    def scenario(self, values: Sequence[float], seed: int) -> dict:
        over = {p.path: float(v) for p, v in zip(self.parameters, values)}
        over["seed"] = int(seed)
        return with_overrides(self.base, over).model_dump(mode="json")

    def evaluate(self, points: Sequence[Sequence[float]]) -> list[list[dict]]:
        """Per point, the list of per-seed results of `calibration_data.simulate`."""
        jobs: dict[str, Future | dict] = {}
        plan = []
        for values in points:
            keys = []
            for seed in self.seeds:
                sc = self.scenario(values, seed)
                key = _key(sc, self.cache.fingerprint)
                keys.append(key)
                if key in jobs:
                    continue
                hit = self.cache.get(key)
                if hit is not None:
                    jobs[key] = hit
                    self.cached += 1
                    if self.on_run:
                        self.on_run(True)
                else:
                    jobs[key] = self.executor.submit(simulate, sc)
            plan.append(keys)
        for key, job in jobs.items():
            if isinstance(job, Future):
                data = job.result()
                if data.get("code_fingerprint", self.cache.fingerprint) != self.cache.fingerprint:
                    raise CalibrationError("the model's code changed while calibrating (its fingerprint is "
                                           f"{data['code_fingerprint']}, was {self.cache.fingerprint}): run again")
                self.cache.put(key, data)
                jobs[key] = data
                self.runs += 1
                if self.on_run:
                    self.on_run(False)
        return [[jobs[k] for k in keys] for keys in plan]

