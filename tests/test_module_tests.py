"""Every module of sim/ is imported by at least one test of its own: a test file that imports
the module itself (`import sim.x`, `from sim.x import ...`, `from sim.pkg import x`), not only
the public names of `sim` that may reach it. Empty package files need none."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules(root: Path, package: str = "sim") -> list[str]:
    """Dotted names of the package's modules with code."""
    names = []
    for path in sorted((root / package).rglob("*.py")):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        if name.endswith(".__init__"):
            if not path.read_text(encoding="utf-8").strip():
                continue
            name = name.removesuffix(".__init__")
        names.append(name)
    return names


def imported(tests: Path) -> set[str]:
    """Modules (and `module.name` pairs, which may be submodules) the test files import."""
    seen: set[str] = set()
    for path in sorted(tests.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                seen.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                seen.add(node.module)
                seen.update(f"{node.module}.{a.name}" for a in node.names)
    return seen


def untested(root: Path, package: str = "sim") -> list[str]:
    seen = imported(root / "tests")
    return [m for m in modules(root, package) if m not in seen and m != package]


def test_the_check_finds_a_module_no_test_imports(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    for name in ("__init__.py", "sub/__init__.py"):
        (tmp_path / "pkg" / name).write_text("")
    for name in ("a.py", "b.py", "c.py", "sub/d.py"):
        (tmp_path / "pkg" / name).write_text("X = 1\n")
    (tmp_path / "tests" / "test_x.py").write_text("import pkg.a\nfrom pkg.b import X\nfrom pkg.sub import d\n"
                                                  "from pkg import c as unrelated_name\n")
    assert untested(tmp_path, "pkg") == []
    (tmp_path / "pkg" / "e.py").write_text("Y = 2\n")
    assert untested(tmp_path, "pkg") == ["pkg.e"]


def test_every_sim_module_has_a_test_that_imports_it():
    assert untested(ROOT) == [], "modules no test imports; add a test of their own"
