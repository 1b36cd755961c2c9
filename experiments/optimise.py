"""A bounded minimiser for noisy objectives over the unit cube: a Latin hypercube, then
Nelder-Mead from the best points of different basins (docs/calibration.md, "Search")."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .calibration_params import CalibrationError


@dataclass
class OptimiseResult:
    x: np.ndarray                   # best point in the unit cube
    fun: float
    history: list[tuple[str, np.ndarray, float]] = field(default_factory=list)   # (stage, x, f)

    @property
    def evaluations(self) -> int:
        return len(self.history)


class _Budget(Exception):
    """Raised inside Nelder-Mead when a search has used its share of the budget."""


@dataclass
class _History:
    """Every evaluated point in order, and the best value so far (reported through `on_best`)."""
    on_best: Callable[[float], None] | None = None
    rows: list[tuple[str, np.ndarray, float]] = field(default_factory=list)
    best: float = math.inf

    def note(self, stage: str, xs, fs) -> None:
        for x, f in zip(xs, fs):
            self.rows.append((stage, np.array(x, float), float(f)))
            if f < self.best:
                self.best = float(f)
                if self.on_best:
                    self.on_best(self.best)

    def __len__(self) -> int:
        return len(self.rows)


def _basin_starts(history: _History, starts: int, min_distance: float) -> list[np.ndarray]:
    """The best points, each at least `min_distance` (root-mean-square per coordinate) from the
    points chosen before it: one start per basin."""
    chosen: list[np.ndarray] = []
    for _, x, _ in sorted(history.rows, key=lambda h: h[2]):
        if len(chosen) == max(starts, 1):
            break
        if all(np.sqrt(np.mean((x - c) ** 2)) >= min_distance for c in chosen):
            chosen.append(x)
    return chosen


def _nelder_mead(batch, history: _History, start: np.ndarray, stage: str, cap: int, step: float,
                 xatol: float, fatol: float) -> None:
    """Bounded Nelder-Mead from `start` until the history holds `cap` points; a point the simplex
    revisits is taken from the history, not run again."""
    from scipy.optimize import minimize

    dim = len(start)

    def single(x: np.ndarray) -> float:
        if len(history) >= cap:
            raise _Budget
        x = np.clip(x, 0, 1)
        for _, hx, hf in reversed(history.rows):
            if np.array_equal(hx, x):
                history.note(stage, [x], [hf])
                return hf
        f = float(np.asarray(batch(x[None, :]), float)[0])
        history.note(stage, [x], [f])
        return f

    simplex = [start] + [np.clip(start + step * np.eye(dim)[j] * (1 if start[j] < 0.5 else -1), 0, 1)
                         for j in range(dim)]
    try:
        minimize(single, start, method="Nelder-Mead", bounds=[(0.0, 1.0)] * dim,
                 options={"initial_simplex": np.array(simplex), "xatol": xatol, "fatol": fatol,
                          "maxfev": cap - len(history), "adaptive": dim > 3})
    except _Budget:
        pass


def optimise(batch: Callable[[np.ndarray], np.ndarray], dim: int, budget: int, n_initial: int | None = None,
             seed: int = 0, step: float = 0.15, xatol: float = 0.01, fatol: float = 1e-3, starts: int = 1,
             min_distance: float = 0.25, on_best: Callable[[float], None] | None = None) -> OptimiseResult:
    """Minimise `batch` (points (k, dim) in [0, 1]^dim -> values (k,)) within `budget` evaluations:
    a Latin hypercube of `n_initial` points, then bounded Nelder-Mead from the best of them, and
    (with `starts` > 1) from the next best points lying at least `min_distance` (root-mean-square
    distance per coordinate) from the starts already used: one search per basin, the budget after
    the Latin hypercube shared equally."""
    from scipy.stats import qmc

    if budget < 2:
        raise CalibrationError("the budget must allow at least 2 parameter points")
    n_initial = min(n_initial or max(2 * dim + 2, min(30 * dim, budget // 3)), budget)
    history = _History(on_best)
    xs = qmc.LatinHypercube(d=dim, seed=seed).random(n_initial)
    history.note("lhs", xs, np.asarray(batch(xs), float))
    chosen = _basin_starts(history, starts, min_distance)
    left = budget - n_initial
    for i, start in enumerate(chosen):
        cap = budget if i == len(chosen) - 1 else n_initial + (i + 1) * left // len(chosen)
        if cap - len(history) <= dim + 1:
            break
        stage = "nelder-mead" if len(chosen) == 1 else f"nelder-mead-{i + 1}"
        _nelder_mead(batch, history, start, stage, cap, step, xatol, fatol)
    bx, bf = min(((h[1], h[2]) for h in history.rows), key=lambda t: t[1])
    return OptimiseResult(bx, bf, history.rows)
