"""An on-disk cache of synthesized base-year populations.

Synthesis takes about a quarter of a full-city run (docs/performance.md), and the same
population is built again and again: benchmark repeats, the dashboard rerunning a
scenario with another policy, sweeps whose policy cells share replicate seeds. The
cache stores the columns `synthesize` returns together with the state of the random
generator after it, so a run from the cache is identical, draw for draw, to a run
that synthesized its population.

Key: everything synthesis reads (base year, scale, initial stocks, the behavioural
parameters in SYNTHESIS_PARAMETERS, the generator's state before synthesis) and the code
and data it is built from (sim/population/*.py, sim/places.py, sim/constants.py, the census tables, numpy's
version). The policy and the other behavioural parameters are not part of the key, so
runs that differ only in them (policy cells, calibration, sensitivity sweeps) share a
population; tests/test_bench.py checks that they do not change it.

Where: `$URBSIM_POPULATION_CACHE` if set (`off` or `0` disables the cache), else
`$XDG_CACHE_HOME/urbsim/populations` (`~/.cache/...`), else a folder in the system
temporary folder. Only populations of scale >= MIN_SCALE are stored; smaller ones
synthesize in well under a second. The folder is kept under `MAX_MB` megabytes
(`$URBSIM_POPULATION_CACHE_MB`), least recently used first out. Files are written to
a temporary name and renamed into place, so processes writing at once are safe.

A long-lived process can also keep its populations in memory (`keep_populations_in_memory`,
off by default): the dashboard's replicate workers do, so a click pays neither synthesis nor a
read.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import OrderedDict
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from ..files import write_whole
from ..scenario import Scenario
from .columns import Population, Table
from .synthesis import synthesize

ENV_DIR = "URBSIM_POPULATION_CACHE"
ENV_MB = "URBSIM_POPULATION_CACHE_MB"
# The behavioural parameters synthesis reads (sim/population/synthesis.py); keep in step with it.
SYNTHESIS_PARAMETERS = ("work.flexible_share", "work.town_wage", "housing.public_rental_initial_share",
                        "housing.savings_rate", "outside.household_single_share", "outside.household_couple_share",
                        "settling.years_in_town_unregistered")
MIN_SCALE = 0.05      # below this synthesis takes < 0.3 s: not worth a file per seed
MAX_MB = 2000         # a full-city population is about 100 MB


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    value = os.environ.get(ENV_DIR)
    if value is not None:
        return None if value.strip().lower() in ("", "0", "off", "false", "no") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache" if Path.home().is_dir() else None)
    if base is None:
        return Path(tempfile.gettempdir()) / "urbsim-populations"
    return Path(base) / "urbsim" / "populations"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Hash of the code and data a synthesized population depends on."""
    root = resources.files("sim")
    files = sorted(p for p in (root / "population").iterdir() if p.name.endswith(".py"))
    files += [root / "places.py", root / "constants.py"] + sorted(p for p in (root / "data").iterdir() if p.name.endswith(".csv"))
    digest = hashlib.sha256(np.__version__.encode())
    for f in files:
        digest.update(f.name.encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()


def cache_key(sc: Scenario, rng: np.random.Generator) -> str:
    inputs = {
        "base_year": sc.base_year, "scale": sc.scale, "seed": sc.seed,
        "initial": sc.initial.model_dump(mode="json"),
        "behaviour": {path: _value(sc.behaviour, path) for path in SYNTHESIS_PARAMETERS},
        "rng": rng.bit_generator.state, "code": code_fingerprint(),
    }
    text = json.dumps(inputs, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _value(behaviour, path: str):
    block, name = path.split(".")
    return getattr(getattr(behaviour, block), name)


def keep_populations_in_memory(max_mb: int) -> None:
    """Also keep the populations this process builds or reads in its own memory, up to `max_mb`
    megabytes (least recently used out; 0 turns it off, the default). For long-lived processes
    that run many scenarios from the same seeds, such as the dashboard's replicate workers
    (dashboard/pool.py): a run then copies its base-year population instead of building or
    reading it. Small populations (below MIN_SCALE, never on disk) are kept too."""
    global _MEMORY_MB
    _MEMORY_MB = max(0, int(max_mb))
    _MEMORY.clear()


_MEMORY: "OrderedDict[str, dict[str, np.ndarray]]" = OrderedDict()
_MEMORY_MB = 0


def synthesize_cached(sc: Scenario, rng: np.random.Generator) -> Population:
    """`synthesize(sc, rng)`, read from this process's memory (`keep_populations_in_memory`) or the
    disk cache when either holds this population (and `rng` is then left in the state synthesis would have
    left it in)."""
    folder = cache_dir()
    on_disk = folder is not None and sc.scale >= MIN_SCALE
    if not on_disk and not _MEMORY_MB:
        return synthesize(sc, rng)
    key = cache_key(sc, rng)
    if key in _MEMORY:
        _MEMORY.move_to_end(key)
        return restore(_MEMORY[key], rng)
    pop = _read(folder / f"population-{key}.npz", rng) if on_disk else None
    if pop is None:
        pop = synthesize(sc, rng)
        if on_disk:
            _write(pop, rng, folder / f"population-{key}.npz")
    if _MEMORY_MB:
        _remember(key, snapshot(pop, rng, copy=True))
    return pop


def _read(path: Path, rng: np.random.Generator) -> Population | None:
    if not path.is_file():
        return None
    try:
        pop = load(path, rng)
        os.utime(path)            # recently used: pruned last
        return pop
    except (OSError, ValueError, KeyError, EOFError):
        return None               # unreadable (e.g. a disk that filled up): build it again


def _write(pop: Population, rng: np.random.Generator, path: Path) -> None:
    try:
        save(pop, rng, path)
        prune(path.parent, int(os.environ.get(ENV_MB, MAX_MB)))
    except OSError:
        pass                      # a read-only or full disk costs speed, never the run


def _remember(key: str, arrays: dict[str, np.ndarray]) -> None:
    _MEMORY[key] = arrays
    limit = _MEMORY_MB * 1e6
    while len(_MEMORY) > 1 and sum(a.nbytes for item in _MEMORY.values() for a in item.values()) > limit:
        _MEMORY.popitem(last=False)


def snapshot(pop: Population, rng: np.random.Generator, copy: bool = False) -> dict[str, np.ndarray]:
    """The used rows of both tables and the generator state, as named arrays (`copy`: arrays of
    their own, not views of the tables a run goes on to change)."""
    arrays = {"weight": np.float64(pop.weight), "rng_state": np.array(json.dumps(rng.bit_generator.state))}
    for prefix, table in (("p", pop.persons), ("h", pop.households)):
        arrays[f"{prefix}.capacity"] = np.int64(table.capacity)
        arrays[f"{prefix}.next_id"] = np.int64(table.next_id)
        for name in table.schema:
            arrays[f"{prefix}.{name}"] = table.view(name).copy() if copy else table.view(name)
    return arrays


def restore(arrays, rng: np.random.Generator) -> Population:
    """A population from `snapshot`'s arrays (or a saved file's), `rng` set to the state after it."""
    pop = Population(0, 0, float(arrays["weight"]))
    for prefix, table in (("p", pop.persons), ("h", pop.households)):
        _fill(table, int(arrays[f"{prefix}.capacity"]), {name: arrays[f"{prefix}.{name}"] for name in table.schema})
        table.next_id = int(arrays[f"{prefix}.next_id"])
    rng.bit_generator.state = json.loads(str(arrays["rng_state"]))
    return pop


def save(pop: Population, rng: np.random.Generator, path: Path) -> None:
    """Write the used rows of both tables and the generator state; temp file + rename."""
    arrays = snapshot(pop, rng)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
    write_whole(path, write)


def load(path: Path, rng: np.random.Generator) -> Population:
    with np.load(path, allow_pickle=False) as z:
        return restore(z, rng)


def _fill(table: Table, capacity: int, columns: dict[str, np.ndarray]) -> None:
    n = len(columns["alive"])
    for name, dtype in table.schema.items():
        col = np.zeros(max(capacity, n), dtype=dtype)
        col[:n] = columns[name]
        setattr(table, name, col)
    table.n = n


def prune(folder: Path, max_mb: int) -> None:
    """Delete the least recently used populations until the folder holds at most max_mb."""
    files = []
    for f in folder.glob("population-*.npz"):
        try:
            st = f.stat()
        except FileNotFoundError:     # removed by another process meanwhile
            continue
        files.append((st.st_mtime, st.st_size, f))
    total = sum(size for _, size, _ in files)
    for _, size, f in sorted(files, key=lambda x: x[0]):
        if total <= max_mb * 1e6:
            break
        f.unlink(missing_ok=True)
        total -= size
