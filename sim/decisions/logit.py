"""Random-utility choice helpers shared by the decision rules."""
from __future__ import annotations

import numpy as np


def choose(utility: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Multinomial logit choice: index of max(utility + Gumbel noise) per row of (n, k)."""
    return np.argmax(utility + rng.gumbel(size=utility.shape), axis=1)


def accept(utility: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Binary logit: yes where a uniform draw u falls below 1 / (1 + exp(-utility))."""
    return u < 1.0 / (1.0 + np.exp(-utility))
