"""History matching with implausibility cuts in waves, over the unit cube of a set of parameters.

For a parameter point x and each target i, the implausibility (Craig et al. 1997; Vernon,
Goldstein & Bower 2010, Bayesian Analysis 5(4)) is

    I_i(x) = |e_i(x)| / sqrt(V_obs,i + V_md,i + V_seed,i / n)

with e_i(x) the mean over n seeds of the model's error at target i (simulated minus observed,
relative for counts), V_obs the observation's variance, V_md the model discrepancy's variance
and V_seed the variance of the error between seeds (measured), divided by n because the mean of
n seeds stands for the model's expectation. A point is implausible when max_i I_i(x) > 3 (the
conventional cut: Pukelsheim's three-sigma rule holds for any unimodal distribution, 95%).

Without an emulator (a run takes about a second), each wave samples a Latin hypercube in a box
of the unit cube and runs every point: wave 1 in a given box (the whole prior box by default), each later wave in the
bounding box of the previous waves' survivors widened by a margin (refocusing). When fewer than
`min_refocus` points survive the cut, the box is taken around the `min_refocus` least implausible
points instead, so that the waves close in even when the first sample finds almost nothing.
Every wave samples its box uniformly, so survivors are uniform over the part of the
non-implausible region that lies in the box.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

CUT = 3.0


def implausibility(errors: np.ndarray, v_obs: np.ndarray, v_md: np.ndarray, v_seed: np.ndarray,
                   n_seeds: int) -> np.ndarray:
    """Per point and target (errors: (points, targets), mean over `n_seeds` seeds)."""
    var = np.asarray(v_obs, float) + np.asarray(v_md, float) + np.asarray(v_seed, float) / max(n_seeds, 1)
    return np.abs(np.asarray(errors, float)) / np.sqrt(var)


@dataclass
class Wave:
    number: int
    lo: np.ndarray                  # the box sampled, in the unit cube
    hi: np.ndarray
    points: np.ndarray              # (n, dim) in the unit cube
    imax: np.ndarray                # (n,) maximum implausibility over the targets
    worst: np.ndarray               # (n,) index of the target giving it
    start: str = ""                 # which start's waves it belongs to (a build may pool several)

    @property
    def survivors(self) -> int:
        return int((self.imax <= CUT).sum())


@dataclass
class HistoryMatch:
    waves: list[Wave] = field(default_factory=list)

    def members(self) -> tuple[np.ndarray, np.ndarray]:
        """The non-implausible points of every wave (unit cube) and their maximum implausibility."""
        pts = np.concatenate([w.points[w.imax <= CUT] for w in self.waves])
        imax = np.concatenate([w.imax[w.imax <= CUT] for w in self.waves])
        return pts, imax

    @property
    def runs(self) -> int:
        return sum(len(w.points) for w in self.waves)


def refocused_box(points: np.ndarray, imax: np.ndarray, min_refocus: int, margin: float) -> tuple[np.ndarray,
                                                                                                   np.ndarray]:
    """The bounding box of the survivors (or of the `min_refocus` least implausible points), each
    side widened by `margin` of its length (at least 0.02 of the prior), clipped to the unit cube."""
    keep = points[imax <= CUT]
    if len(keep) < min_refocus:
        keep = points[np.argsort(imax)[:min_refocus]]
    lo, hi = keep.min(axis=0), keep.max(axis=0)
    pad = np.maximum(margin * (hi - lo), 0.02)
    return np.clip(lo - pad, 0, 1), np.clip(hi + pad, 0, 1)


def history_match(errors_of: Callable[[np.ndarray], np.ndarray], dim: int, sizes: Sequence[int],
                  variance: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]], n_seeds: int, *,
                  seed: int = 0, min_refocus: int = 10, margin: float = 0.1, min_members: int = 0,
                  start: tuple[np.ndarray, np.ndarray] | None = None, label: str = "",
                  on_wave: Callable[[Wave], None] | None = None) -> HistoryMatch:
    """Waves of `sizes[k]` points each; `errors_of(points)` gives the mean errors (points, targets)
    and `variance()` the (V_obs, V_md, V_seed) of each target. The first wave samples the box
    `start` (default: the whole unit cube). Stops early once the pooled survivors reach
    `min_members` (0: run every wave). `label` names the start in each wave."""
    from scipy.stats import qmc

    v_obs, v_md, v_seed = variance()
    result = HistoryMatch()
    lo, hi = (np.zeros(dim), np.ones(dim)) if start is None else (np.asarray(start[0], float),
                                                                  np.asarray(start[1], float))
    for k, n in enumerate(sizes, start=1):
        pts = lo + (hi - lo) * qmc.LatinHypercube(d=dim, seed=seed + k).random(n)
        imp = implausibility(errors_of(pts), v_obs, v_md, v_seed, n_seeds)
        imp = np.where(np.isfinite(imp), imp, np.inf)
        wave = Wave(k, lo, hi, pts, imp.max(axis=1), imp.argmax(axis=1), label)
        result.waves.append(wave)
        if on_wave:
            on_wave(wave)
        if min_members and len(result.members()[0]) >= min_members:
            break
        all_pts = np.concatenate([w.points for w in result.waves])
        all_imax = np.concatenate([w.imax for w in result.waves])
        lo, hi = refocused_box(all_pts, all_imax, min_refocus, margin)
    return result
