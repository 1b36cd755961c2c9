"""Main effects with intervals, and how much of an outcome's variance the seeds explain.

Rank correlations (`analysis._spearman`) say whether an outcome moves with a factor, not
by how much, and they mix the replicate noise into the factor's signal. Here:

**Main effects** (`main_effects`), in the outcome's own unit, with a 90% interval:

- grid: for each replicate seed, the outcome's mean at each level of the factor
  (averaged over the other factors' levels); the effect of a level is its difference
  from the factor's first level (lowest value, first choice), *paired by seed*: every
  design row runs with the same replicate seeds (common random numbers), so the
  difference within a seed has the noise that both runs share taken out. The interval
  is Student's t over the replicates (needs 2 or more).
- lhs, sobol, morris: an ordinary least-squares fit of every run's value on the
  factors (numeric factors scaled so 0 is `lo` and 1 is `hi`; choices as indicators
  against the first choice) with one intercept per replicate seed (the same pairing).
  The effect of a numeric factor is the fitted change from `lo` to `hi`; the interval
  is t with the fit's residual degrees of freedom. A linear fit: an effect that bends
  or depends on another factor shows in the Sobol'/Morris indices, not here.

**Variance shares** (`variance_shares`): the sum of squares of all runs about their mean,
split into between design rows (the factors) and within rows (the seeds: the same
inputs, other random draws). For a grid the between-rows part is further split into each
factor's main effect and the rest (interactions); the grid is balanced, so these parts add up.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from sim import paired_difference

from .design import LEVEL_PREFIX

KEYS = ["outcome", "year", "county", "group"]
EFFECT_COLUMNS = KEYS + ["factor", "level", "versus", "effect", "low", "high", "n", "method"]
VARIANCE_COLUMNS = KEYS + ["source", "share", "sum_sq"]
CONF = 0.90


def _level_column(f: dict) -> str:
    return LEVEL_PREFIX + f["path"] if f["kind"] == "choice" else f["path"]


def _level_name(f: dict, level) -> str:
    if f["kind"] == "choice":
        v = f["choices"][int(level)]
        return v if isinstance(v, str) else repr(v) if not isinstance(v, bool) else str(v).lower()
    return f"{level:g}"


def _grid_effects(runs: pd.DataFrame, factors: list[dict], conf: float) -> list[dict]:
    """Paired-by-seed differences between each level and the first, per factor."""
    out = []
    for f in factors:
        col = _level_column(f)
        by_seed = runs.pivot_table(index="replicate", columns=col, values="value", aggfunc="mean")
        levels = sorted(by_seed.columns)
        base = levels[0]
        for level in levels[1:]:
            pair = by_seed[[level, base]].dropna()      # seeds whose runs at both levels are stored
            if pair.empty:
                continue
            d = paired_difference(pair[level], pair[base], conf)
            out.append({"factor": f["path"], "level": _level_name(f, level), "versus": _level_name(f, base),
                        "effect": d.mean, "low": d.low, "high": d.high, "n": d.n, "method": "paired by seed"})
    return out


def _regression_effects(runs: pd.DataFrame, factors: list[dict], conf: float) -> list[dict]:
    """OLS of the value on the factors with one intercept per replicate seed."""
    cols, names = [], []
    for f in factors:
        if f["kind"] == "choice":
            lv = runs[_level_column(f)].to_numpy(int)
            for k in range(1, len(f["choices"])):
                cols.append((lv == k).astype(float))
                names.append((f, _level_name(f, k), _level_name(f, 0)))
        else:
            span = (float(f["hi"]) - float(f["lo"])) or 1.0
            cols.append((runs[f["path"]].to_numpy(float) - float(f["lo"])) / span)
            names.append((f, f"{f['hi']:g}", f"{f['lo']:g}"))
    seeds = pd.get_dummies(runs["replicate"]).to_numpy(float)
    x = np.column_stack(cols + [seeds])
    y = runs["value"].to_numpy(float)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    dof = len(y) - np.linalg.matrix_rank(x)
    out = []
    if dof > 0:
        resid = y - x @ coef
        cov = np.linalg.pinv(x.T @ x) * (resid @ resid) / dof
        half = stats.t.ppf(0.5 + conf / 2, dof) * np.sqrt(np.clip(np.diag(cov), 0, None))
    else:
        half = np.full(len(coef), np.nan)
    for j, (f, level, versus) in enumerate(names):
        out.append({"factor": f["path"], "level": level, "versus": versus, "effect": float(coef[j]),
                    "low": float(coef[j] - half[j]), "high": float(coef[j] + half[j]), "n": int(len(y)),
                    "method": "linear fit, seed intercepts"})
    return out


def main_effects(meta: dict, tidy: pd.DataFrame, conf: float = CONF) -> pd.DataFrame:
    """Main effect of every factor level on every kept (outcome, year, county, group), with intervals."""
    if tidy.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    method = meta["spec"]["design"]["method"]
    factors = meta["factors"]
    records = []
    for key, runs in tidy.groupby(KEYS, sort=True):
        runs = runs.dropna(subset=["value"])
        rows = _grid_effects(runs, factors, conf) if method == "grid" else _regression_effects(runs, factors, conf)
        records += [dict(zip(KEYS, key), **r) for r in rows]
    return pd.DataFrame.from_records(records, columns=EFFECT_COLUMNS)


def variance_shares(meta: dict, tidy: pd.DataFrame) -> pd.DataFrame:
    """Share of each outcome's run-to-run variance due to the factors and to the seeds."""
    if tidy.empty:
        return pd.DataFrame(columns=VARIANCE_COLUMNS)
    grid = meta["spec"]["design"]["method"] == "grid"
    records = []
    for key, runs in tidy.groupby(KEYS, sort=True):
        y = runs["value"].to_numpy(float)
        ok = ~np.isnan(y)
        runs, y = runs[ok], y[ok]
        total = float(((y - y.mean()) ** 2).sum())
        row_mean = runs.groupby("row")["value"].transform("mean").to_numpy(float)
        parts = {"seeds (within design rows)": float(((y - row_mean) ** 2).sum())}
        between = total - parts["seeds (within design rows)"]
        if grid:
            mains = 0.0
            for f in meta["factors"]:
                level_mean = runs.groupby(_level_column(f))["value"].transform("mean").to_numpy(float)
                parts[f["path"]] = float(((level_mean - y.mean()) ** 2).sum())
                mains += parts[f["path"]]
            parts["interactions"] = max(between - mains, 0.0)
        else:
            parts["factors (between design rows)"] = between
        for source, ss in parts.items():
            records.append({**dict(zip(KEYS, key)), "source": source,
                            "share": ss / total if total > 0 else np.nan, "sum_sq": ss})
    return pd.DataFrame.from_records(records, columns=VARIANCE_COLUMNS)
