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
import math
import threading
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


def hash_ids(ids: np.ndarray, key: int, out: np.ndarray | None = None,
             work: np.ndarray | None = None) -> np.ndarray:
    """SplitMix64 outputs at positions `ids` of the sequence keyed by `key`: uint64, one per id.
    `out`, `work`: uint64 arrays of len(ids) to write into and to work in (new ones if None)."""
    ids = np.asarray(ids)
    # int64 ids (the key columns) are read as uint64 in place: no copy before the multiply.
    x = np.multiply(ids.view(np.uint64) if ids.dtype == np.int64 else ids.astype(np.uint64), _U_GOLDEN, out=out)
    x += np.uint64(key & _MASK)
    t = np.empty_like(x) if work is None else work
    np.right_shift(x, _S30, out=t)
    x ^= t
    x *= _U_M1
    np.right_shift(x, _S27, out=t)
    x ^= t
    x *= _U_M2
    np.right_shift(x, _S31, out=t)
    x ^= t
    return x


def to_uniform(x: np.ndarray, dtype=np.float64, out: np.ndarray | None = None) -> np.ndarray:
    """Uniforms in [0, 1) from 64-bit hashes (shifted in place): the top 53 bits (float64) or 24
    bits (float32), exact in the type, so that 1.0 never occurs. `out`: where to write them."""
    if np.dtype(dtype) == np.float32:
        np.right_shift(x, _S40, out=x)
        return np.multiply(x.view(np.int64), np.float32(2.0 ** -24), out=out, dtype=np.float32)
    np.right_shift(x, _S11, out=x)
    # int64 (below 2**53: the same value), converted faster than uint64.
    return np.multiply(x.view(np.int64), 2.0 ** -53, out=out, dtype=np.float64)


def _compared(p, f32: bool) -> float:
    """The number a uniform of 24 bits (f32) or 53 is compared with in `u < p`: a Python float or
    a float32 is compared as float32 with float32 uniforms (numpy's rules for scalars), a numpy
    float64 as float64."""
    p = float(p) if not f32 or (isinstance(p, np.generic) and p.dtype == np.float64) else float(np.float32(p))
    return p


def _below_one(p, f32: bool) -> bool:
    """Whether `u < p` is false for some uniform u (and p is a number): else all are below p."""
    q = _compared(p, f32)
    return q == q and q <= 1.0 - 2.0 ** -(24 if f32 else 53)


def _threshold(p, f32: bool) -> np.uint64:
    """The 64-bit threshold T with `hash < T` exactly when the hash's uniform is below p: the
    uniform is m 2**-b for the top b bits m of the hash, and m 2**-b < p exactly when
    m < ceil(p 2**b), that is hash < ceil(p 2**b) 2**(64 - b). `p` at most 1 - 2**-b."""
    bits = 24 if f32 else 53
    q = _compared(p, f32)
    return np.uint64(max(math.ceil(q * 2.0 ** bits), 0) << (64 - bits))


def _smallest_count(u: np.ndarray, guess: np.ndarray, cdf) -> np.ndarray:
    """The smallest whole k >= 0 with cdf(k) >= u, from the continuous inverse `guess` (what
    scipy.stats' `ppf` does for the Poisson and binomial laws, without its per-call overhead)."""
    k = np.ceil(np.nan_to_num(guess, nan=0.0))
    below = np.maximum(k - 1, 0)
    return np.where(cdf(below) >= u, below, k).astype(np.int64)


class _Scratch(threading.local):
    """Work arrays reused from draw to draw, one set per thread. A fresh array of a few hundred
    thousand elements or more is new memory, and its first touch (page faults) costs several
    times the arithmetic on it (measured: 16 ns an element for the first multiply into a new
    array, 0.3 ns into a used one): the hashes and uniforms of a draw are written here, and
    only what the caller keeps is new."""

    def __init__(self):
        self.x = np.empty(0, np.uint64)
        self.t = np.empty(0, np.uint64)

    def arrays(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.x) < n:
            size = max(n, int(1.25 * len(self.x)))
            self.x, self.t = np.empty(size, np.uint64), np.empty(size, np.uint64)
        return self.x[:n], self.t[:n]


_SCRATCH = _Scratch()


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

    def _hashes(self, purpose: str, ids: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        """The hashes for `purpose` of `ids` (or of `ids[at]`, gathered into the scratch array),
        in the scratch array (valid until the next draw)."""
        x, t = _SCRATCH.arrays(len(ids) if at is None else len(at))
        if at is not None:
            ids = np.take(ids, at, out=x.view(ids.dtype)) if ids.dtype == np.int64 else ids[at]
        return hash_ids(ids, self.key(purpose), x, t)

    def uniform(self, purpose: str, ids: np.ndarray, dtype=np.float64) -> np.ndarray:
        """One uniform in [0, 1) per id; the same id gets the same number for the same purpose."""
        return to_uniform(self._hashes(purpose, ids), dtype)

    def chance(self, purpose: str, ids: np.ndarray, p, dtype=np.float64, at: np.ndarray | None = None) -> np.ndarray:
        """True with probability `p` (a number or one per id), for each id (or for `ids[at]`:
        the key column and the rows drawn for, which saves a new array of keys): the id's
        uniform (of `dtype`) below p. The uniforms are written over their hashes, so only the
        answer is a new array; for one p for all, the hashes are compared with the threshold
        the uniforms would be compared with (the same answers, two passes fewer)."""
        x = self._hashes(purpose, ids, at)
        f32 = np.dtype(dtype) == np.float32
        if np.ndim(p) == 0:
            return np.less(x, _threshold(p, f32)) if _below_one(p, f32) else np.full(len(x), p > 0)
        u = to_uniform(x, dtype, out=_SCRATCH.t[: 2 * len(x)].view(np.float32)[: len(x)] if f32 else
                       x.view(np.float64))
        return u < p

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
        return np.argsort(self._hashes(purpose, ids), kind="stable")

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
        from scipy.special import pdtr, pdtrik        # imported when used: keeps `import sim` light
        mean = np.atleast_1d(np.asarray(mean, float))
        u = self.uniform(purpose, np.arange(len(mean)))
        m = np.maximum(mean, 1e-300)
        k = _smallest_count(u, pdtrik(u, m), lambda k: pdtr(k, m))
        return np.where((mean > 0) & (u > 0), k, 0)

    def binomial(self, purpose: str, n, p: float) -> np.ndarray:
        """Binomial counts (int64), one per entry of `n`, by the inverse distribution function at a
        keyed uniform per position (as `poisson`)."""
        from scipy.special import bdtr, bdtrik
        n = np.atleast_1d(np.asarray(n, np.int64))
        u = self.uniform(purpose, np.arange(len(n)))
        m = np.maximum(n, 1)
        k = _smallest_count(u, bdtrik(u, m.astype(float), p), lambda k: bdtr(k.astype(np.int64), m, p))
        return np.where((n > 0) & (u > 0), np.minimum(k, n), 0)

    def stream(self, name: str) -> np.random.Generator:
        """A generator of its own for (seed, year, name): counts of arrivals, the attributes of
        newcomers who have no id yet, the sample survey."""
        k = name_key(name)
        entropy = [self.seed & _MASK, self.year & _MASK, k]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
