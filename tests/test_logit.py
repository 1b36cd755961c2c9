"""The logit choice the within-city moves draw with (sim/decisions/logit.py)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.decisions.logit import choose


def test_choice_shares_are_the_logit_probabilities():
    rng = np.random.default_rng(11)
    rows = np.array([[0.0, 1.0, -0.5, 2.0], [0.3, -np.inf, 0.3, -1.0], [-50.0, -49.0, -np.inf, -np.inf]])
    n = 60_000
    utility = np.repeat(rows, n, axis=0)
    pick = choose(utility, rng.random(len(utility))).reshape(len(rows), n)
    for row, picks in zip(rows, pick):
        expected = np.exp(row - row.max()) / np.exp(row - row.max()).sum()
        share = np.bincount(picks, minlength=len(row)) / n
        se = np.sqrt(expected * (1 - expected) / n)
        assert np.all(np.abs(share - expected) <= 4 * se + 1e-12), (row, share, expected)


finite_or_not = st.one_of(st.floats(-30, 30), st.just(-np.inf))


@settings(max_examples=200, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 40), st.integers(1, 5)), elements=finite_or_not),
       st.integers(0, 2**32 - 1))
def test_an_unavailable_alternative_is_never_chosen(utility, seed):
    utility[:, 0] = np.where(np.isinf(utility).all(axis=1), 0.0, utility[:, 0])   # at least one is open
    pick = choose(utility, np.random.default_rng(seed).random(len(utility)))
    assert pick.shape == (len(utility),)
    assert np.all(np.isfinite(utility[np.arange(len(utility)), pick]))
    assert np.array_equal(pick, choose(utility, np.random.default_rng(seed).random(len(utility))))   # same draws
