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
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
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


def synthesize_cached(sc: Scenario, rng: np.random.Generator) -> Population:
    """`synthesize(sc, rng)`, read from the cache when it holds this population (and `rng` is
    then left in the state synthesis would have left it in)."""
    folder = cache_dir()
    if folder is None or sc.scale < MIN_SCALE:
        return synthesize(sc, rng)
    path = folder / f"population-{cache_key(sc, rng)}.npz"
    if path.is_file():
        try:
            pop = load(path, rng)
            os.utime(path)            # recently used: pruned last
            return pop
        except (OSError, ValueError, KeyError, EOFError):
            pass                      # unreadable (e.g. a disk that filled up): build it again
    pop = synthesize(sc, rng)
    try:
        save(pop, rng, path)
        prune(folder, int(os.environ.get(ENV_MB, MAX_MB)))
    except OSError:
        pass                          # a read-only or full disk costs speed, never the run
    return pop


def save(pop: Population, rng: np.random.Generator, path: Path) -> None:
    """Write the used rows of both tables and the generator state; temp file + rename."""
    arrays = {"weight": np.float64(pop.weight), "rng_state": np.array(json.dumps(rng.bit_generator.state))}
    for prefix, table in (("p", pop.persons), ("h", pop.households)):
        arrays[f"{prefix}.capacity"] = np.int64(table.capacity)
        arrays[f"{prefix}.next_id"] = np.int64(table.next_id)
        for name in table.schema:
            arrays[f"{prefix}.{name}"] = table.view(name)
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(f, **arrays)
    write_whole(path, write)


def load(path: Path, rng: np.random.Generator) -> Population:
    with np.load(path, allow_pickle=False) as z:
        pop = Population(0, 0, float(z["weight"]))
        for prefix, table in (("p", pop.persons), ("h", pop.households)):
            _fill(table, int(z[f"{prefix}.capacity"]), {name: z[f"{prefix}.{name}"] for name in table.schema})
            table.next_id = int(z[f"{prefix}.next_id"])
        state = json.loads(str(z["rng_state"]))
    rng.bit_generator.state = state
    return pop


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
