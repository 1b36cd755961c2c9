"""Layering and randomness rules, checked on the source with `ast` (docs/design.md §2, §3).

- `sim` imports neither `dashboard`, `experiments` nor `urbsim`.
- `dashboard` and `experiments` use only sim's public names (`import sim`, `from sim import X`
  with X in `sim.__all__`; no `sim.model`, `sim.population`, ... submodules) and never
  import each other.
- Randomness: no `import random` anywhere in these packages; in `sim` no `numpy.random`
  use except the `Generator` type (every draw comes from the generator a function is given),
  but for `sim/draws.py`, which makes the run's keyed generators (common random numbers); the
  clients may create generators (`default_rng`, `SeedSequence`, `Generator`) but never
  use numpy's global module-level functions (`np.random.seed`, `np.random.rand`, ...).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = ("dashboard", "experiments")
PUBLIC = set(sim.__all__)
SIM_RANDOM_ALLOWED = {"Generator"}
# sim/draws.py makes the named streams of a run: Generators seeded by (seed, year, name).
DRAWS_RANDOM_ALLOWED = {"Generator", "PCG64", "SeedSequence"}
CLIENT_RANDOM_ALLOWED = {"Generator", "default_rng", "SeedSequence", "BitGenerator", "PCG64", "Philox"}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@dataclass
class Import:
    module: str           # absolute dotted module ("sim.model"), "" for relative imports
    names: tuple[str, ...]  # names taken with `from module import ...`
    line: int


def imports(tree: ast.AST) -> list[Import]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(a.name, (), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = "" if node.level else (node.module or "")
            found.append(Import(module, tuple(a.name for a in node.names), node.lineno))
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- the checks, as functions of a source text --------------------------------------

def sim_import_problems(tree: ast.AST) -> list[str]:
    return [f"line {i.line}: imports {i.module}" for i in imports(tree)
            if top(i.module) in ("dashboard", "experiments", "urbsim")]


def client_import_problems(tree: ast.AST, package: str) -> list[str]:
    other = {"dashboard": "experiments", "experiments": "dashboard"}[package]
    problems = []
    for i in imports(tree):
        if top(i.module) == other:
            problems.append(f"line {i.line}: imports {i.module} ({package} never imports {other})")
        elif i.module.startswith("sim."):
            problems.append(f"line {i.line}: imports the submodule {i.module}; use `from sim import ...`")
        elif i.module == "sim" and i.names:
            private = [n for n in i.names if n not in PUBLIC]
            if private:
                problems.append(f"line {i.line}: `from sim import {', '.join(private)}` is not in sim.__all__")
    # `import sim` then `sim.<name>`: only public names.
    bound = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.Import)
             for a in node.names if a.name == "sim"}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in bound
                and node.attr not in PUBLIC):
            problems.append(f"line {node.lineno}: sim.{node.attr} is not in sim.__all__")
    return problems


def random_problems(tree: ast.AST, allowed: set[str]) -> list[str]:
    problems = []
    numpy_names = set()        # names bound to numpy
    np_random_names = set()    # names bound to numpy.random
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if top(a.name) == "random":
                    problems.append(f"line {node.lineno}: import random")
                if a.name == "numpy":
                    numpy_names.add(a.asname or "numpy")
                if a.name == "numpy.random":
                    if a.asname:
                        np_random_names.add(a.asname)
                    else:
                        numpy_names.add("numpy")
        elif isinstance(node, ast.ImportFrom) and not node.level:
            if top(node.module or "") == "random":
                problems.append(f"line {node.lineno}: from random import ...")
            if node.module == "numpy":
                for a in node.names:
                    if a.name == "random":
                        np_random_names.add(a.asname or "random")
            if node.module == "numpy.random":
                bad = [a.name for a in node.names if a.name not in allowed]
                if bad:
                    problems.append(f"line {node.lineno}: from numpy.random import {', '.join(bad)}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        base = node.value
        via_numpy = (isinstance(base, ast.Attribute) and base.attr == "random" and isinstance(base.value, ast.Name)
                     and base.value.id in numpy_names)
        via_alias = isinstance(base, ast.Name) and base.id in np_random_names
        if (via_numpy or via_alias) and node.attr not in allowed:
            problems.append(f"line {node.lineno}: numpy.random.{node.attr}")
    return problems


# --- the checks work -------------------------------------------------------------

@pytest.mark.parametrize("source, n", [
    ("import numpy as np\nx = np.random.rand(3)\n", 1),
    ("import numpy\nnumpy.random.seed(1)\n", 1),
    ("from numpy import random as npr\nnpr.normal()\n", 1),
    ("from numpy.random import default_rng\n", 1),
    ("import numpy.random as nr\nnr.shuffle([])\n", 1),
    ("import random\n", 1),
    ("from random import choice\n", 1),
    ("import numpy as np\ndef f(rng: np.random.Generator): return rng.random()\n", 0),
    ("rng = model.rng\nrng.random(3)\n", 0),
])
def test_random_check_catches_global_rng_in_sim(source, n):
    assert len(random_problems(ast.parse(source), SIM_RANDOM_ALLOWED)) == n


def test_random_check_lets_clients_make_generators():
    src = "import numpy as np\nss = np.random.SeedSequence(1)\nrng = np.random.default_rng(ss)\nnp.random.seed(2)\n"
    assert random_problems(ast.parse(src), CLIENT_RANDOM_ALLOWED) == ["line 4: numpy.random.seed"]


@pytest.mark.parametrize("source, package, n", [
    ("from sim import run, load_scenario\n", "dashboard", 0),
    ("import sim\nsim.run(x)\n", "experiments", 0),
    ("from sim.model import UrbanizationModel\n", "dashboard", 1),
    ("import sim.population.synthesis\n", "experiments", 1),
    ("from sim import synthesize\n", "dashboard", 1),
    ("import sim\nsim.model.UrbanizationModel\n", "dashboard", 1),
    ("from experiments import store\n", "dashboard", 1),
    ("import dashboard.app\n", "experiments", 1),
    ("from . import store\nfrom .spec import Sweep\n", "experiments", 0),
])
def test_client_check_catches_private_and_cross_imports(source, package, n):
    assert len(client_import_problems(ast.parse(source), package)) == n


def test_sim_check_catches_client_imports():
    src = "from dashboard import app\nimport experiments.store\nfrom urbsim.cli import app\nfrom .places import CODES\n"
    assert len(sim_import_problems(ast.parse(src))) == 3


# --- the code follows them ---------------------------------------------------------

SIM_MODULES = modules("sim")
CLIENT_MODULES = [(pkg, p) for pkg in CLIENTS for p in modules(pkg)]


def test_sim_is_there_to_check():
    names = {rel(p) for p in SIM_MODULES}
    assert {"sim/__init__.py", "sim/model.py", "sim/scenario.py", "sim/population/synthesis.py"} <= names


@pytest.mark.parametrize("path", SIM_MODULES, ids=rel)
def test_sim_does_not_import_its_clients(path):
    assert sim_import_problems(parse(path)) == []


@pytest.mark.parametrize("path", SIM_MODULES, ids=rel)
def test_sim_draws_only_from_the_generator_it_is_given(path):
    allowed = DRAWS_RANDOM_ALLOWED if path == ROOT / "sim" / "draws.py" else SIM_RANDOM_ALLOWED
    assert random_problems(parse(path), allowed) == []


@pytest.mark.parametrize("package, path", CLIENT_MODULES, ids=[rel(p) for _, p in CLIENT_MODULES])
def test_clients_use_only_sims_public_names(package, path):
    assert client_import_problems(parse(path), package) == []


@pytest.mark.parametrize("package, path", CLIENT_MODULES, ids=[rel(p) for _, p in CLIENT_MODULES])
def test_clients_use_no_global_random_state(package, path):
    assert random_problems(parse(path), CLIENT_RANDOM_ALLOWED) == []


def test_public_names_exist():
    missing = [n for n in sim.__all__ if not hasattr(sim, n)]
    assert not missing
