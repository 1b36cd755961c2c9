"""What the keyed draws (common random numbers, sim/draws.py) cost a whole run.

    python -m experiments.bench_draws [--scale 0.1] [--repeats 5]

Runs the scenario with the model's keyed draws and with a stand-in that draws the same numbers'
kinds from one sequential numpy Generator per year (what the model drew before the keyed draws:
`uniform(purpose, ids)` is `Generator.random(len(ids))`, in the order the model asks), in one
process, alternately, after a warm-up run of each (the first run pays the lazy imports of Mesa,
pandas and scipy: about 0.6 s). Reports the median CPU time (`time.process_time`) of each and
their ratio. The stand-in changes the random numbers, not their laws, so both runs do the same
kind of work; only the keyed draws' own cost differs. Counts (`poisson`, `binomial`) and origin
keys stay keyed in both: they are a few values a year.
"""
from __future__ import annotations

import argparse
import statistics
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from sim import Draws, YearDraws, load_scenario, run, with_overrides

DEFAULT_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "tieling_reform_2020.yaml"


class SequentialYearDraws(YearDraws):
    """The year's draws from one sequential Generator: the same interface, no hashing."""

    def __init__(self, seed: int, year: int):
        super().__init__(seed, year)
        self._rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.seed, self.year])))

    def uniform(self, purpose: str, ids: np.ndarray, dtype=np.float64) -> np.ndarray:
        return self._rng.random(len(ids), dtype=np.float32 if np.dtype(dtype) == np.float32 else np.float64)

    def chance(self, purpose: str, ids: np.ndarray, p, dtype=np.float64, at: np.ndarray | None = None) -> np.ndarray:
        return self.uniform(purpose, ids if at is None else at, dtype) < p

    def order(self, purpose: str, ids: np.ndarray) -> np.ndarray:
        return self._rng.permutation(len(ids))


@contextmanager
def sequential_draws():
    """Within the block, runs draw from `SequentialYearDraws`."""
    original = Draws.year
    Draws.year = lambda self, year: SequentialYearDraws(self.seed, year)
    try:
        yield
    finally:
        Draws.year = original


def cpu_seconds(scenario) -> float:
    start = time.process_time()
    run(scenario)
    return time.process_time() - start


def compare(scale: float = 0.1, repeats: int = 5, scenario: Path = DEFAULT_SCENARIO,
            say=lambda line: None) -> dict:
    """Median CPU seconds of keyed and sequential runs, alternated, after one warm-up run of each."""
    sc = with_overrides(load_scenario(scenario), {"scale": scale})
    times: dict[str, list[float]] = {"keyed": [], "sequential": []}
    for i in range(repeats + 1):
        for name in ("sequential", "keyed"):
            if name == "sequential":
                with sequential_draws():
                    t = cpu_seconds(sc)
            else:
                t = cpu_seconds(sc)
            if i > 0:                       # the first round warms up (imports, caches)
                times[name].append(t)
            say(f"{'warm-up' if i == 0 else f'run {i}'} {name}: {t:.2f} s CPU")
    keyed, sequential = statistics.median(times["keyed"]), statistics.median(times["sequential"])
    return {"scale": scale, "repeats": repeats, "keyed_cpu_s": keyed, "sequential_cpu_s": sequential,
            "ratio": keyed / sequential, "times": times}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    a = ap.parse_args(argv)
    r = compare(a.scale, a.repeats, a.scenario, say=print)
    print(f"scale {r['scale']:g}, median of {r['repeats']}: keyed {r['keyed_cpu_s']:.3f} s, "
          f"sequential {r['sequential_cpu_s']:.3f} s, keyed / sequential = {r['ratio']:.3f}")


if __name__ == "__main__":
    main()
