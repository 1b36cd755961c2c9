"""Random-utility choice helpers shared by the decision rules."""
from __future__ import annotations

import numpy as np


def choose(utility: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Multinomial logit choice per row of (n, k): alternative j with probability
    exp(u_j) / sum_k exp(u_k), by one uniform draw `u` (in [0, 1), one per row) against the
    cumulative probabilities (as the Mesa reference draws; the same law as the largest of
    utility + Gumbel noise, with one draw instead of k). An alternative of utility -inf is
    never chosen."""
    # Column by column: numpy's reductions along rows of a few elements are several times slower.
    cols = utility.T
    top = cols[0].copy()
    for c in cols[1:]:
        np.maximum(top, c, out=top)
    cum, total = [], np.zeros(len(top))
    for c in cols:
        total = total + np.exp(c - top)
        cum.append(total)
    # x below the total (a product of u < 1 may round up to it), so that the first alternative
    # whose cumulative weight passes x exists and has a weight above 0.
    x = np.minimum(u * total, np.nextafter(total, 0.0))
    pick = np.zeros(len(top), np.intp)
    for c in cum[:-1]:
        pick += c <= x
    return pick


def accept(utility: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binary logit: yes where a uniform draw u falls below 1 / (1 + exp(-utility))."""
    return u < 1.0 / (1.0 + np.exp(-utility))
