"""Common random numbers: every draw about a person or household is a hash of who, when and why.

A draw about an agent is a function of (run seed, the agent's stable id, year, purpose) — a
counter-based generator (Salmon et al. 2011, "Parallel random numbers: as easy as 1, 2, 3") —
so the same person makes the same draw in two scenarios run with the same seed, whatever the
others do, whoever else was drawn for and in whatever order. Sequential generators shared by
everybody lose this as soon as one scenario draws once more or once less: the draws of every
later decision shift to other people. Starsim does the same with a hash of (seed, agent slot)
per distribution (Kerr et al. 2025, "Starsim", docs: "common random numbers").

The hash is SplitMix64's output function (Steele, Lea & Flood 2014) on `id * golden + key`,
where `key` mixes the seed, the year and the purpose's name: the same sequence SplitMix64
walks, started at a point set by the key. Vectorised over numpy uint64 arrays: about 10 passes
over the ids (docs/performance.md). Ids below 2**64; the purpose is any string, each site of the
model having its own ("death", "leave_tieling.family", ...).

An agent is named by its draw key (the `key` column of sim/population/columns.py): its stable
id for the population synthesized at the base year, which every scenario of a seed shares, and
for an agent created during the run a key derived from its origin (`origin_keys`): a newborn's
from its mother's key and the year, a new household's from its founder's key, the year and why
it was founded, an arrival's from the year and its place among that year's arrivals to its
county. Counter ids diverge between two scenarios at their first different birth or move;
origin keys keep the "same" newborn's draws the same (docs/decisions.md).

Counts that are not about one agent (how many people arrive this year, the survey's sample)
are inverse distribution functions of a keyed uniform (`poisson`, `binomial`): a slightly
larger mean gives the same count or one more, not an unrelated number. Draws whose order
matters (the sizes of arrivals' families) come from named streams: numpy Generators seeded by
(seed, year, name).
"""
from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_M1, _M2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_U_GOLDEN, _U_M1, _U_M2 = np.uint64(_GOLDEN), np.uint64(_M1), np.uint64(_M2)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_S40, _S11 = np.uint64(40), np.uint64(11)
# Set in every key derived from an origin: such keys never equal a synthesized agent's id (< 2**63).
_ORIGIN_BIT = np.uint64(1 << 63)


def mix64(z: int) -> int:
    """SplitMix64's output function on one Python integer (mod 2**64)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


@lru_cache(maxsize=None)
def name_key(name: str) -> int:
    """A 64-bit number for a name, the same on every machine and in every process (Python's
    own `hash` of a string changes between processes)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest(), "little")


def hash_ids(ids: np.ndarray, key: int) -> np.ndarray:
    """SplitMix64 outputs at positions `ids` of the sequence keyed by `key`: uint64, one per id."""
    ids = np.asarray(ids)
    # int64 ids (the id columns) are read as uint64 in place: no copy before the multiply.
    x = np.multiply(ids.view(np.uint64) if ids.dtype == np.int64 else ids.astype(np.uint64), _U_GOLDEN)
    x += np.uint64(key & _MASK)
    t = np.empty_like(x)
    np.right_shift(x, _S30, out=t)
    x ^= t
    x *= _U_M1
    np.right_shift(x, _S27, out=t)
    x ^= t
    x *= _U_M2
    np.right_shift(x, _S31, out=t)
    x ^= t
    return x


def to_uniform(x: np.ndarray, dtype=np.float64) -> np.ndarray:
    """Uniforms in [0, 1) from 64-bit hashes: the top 53 bits (float64) or 24 bits (float32),
    exact in the type, so that 1.0 never occurs."""
    if np.dtype(dtype) == np.float32:
        np.right_shift(x, _S40, out=x)
        u = x.view(np.int64).astype(np.float32)
        u *= np.float32(2.0 ** -24)
        return u
    np.right_shift(x, _S11, out=x)
    u = x.view(np.int64).astype(np.float64)     # below 2**53: the same value, converted faster than uint64
    u *= 2.0 ** -53
    return u


class Draws:
    """The random numbers of one run: `Draws(seed).year(y)` gives those of year y."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def year(self, year: int) -> "YearDraws":
        return YearDraws(self.seed, year)


class YearDraws:
    """Draws of one year of one run, keyed by purpose; agents are named by their stable ids."""

    def __init__(self, seed: int, year: int):
        self.seed, self.year = int(seed), int(year)
        self._base = mix64(mix64(self.seed & _MASK) ^ (self.year & _MASK))
        self._keys: dict[str, int] = {}

    def key(self, purpose: str) -> int:
        k = self._keys.get(purpose)
        if k is None:
            k = self._keys[purpose] = mix64(self._base ^ name_key(purpose))
        return k

    # --- draws about agents (ids: stable person or household ids) ------------------------------

    def uniform(self, purpose: str, ids: np.ndarray, dtype=np.float64) -> np.ndarray:
        """One uniform in [0, 1) per id; the same id gets the same number for the same purpose."""
        return to_uniform(hash_ids(ids, self.key(purpose)), dtype)

    def chance(self, purpose: str, ids: np.ndarray, p, dtype=np.float64) -> np.ndarray:
        """True with probability `p` (a number or one per id), for each id."""
        return self.uniform(purpose, ids, dtype) < p

    def integers(self, purpose: str, ids: np.ndarray, low: int, high: int) -> np.ndarray:
        """Whole numbers in [low, high), equally likely (int64)."""
        return low + (self.uniform(purpose, ids) * (high - low)).astype(np.int64)

    def choice(self, purpose: str, ids: np.ndarray, values, p=None) -> np.ndarray:
        """One of `values` per id, with probabilities `p` (equal if None): the inverse of the
        cumulative distribution at a uniform."""
        values = np.asarray(values)
        if p is None:
            return values[self.integers(purpose, ids, 0, len(values))]
        cum = np.cumsum(np.asarray(p, float))
        pos = np.searchsorted(cum / cum[-1], self.uniform(purpose, ids), side="right")
        return values[np.minimum(pos, len(values) - 1)]

    def normal(self, purpose: str, ids: np.ndarray, loc: float = 0.0, scale: float = 1.0) -> np.ndarray:
        """Normal draws by the Box-Muller transform of two keyed uniforms."""
        u1 = 1.0 - self.uniform(purpose + "#1", ids)        # in (0, 1]: its log is finite
        u2 = self.uniform(purpose + "#2", ids)
        return loc + scale * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def order(self, purpose: str, ids: np.ndarray) -> np.ndarray:
        """A random order of the ids (positions into `ids`): sorted by their keyed uniforms, so
        that two agents keep their relative order whoever else is in the list."""
        return np.argsort(hash_ids(ids, self.key(purpose)), kind="stable")

    def origin_keys(self, purpose: str, parents: np.ndarray) -> np.ndarray:
        """Draw keys (int64) of agents created this year, one per entry of `parents`: the key of
        the agent they come from (a newborn's mother, a household's founder) or their place in
        a list that both scenarios share (the n-th arrival to a county). `purpose` names the
        kind of origin ("birth", "household.leave_home", "arrival"): an agent makes at most one
        agent of a kind a year, so keys are distinct except by a 64-bit hash collision (about
        one in 10**7 over a full-city run's 15 years; two such agents would share their draws,
        nothing else)."""
        x = hash_ids(parents, self.key("origin." + purpose))
        x |= _ORIGIN_BIT
        return x.view(np.int64)

    # --- draws not about one agent ----------------------------------------------------------

    def poisson(self, purpose: str, mean) -> np.ndarray:
        """Poisson counts (int64), one per mean, by the inverse distribution function at a keyed
        uniform per position: the count rises with the mean for the same uniform, so two
        scenarios whose means differ a little draw the same count or nearly."""
        from scipy.stats import poisson       # imported when used: keeps `import sim` light
        mean = np.atleast_1d(np.asarray(mean, float))
        u = self.uniform(purpose, np.arange(len(mean)))
        counts = np.where(mean > 0, poisson.ppf(u, np.maximum(mean, 1e-12)), 0)
        return np.maximum(counts, 0).astype(np.int64)       # ppf(0) is -1

    def binomial(self, purpose: str, n, p: float) -> np.ndarray:
        """Binomial counts (int64), one per entry of `n`, by the inverse distribution function at a
        keyed uniform per position (as `poisson`)."""
        from scipy.stats import binom
        n = np.atleast_1d(np.asarray(n, np.int64))
        u = self.uniform(purpose, np.arange(len(n)))
        counts = np.where(n > 0, binom.ppf(u, np.maximum(n, 1), p), 0)
        return np.maximum(counts, 0).astype(np.int64)


    def stream(self, name: str) -> np.random.Generator:
        """A generator of its own for (seed, year, name): counts of arrivals, the attributes of
        newcomers who have no id yet, the sample survey."""
        k = name_key(name)
        entropy = [self.seed & _MASK, self.year & _MASK, k]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
