"""Moves between Tieling and outside: yearly probabilities as pure functions of arrays.

The age profile is the labour peak of the Rogers-Castro model migration schedule
(Rogers & Castro 1981; parameters in data/demographic_schedules.csv), a Gaussian
bump around `peak_age` plus a small floor for other ages.
"""
from __future__ import annotations

import numpy as np

from ..constants import MAX_YEARLY_CHANCE, MOVE_AGE_FROM, MOVE_FLOOR, RETURN_AGE
from ..parameters import Outside


def age_profile(age: np.ndarray, params: Outside) -> np.ndarray:
    bump = np.exp(-(((age - params.peak_age) / params.age_spread) ** 2))
    return np.where(age >= MOVE_AGE_FROM, MOVE_FLOOR + bump, 0.0)


def leave_probability(age: np.ndarray, college: np.ndarray, rural: np.ndarray, params: Outside,
                      pull: np.ndarray | float = 1.0, county: np.ndarray | None = None) -> np.ndarray:
    """Yearly chance that a resident leaves Tieling; `pull` scales the outside's attraction, per
    person, or per county of residence when `county` (each person's) is given."""
    by_age = params.out_rate_peak * age_profile(np.arange(int(age.max(initial=0)) + 1), params)
    table = (by_age[:, None, None] * np.array([1.0, params.college_multiplier])[:, None]
             * np.array([1.0, params.rural_multiplier]))            # age x college x rural
    if county is None:
        cell = (age.astype(np.intp) * 2 + college) * 2 + rural
        return np.clip(table.ravel()[cell] * pull, 0.0, MAX_YEARLY_CHANCE)
    # The whole chance by county x age x college x rural, computed once per cell, looked up per person.
    table = np.clip(np.asarray(pull)[:, None, None, None] * table, 0.0, MAX_YEARLY_CHANCE).astype(np.float32)
    cell = ((county.astype(np.int16) * table.shape[1] + age) * 2 + college) * 2 + rural   # < 2**15 cells
    return np.take(table.ravel(), cell)        # np.take: indexing with int16 takes a slower path


def return_probability(age: np.ndarray, params: Outside) -> np.ndarray:
    """Yearly chance that a registered person living outside comes back."""
    return np.clip(params.return_rate * np.where(age >= RETURN_AGE, params.return_age_multiplier, 1.0), 0.0,
                   MAX_YEARLY_CHANCE)
