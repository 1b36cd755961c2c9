"""Where to live within Tieling: a random-utility (logit) choice (clause 一, docs/design.md §1).

Alternatives: 0 stay, 1 the own county's town, 2 the central districts (银州区/清河区),
3 another county town. Each utility term names its mechanism; coefficients are
behavioural parameters (`behaviour.migration`). Leaving Tieling altogether is the
hazard in `decisions/outside.py`, calibrated to the census decline.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parameters import Migration

STAY, OWN_TOWN, CENTRAL, OTHER_TOWN = range(4)
MAX_RENT_SHARE = 2.0
N_ALTERNATIVES = 4


@dataclass
class Options:
    """Per-decider values of each alternative, arrays of shape (n, 4)."""
    income: np.ndarray        # household income there, yuan/month
    housing_cost: np.ndarray  # rent or its equivalent there, yuan/month
    services: np.ndarray      # public-service access with the decider's status (0-1)
    congestion: np.ndarray    # soft congestion of services there (0-1)
    farther: np.ndarray       # 1 where the place is outside the decider's own county
    land_left: np.ndarray     # share of household income from land left behind there (0-1)
    unavailable: np.ndarray   # True where the alternative is the current place (not a move)


def per_alternative(make, n: int, dtype=float) -> np.ndarray:
    """An (n, N_ALTERNATIVES) array laid out column by column (`make`: np.empty or np.zeros):
    filling and reading one alternative for everyone is then a contiguous pass."""
    return make((N_ALTERNATIVES, n), dtype).T


def utilities(o: Options, params: Migration) -> np.ndarray:
    income = np.maximum(o.income, 1.0)
    # Rent as a share of income, capped at twice the income: a household without income is
    # not pushed out by an unbounded term (it pays what it can, or is housed by relatives).
    housing = np.minimum(o.housing_cost / income, MAX_RENT_SHARE)
    u = np.log(income / income[:, :1])                  # the income gap
    # The terms in order, in place (the same sums as one expression, without the temporaries).
    u *= params.beta_income
    u -= params.beta_housing * housing
    u += params.beta_services * o.services
    u -= params.beta_congestion * o.congestion
    u -= params.nearby_preference * o.farther
    u -= params.beta_land * o.land_left
    u[:, 1:] -= params.moving_cost
    u[:, STAY] += params.beta_family
    u[o.unavailable] = -np.inf
    return u
