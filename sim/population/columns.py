"""The population as a struct of numpy arrays: one row per person, one per household.

Why columns and not one Python object per person: see docs/design.md §2 (37-87x faster,
a quarter of the memory). Rows are preallocated with headroom for births and
arrivals; a dead or departed person keeps its row with `alive = False` until
`compact()` reclaims the space. Every person stands for `weight` real persons.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, IntFlag

import numpy as np

from ..constants import CHILD_GAP_YEARS, HEAD_AGE_BELOW, SPOUSE_MAX_GAP_YEARS
from ..places import OUTSIDE


class Job(IntEnum):
    child = 0
    none = 1
    farming = 2
    employee = 3      # local employee: employer pays employee medical and pension insurance
    flexible = 4      # flexible employment (灵活就业): pays employee insurance only if it chooses
    outside = 5       # migrant work outside Tieling
    student = 6
    retired = 7


class Edu(IntEnum):
    """Highest education level: the six levels of the census tables (`CensusYear.education`)."""
    none = 0          # none or pre-school
    primary = 1       # primary school (小学)
    junior = 2        # junior secondary (初中)
    senior = 3        # senior secondary (高中, 中专)
    college = 4       # junior college (大学专科); "college or above" is `edu >= Edu.college`
    bachelor = 5      # bachelor or above (大学本科及以上)


class Insured(IntFlag):
    """Employee insurance paid (column `ins_schemes`): bit 1 medical, bit 2 pension."""
    medical = 1
    pension = 2
    both = 3          # employers pay both for their employees


class HukouKind(IntEnum):
    family = 0        # family household (家庭户)
    school = 1        # school collective household (学校集体户)
    unit = 2          # employer's collective household (单位集体户)
    talent = 3        # talent collective household (人才集体户)
    community = 4     # community collective household (社区集体户)


class Tenure(IntEnum):
    self_built = 0    # rural self-built house (自建)
    owned = 1
    rented = 2
    public_rental = 3  # public rental housing (公租房)


class Pathway(IntEnum):
    """Settlement pathways; bit i of `knows` is set when a person knows pathway i."""
    graduate = 0
    purchase = 1
    insurance = 2
    residence_years = 3
    three_dependents = 4
    student = 5


PERSON_COLUMNS: dict[str, type] = {
    "id": np.int64,           # stable id: assigned once from a counter, never reused, kept by compact()
    "key": np.int64,          # key of its random draws: the id at synthesis, from its origin later (sim/draws.py)
    "alive": np.bool_,
    "age": np.int16,
    "female": np.bool_,
    "edu": np.uint8,          # Edu
    "hh": np.int32,           # household row
    "res": np.int8,           # county of residence, or places.OUTSIDE
    "res_urban": np.bool_,    # lives in the town part of its county
    "hk": np.int8,            # county of hukou registration, or places.OUTSIDE (registered elsewhere)
    "hk_urban": np.bool_,     # registered in a town (urban hukou)
    "hk_kind": np.uint8,      # HukouKind
    "origin": np.int8,        # county the person (or its family) comes from; OUTSIDE for arrivals
    "job": np.uint8,          # Job
    "ins_years": np.float32,  # years of employee medical/pension contributions in Tieling
    "ins_schemes": np.uint8,  # Insured: employee insurance paid, bit 1 medical, bit 2 pension
    "permit": np.bool_,       # holds a residence permit (居住证)
    "town_years": np.int16,   # years lived in the current town
    "knows": np.uint8,        # bit mask of Pathway known
    "declined": np.uint8,     # bit mask of Pathway declined before the start (registration.mark_declined)
    "study_left": np.int8,    # years of college left; 0 when not a student
    "grad_year": np.int16,    # year of graduation from college, 0 if none
    "non_regular": np.bool_,  # degree from adult, self-study, distance or open education
    "settled_year": np.int16,  # year of the last settlement (落户), 0 if none
}

HOUSEHOLD_COLUMNS: dict[str, type] = {
    "id": np.int64,           # stable id, as for persons (a household's own counter)
    "key": np.int64,          # key of its random draws, as for persons
    "alive": np.bool_,
    "county": np.int8,        # residence of the household, or places.OUTSIDE
    "urban": np.bool_,
    "collective": np.bool_,   # a collective living quarter (dormitory), not a family household
    "land": np.bool_,         # holds a rural land contract (承包地)
    "tenure": np.uint8,       # Tenure
    "floor_m2": np.float32,
    "savings": np.float32,    # yuan
    "income": np.float32,     # yuan per month, all members
    "queue_year": np.int16,   # year it joined the public rental queue, 0 if not queued
}


def is_job(job: np.ndarray, *codes: Job) -> np.ndarray:
    """`np.isin(job, codes)` for a few codes, as comparisons (np.isin sorts and is ~50x slower)."""
    out = job == codes[0]
    for c in codes[1:]:
        out |= job == c
    return out


def select(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`values[mask]` through the positions of the mask: numpy's boolean indexing is 3-4x slower
    on dense irregular masks (30-60% True) over millions of rows (docs/performance.md)."""
    return values[np.flatnonzero(mask)]



def any_member(hh: np.ndarray, n_households: int, mask: np.ndarray | None = None) -> np.ndarray:
    """Per household (length n_households): some person with household row `hh` (and `mask`)
    exists. A scatter of the selected rows, cheaper than `np.bincount(hh, weights=mask) > 0`."""
    out = np.zeros(n_households, bool)
    out[hh if mask is None else select(hh, mask)] = True
    return out


def members_of(households: np.ndarray, hh: np.ndarray, n_households: int) -> np.ndarray:
    """Positions in `hh` (the household rows of some persons) of the members of `households`: the
    households as flags, then one gather (np.take: indexing by int32 household rows takes a path
    about 2.5 times slower)."""
    return np.flatnonzero(np.take(any_member(households, n_households), hh))


def rows_in_order(rows: np.ndarray, n_rows: int) -> np.ndarray:
    """The distinct `rows` (below `n_rows`), ascending: a scatter into a flag array and its
    positions, cheaper than sorting."""
    flag = np.zeros(n_rows, bool)
    flag[rows] = True
    return np.flatnonzero(flag)


# Role of a member by its age minus the head's (index: gap + _MAX_GAP): 1 spouse within
# SPOUSE_MAX_GAP_YEARS, 2 child CHILD_GAP_YEARS or more younger, 3 parent as much older, 4 other.
_MAX_GAP = 150
_GAPS = np.arange(-_MAX_GAP, _MAX_GAP + 1)
_ROLE_BY_GAP = np.select([np.abs(_GAPS) <= SPOUSE_MAX_GAP_YEARS, _GAPS <= -CHILD_GAP_YEARS, _GAPS >= CHILD_GAP_YEARS],
                         [1, 2, 3], 4).astype(np.int8)


@dataclass
class Heads:
    """The head of each household row (the oldest member under HEAD_AGE_BELOW, or the oldest; the first row on
    ties): its person row (-1 when no member was looked at) and its age."""
    row: np.ndarray   # int64, per household row
    age: np.ndarray   # int16, per household row

    @classmethod
    def find(cls, rows: np.ndarray, age: np.ndarray, hh: np.ndarray, n_households: int) -> "Heads":
        """Heads among the persons `rows`, of ages `age`, in households `hh`: one maximum per
        household of a key with the preference in the high bits (the age from 60 on; under 60, the
        age plus `older`, one more than the oldest age, so that any age under 60 comes first) and
        `limit - row` below, so that the earlier row wins a tie. The key is 32 bits wide when the
        rows allow it (8 bits of preference for ages below 197: up to 2**24 rows), 64 otherwise."""
        older = max(int(age.max(initial=0)) + 1, HEAD_AGE_BELOW)
        bits = (int(rows.max(initial=0)) + 1).bit_length()
        dtype = np.uint32 if bits + (older + HEAD_AGE_BELOW - 1).bit_length() <= 32 else np.uint64
        limit = (1 << bits) - 1
        key = (age + (age < HEAD_AGE_BELOW) * np.int16(older)).astype(dtype) << dtype(bits)   # > 0: preference >= 60
        key |= np.subtract(dtype(limit), rows, dtype=dtype, casting="unsafe")   # rows <= limit
        best = np.zeros(n_households, dtype)
        np.maximum.at(best, hh, key)
        # best is 0 where no member was looked at: its row reads `limit` (above every row), its preference 0.
        row = np.subtract(limit, best & dtype(limit), dtype=np.int64, casting="unsafe")
        row[row == limit] = -1
        pref = (best >> dtype(bits)).astype(np.int16)
        head_age = np.where(pref >= older, pref - older, pref)
        head_age[pref == 0] = -1
        return cls(row, head_age)

    def roles(self, rows: np.ndarray, age: np.ndarray, hh: np.ndarray) -> np.ndarray:
        """Role of each person (rows, ages, households): 0 head, 1 spouse (within 10 years of the
        head), 2 child (15+ years younger), 3 parent (15+ years older), 4 other."""
        role = np.take(_ROLE_BY_GAP, age - self.age[hh] + _MAX_GAP)   # np.take: int16 positions
        role[self.row[hh] == rows] = 0
        return role

    def with_singles(self, households: np.ndarray, rows: np.ndarray, age: np.ndarray) -> "Heads":
        """These heads plus new one-person households (rows appended to the household table),
        each led by its only member. Heads of the households those members left do not change:
        only a member who is not the head (a child) leaves to live alone."""
        n = max(len(self.row), int(households.max(initial=-1)) + 1)
        row = np.full(n, -1, np.int64)
        head_age = np.full(n, -1, np.int16)
        row[: len(self.row)], head_age[: len(self.age)] = self.row, self.age
        row[households], head_age[households] = rows, age
        return Heads(row, head_age)


class Table:
    """Columns of equal length with a count of rows in use and room to grow.

    Every row gets a stable `id` when it is added: the next value of the table's counter
    (`next_id`), starting at 0. Rows move when `Population.compact()` reclaims space, ids do not,
    and an id is never given again, so (id, year) identifies an agent-year in a panel.

    Every row also gets the `key` of its random draws (sim/draws.py): its id for the population
    synthesized at the base year (the same in every scenario of a seed), and for an agent created
    during the run a key derived from its origin (`YearDraws.origin_keys`: a newborn from its
    mother, a household from its founder, an arrival from its place among the year's arrivals),
    so that the "same" newborn has the same key in two scenarios although the counters, and so
    the ids, have diverged (docs/decisions.md, "Draw keys from origins")."""

    def __init__(self, schema: dict[str, type], n: int, headroom: float):
        self.schema = schema
        self.n = 0
        self.next_id = 0
        cap = max(int(n * (1 + headroom)), 16)
        for name, dtype in schema.items():
            setattr(self, name, np.zeros(cap, dtype=dtype))

    @property
    def capacity(self) -> int:
        return len(self.alive)

    def add(self, k: int, keys: np.ndarray | None = None) -> np.ndarray:
        """Reserve k new rows (zeroed) and return their indices; grows by half when full. `keys`:
        the draw keys of the new rows (their ids when None: the synthesized population)."""
        if self.n + k > self.capacity:
            cap = max(int(self.capacity * 1.5), self.n + k)
            for name in self.schema:
                old = getattr(self, name)
                new = np.zeros(cap, dtype=old.dtype)
                new[: self.n] = old[: self.n]
                setattr(self, name, new)
        idx = np.arange(self.n, self.n + k)
        self.id[idx] = np.arange(self.next_id, self.next_id + k)
        self.key[idx] = self.id[idx] if keys is None else keys
        self.n += k
        self.next_id += k
        return idx

    def view(self, name: str) -> np.ndarray:
        return getattr(self, name)[: self.n]

    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in self.schema)


class Population:
    """Persons and households of one run; `weight` real persons per simulated person."""

    def __init__(self, n_persons: int, n_households: int, weight: float, headroom: float = 0.3):
        self.persons = Table(PERSON_COLUMNS, n_persons, headroom)
        self.households = Table(HOUSEHOLD_COLUMNS, n_households, headroom)
        self.weight = weight
        self._alive: np.ndarray | None = None
        self._alive_key: tuple | None = None
        self._found: dict[tuple, np.ndarray] = {}
        self._residence_version = 0

    def alive(self) -> np.ndarray:
        """Indices of living persons in the model (residents and registered people outside).

        Read-only, and the same array while the set is unchanged: rows only ever die (the
        count falls) or are added or compacted (the row count changes), so (columns, rows in
        use, living count) identifies the set and a count replaces a scan."""
        p = self.persons
        live = p.view("alive")
        key = (id(p.alive), p.n, int(np.count_nonzero(live)))
        if key != self._alive_key:
            self._alive = np.flatnonzero(live)
            self._alive.setflags(write=False)
            self._alive_key = key
        return self._alive

    def residence_changed(self) -> None:
        """Note that some living person's `res` was written (moves, arrivals, synthesis), so that
        `residents()` and `outside()` are found again."""
        self._residence_version += 1

    def residents(self) -> np.ndarray:
        """Indices of living persons who live in the city (a subset of `alive()`, in row order).
        About a third of the rows are Tieling people living outside; phases that concern only
        residents pass over these indices instead of masking them out of `alive()`."""
        return self._where(inside=True)

    def outside(self) -> np.ndarray:
        """Indices of living persons who live outside the city (registered in Tieling)."""
        return self._where(inside=False)

    def _where(self, inside: bool) -> np.ndarray:
        """Living rows in (or outside) the city, kept while nobody died, was added or moved."""
        self.alive()                                   # brings the living set's key up to date
        key = (self._alive_key, self._residence_version, inside)
        found = self._found.get(key)
        if found is None:
            p = self.persons
            in_city = p.view("res") != OUTSIDE
            found = np.flatnonzero(p.view("alive") & (in_city if inside else ~in_city))
            found.setflags(write=False)
            self._found = {k: v for k, v in self._found.items() if k[:2] == key[:2]}
            self._found[key] = found
        return found

    def compact(self) -> None:
        """Reclaim the rows of dead and departed persons when they take over a third of the
        table, and those of dissolved households when they take over a quarter (or the table
        is nearly full). Rows keep their order and the columns their capacity."""
        p, h = self.persons, self.households
        keep = p.view("alive")
        if keep.sum() <= 0.67 * p.n:
            idx = np.flatnonzero(keep)
            for name in p.schema:
                col = getattr(p, name)
                col[: len(idx)] = col[idx]
                col[len(idx): p.n] = 0
            p.n = len(idx)
            self.residence_changed()
        live = p.view("alive")
        members = p.view("hh")[live]
        used = h.view("alive").copy()
        used[members] = True
        k = int(used.sum())
        if k < 0.75 * h.n or (h.n > 0.9 * h.capacity and k < h.n):
            rows = np.flatnonzero(used)
            new_row = np.full(h.n, -1, np.int32)
            new_row[rows] = np.arange(k, dtype=np.int32)
            for name in h.schema:
                col = getattr(h, name)
                col[:k] = col[rows]
                col[k: h.n] = 0
            h.n = k
            hh = p.view("hh")
            hh[live] = new_row[members]
            hh[~live] = -1

    def household_sizes(self) -> np.ndarray:
        p = self.persons
        live = p.view("alive")
        return np.bincount(p.view("hh")[live], minlength=self.households.n)
