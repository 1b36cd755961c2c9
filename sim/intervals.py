"""Intervals for differences between scenarios run with paired replicate seeds.

Replicate i of every scenario runs with the same seed, so the noise the runs share cancels in
the per-seed difference d_i = scenario_i - baseline_i (common random numbers, sim/draws.py).
The interval is the paired t interval on the d_i: mean(d) +- t_{(1+level)/2, R-1} * sd(d) / sqrt(R)
(Law, *Simulation Modeling and Analysis*, 5th ed., §10.2, "paired-t confidence interval").
A difference whose interval includes 0 is not distinguishable from the noise of the runs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

LEVEL = 0.9
NOISE = "not distinguishable from noise"


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..R-1: `seed`, `seed + 1`, ... The one rule for every set of replicates
    (`urbsim compare`, the dashboard, sweeps, calibration, the backtest); the same list is used for
    every scenario or design row (paired seeds, common random numbers). Replicate 0 is the scenario's
    own seed, so one replicate is the single run of `urbsim run`, and replicate k does not depend on
    R, so replicates can be added later. Neighbouring seeds give unrelated draws: every draw hashes
    the seed (sim/draws.py)."""
    if replicates < 1:
        raise ValueError(f"replicates: expected at least 1, found {replicates}")
    return [int(seed) + i for i in range(replicates)]


@dataclass(frozen=True)
class Interval:
    """Mean of a sample with its two-sided t interval (`low`, `high`: NaN with one value)."""
    mean: float
    low: float
    high: float
    sd: float
    n: int
    level: float = LEVEL

    @property
    def includes_zero(self) -> bool:
        """True when 0 lies in the interval, or there is no interval (a single value)."""
        return not (self.low > 0 or self.high < 0)

    @property
    def verdict(self) -> str:
        if self.n < 2:
            return "one replicate: no interval"
        return NOISE if self.includes_zero else ""


def t_quantile(p: float, df: int) -> float:
    from scipy import stats          # imported when used: keeps `import sim` light
    return float(stats.t.ppf(p, df))


def mean_interval(values, level: float = LEVEL) -> Interval:
    """The mean of `values` and its t interval at `level` (0-1)."""
    if not 0 < level < 1:
        raise ValueError(f"level: expected a number between 0 and 1, found {level}")
    x = np.asarray(values, float)
    n = len(x)
    if n == 0:
        raise ValueError("values: expected at least one value, found none")
    mean = float(x.mean())
    if n < 2:
        return Interval(mean, math.nan, math.nan, math.nan, n, level)
    sd = float(x.std(ddof=1))
    half = t_quantile((1 + level) / 2, n - 1) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, sd, n, level)


def paired_difference(scenario, baseline, level: float = LEVEL) -> Interval:
    """The mean of `scenario - baseline` over paired replicates (same seed at the same position)
    and its paired t interval."""
    a, b = np.asarray(scenario, float), np.asarray(baseline, float)
    if a.shape != b.shape:
        raise ValueError(f"paired replicates: expected equal counts, found {a.shape} and {b.shape}")
    return mean_interval(a - b, level)


def compare_table(runs: pd.DataFrame, baseline: str, level: float = LEVEL) -> pd.DataFrame:
    """Means of each scenario and paired differences from `baseline`, with intervals.

    `runs`: one row per scenario, replicate, year and outcome, with columns scenario, replicate,
    seed, year, outcome, value (replicate r has the same seed in every scenario). Returns one row
    per (year, outcome, scenario): `mean` and `sd` over replicates; for the other scenarios also
    `difference` (mean of the paired differences), `low`, `high` (its interval at `level`) and
    `distinguishable` (the interval excludes 0; False with one replicate)."""
    seeds = runs.groupby("scenario").apply(
        lambda g: tuple(g.drop_duplicates("replicate").sort_values("replicate").seed), include_groups=False)
    if seeds.nunique() > 1:
        raise ValueError("paired replicates: every scenario must use the same seeds, found "
                         + "; ".join(f"{k}: {list(v)}" for k, v in seeds.items()))
    wide = runs.pivot_table(index=["year", "outcome", "replicate"], columns="scenario", values="value")
    rows = []
    for (year, outcome), g in wide.groupby(level=["year", "outcome"]):
        for name in g.columns:
            m = mean_interval(g[name], level)
            row = {"year": year, "outcome": outcome, "scenario": name, "mean": m.mean, "sd": m.sd}
            if name != baseline:
                d = paired_difference(g[name], g[baseline], level)
                row.update(difference=d.mean, low=d.low, high=d.high,
                           distinguishable=d.n > 1 and not d.includes_zero)
            rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("difference", "low", "high"):
        if col not in out:
            out[col] = np.nan
    out["level"] = level
    return out
