"""The city centre as a destination: the central districts 银州区 and 清河区 and, with weight
`behaviour.migration.new_district_pull`, the town of the new district (凡河新城 in 铁岭县).

Why: the city government and the colleges moved to the new district (shared data notes,
data/README.md), so its town draws movers, and pays public-sector wages, as the old
centre does. A membership of 0 is the old model (the centre is 银州区 and 清河区 only);
1 makes the new district's town one of the centre's destinations, weighted by its town
population as the central districts are, with the central wage premium, and its town
residents live in the centre already (as those of 银州区 and 清河区, they do not choose
it again). The centre stays "farther" (outside the own county) for Tieling County's
villagers: most of it is 银州区.
"""
from __future__ import annotations

import numpy as np

from ..places import CENTRAL, N_COUNTIES, NEW_DISTRICT


def membership(pull: float) -> np.ndarray:
    """How far each county's town belongs to the centre (0-1), shape (7,)."""
    m = np.zeros(N_COUNTIES)
    m[list(CENTRAL)] = 1.0
    m[NEW_DISTRICT] = max(m[NEW_DISTRICT], pull)
    return m


def wage_premium(premium: float, pull: float) -> np.ndarray:
    """Town wage multiplier per county: the central premium, in part for the new district."""
    return 1.0 + (premium - 1.0) * membership(pull)


def centre_weights(town_population: np.ndarray, pull: float) -> np.ndarray:
    """Weights of the counties as destinations of a move to the centre (by town population)."""
    return np.asarray(town_population, float) * membership(pull)


def other_town_weights(town_population: np.ndarray, pull: float) -> np.ndarray:
    """Weights of the counties as destinations of a move to "another county town": the part of
    a town that is not the centre (the new district is reached through the centre)."""
    return np.asarray(town_population, float) * (1.0 - membership(pull))
