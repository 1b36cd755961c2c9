"""Which of the ensemble's parameters drive an outcome's spread: first-order sensitivity indices
estimated from the ensemble's own runs (given data), with bootstrap intervals
(`EnsembleResult.drivers`, `urbsim ensemble run --drivers`; docs/calibration.md, "What drives the spread").

The estimator is RBD-FAST on given data (SALib `rbd_fast`: Plischke 2010, "An effective algorithm
for computing global sensitivity indices (EASI)", Reliab. Eng. Syst. Saf. 95(4); Tissot & Prieur
2012, "Bias correction for the estimation of sensitivity indices based on random balance designs",
Reliab. Eng. Syst. Saf. 107): the outcome, ordered along one parameter in a zig-zag, has the share
S1 of its variance in the first M harmonics of its spectrum; less the bias that M harmonics of N
points have by chance. It needs no sampling design, so it takes the members as they are.

The members are not an independent design but a sample of the non-implausible region, whose
parameters are correlated (e.g. `reconsider_rate` and `nearby_preference`, Spearman 0.69 in the
shipped file). S1_i = Var(E[Y | X_i]) / Var(Y) is then how much of the outcome's spread across the
members would go if X_i alone were known — which includes what X_i tells about the parameters it is
correlated with. The indices can add up to more than 1, and a parameter that does nothing itself
can get an index through a correlated one; the table names each parameter's most correlated
partner so that a reader can see when this may be so.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .draws import Draws
from .intervals import LEVEL

DRAW_PURPOSE = "ensemble drivers"     # keys the bootstrap's draws apart from every other use of the seed
# Below 32 members a 90% interval spans about half of [0, 1] even for a parameter that does nothing
# (measured on made-up functions: +-0.6 at 20 members, +-0.28 at 40, +-0.16 at 68).
MIN_MEMBERS = 32
RESAMPLES = 200
COLUMNS = ["parameter", "S1", "lo", "hi", "rank", "correlated_with", "correlation", "members", "harmonics"]


def harmonics_for(n: int) -> int:
    """M, the harmonics summed: 1 below 64 members, 2 below 96, 3 below 128, then 4. The chance
    part 2M/N that the bias correction takes off must stay small on the bootstrap's half-size
    samples (4M/N <= 1/8), and each harmonic more widens the interval (at 68 members, +-0.16 with
    M = 2, +-0.23 with 4); a monotone effect sits mostly in the first harmonic of the zig-zag order,
    a U-shaped one in the second (Plischke 2010 uses 6 on thousands of points)."""
    return max(1, min(4, n // 32))


def first_order(x: np.ndarray, y: np.ndarray, harmonics: int) -> float:
    """Bias-corrected RBD-FAST first-order index of y on x (SALib's estimator)."""
    from SALib.analyze.rbd_fast import compute_first_order, permute_outputs, unskew_S1

    return float(unskew_S1(compute_first_order(permute_outputs(x, y), harmonics), harmonics, len(y)))


def _partners(x: pd.DataFrame) -> tuple[list[str], list[float]]:
    """Each parameter's most correlated other parameter among the members, and the Spearman rho."""
    rho = x.rank().corr().to_numpy(copy=True)
    np.fill_diagonal(rho, 0.0)
    rho = np.nan_to_num(rho)
    best = np.abs(rho).argmax(axis=1)
    return [x.columns[j] for j in best], [float(rho[i, j]) for i, j in enumerate(best)]


def first_order_indices(x: pd.DataFrame, y: np.ndarray, rng: np.random.Generator, *, level: float = LEVEL,
                        resamples: int = RESAMPLES, harmonics: int | None = None) -> pd.DataFrame:
    """S1 of `y` (one value per row of `x`, the members' parameters) on each column of `x`, with a
    `level` interval: S1 +- z sd of the index over `resamples` bootstrap samples of half the members
    drawn with replacement (SALib's rbd_fast bootstrap, with our generator). The half-size samples
    make the interval wider than the full sample's: in tests on functions with known indices a 90%
    interval held the true index in 95-100% of trials at 40 to 136 members."""
    from scipy.stats import norm

    y = np.asarray(y, float)
    n = len(y)
    m = harmonics or harmonics_for(n)
    partner, rho = _partners(x)
    rows = []
    for j, name in enumerate(x.columns):
        xj = x[name].to_numpy(float)
        if np.ptp(y) == 0 or np.ptp(xj) == 0:
            rows.append((name, math.nan, math.nan, math.nan))
            continue
        boot = [first_order(xj[i], y[i], m) for i in (rng.integers(0, n, n // 2) for _ in range(resamples))]
        half = float(norm.ppf(0.5 + level / 2) * np.std(boot, ddof=1))
        s1 = first_order(xj, y, m)
        rows.append((name, s1, s1 - half, s1 + half))
    out = pd.DataFrame(rows, columns=["parameter", "S1", "lo", "hi"])
    out["rank"] = out["S1"].rank(ascending=False, method="min")
    return out.assign(correlated_with=partner, correlation=rho, members=n, harmonics=m)[COLUMNS]


def drivers_table(members: pd.DataFrame, parameters: list[str], means: pd.DataFrame, seed: int, *,
                  level: float = LEVEL, resamples: int = RESAMPLES) -> pd.DataFrame:
    """The indices of every (year, outcome, county) column of `means` (member means, indexed by
    member id) on the members' `parameters`; the bootstrap of each outcome draws from its own
    stream keyed by (seed, outcome, year, county), so one outcome's interval does not depend on
    which others are asked for."""
    x = members.set_index("member")[parameters]
    frames = []
    for (year, outcome, county), y in means.items():
        rng = Draws(seed).year(int(year)).stream(f"{DRAW_PURPOSE} {outcome} {county}")
        table = first_order_indices(x, y.reindex(x.index).to_numpy(float), rng, level=level, resamples=resamples)
        frames.append(table.assign(year=year, outcome=outcome, county=county, level=level))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
