"""The docs stay true to the code: the tables that restate declarations are generated from them
(`python -m sim.doc_tables`) and must be current, and no doc or code cites a file that is not in
the repository (a clone must hold everything a reader is sent to)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sim import doc_tables
from sim.policies.levers import LEVERS

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.mark.parametrize("name", list(doc_tables.TABLES))
def test_generated_tables_are_current(name):
    text = (DOCS / name).read_text(encoding="utf-8")
    assert doc_tables.stale(text, doc_tables.TABLES[name]) == [], \
        f"docs/{name} is stale: run `python -m sim.doc_tables`"


def test_a_changed_row_is_found_and_rewritten():
    tables = doc_tables.TABLES["model.md"]
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    row = next(r for r in doc_tables.lever_table() if r.startswith("| `purchase.min_floor_area_m2`"))
    drifted = text.replace(row, row.replace("| 60 |", "| 50 |"))
    assert drifted != text
    assert doc_tables.stale(drifted, tables) == ["levers"]
    assert doc_tables.regenerate(drifted, tables) == text


def test_a_missing_block_is_named():
    with pytest.raises(KeyError, match="constants"):
        doc_tables.regenerate("no tables here", {"constants": doc_tables.constant_table})


def test_check_command_fails_on_stale_docs_and_the_rewrite_fixes_them(tmp_path, capsys):
    docs = tmp_path / "docs"
    for name in doc_tables.TABLES:
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(DOCS / name, docs / name)
    assert doc_tables.main(["--check", "--docs", str(docs)]) == 0
    path = docs / "model.md"
    path.write_text(path.read_text(encoding="utf-8").replace("| `work.flexible_share` | 0.3 |",
                                                             "| `work.flexible_share` | 0.4 |"), encoding="utf-8")
    assert doc_tables.main(["--check", "--docs", str(docs)]) == 1
    assert "parameters" in capsys.readouterr().err
    assert doc_tables.main(["--docs", str(docs)]) == 0
    assert doc_tables.main(["--check", "--docs", str(docs)]) == 0


def test_every_lever_names_a_submodel_of_the_model_description():
    sections = set(re.findall(r"^### (7\.\d+) ", (DOCS / "model.md").read_text(encoding="utf-8"), re.M))
    for lv in LEVERS:
        cited = set(re.findall(r"\b(7\.\d+)\b", lv.read_by))
        assert cited and cited <= sections, (lv.path, lv.read_by)


# --- citations ----------------------------------------------------------------------------

# Files the code or the tests write, which a text may name without their being in the repository.
WRITTEN = {"notes.md", "analysis/notes.md", "dashboard-timing.txt", "test-artifacts/dashboard-timing.txt",
           "notes.txt", "mine.txt"}
CITED = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]*\w\.(?:md|txt))\b")
TEXT_DIRS = ("docs", "sim", "experiments", "dashboard", "urbsim", "tests", "scenarios")


def repository_files() -> set[str]:
    found = {p.name for p in ROOT.glob("*") if p.is_file()}
    for folder in TEXT_DIRS + ("scripts",):
        found |= {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*") if p.is_file()}
    return found


def uncited(text: str, files: set[str]) -> list[str]:
    """Names of .md / .txt files cited in `text` that no repository file's path ends with."""
    missing = []
    for m in CITED.finditer(text):
        name = m.group(1).lstrip("./")
        if name in WRITTEN or any(f == name or f.endswith("/" + name) for f in files):
            continue
        missing.append(name)
    return missing


def test_the_citation_check_finds_files_that_are_not_here():
    files = {"docs/design.md", "docs/policy/README.md", "sim/data/README.md"}
    gone = ("DESIGN" + ".md", "policy/LEVERS" + ".md")     # spelled apart: this file is checked too
    text = f"see {gone[0]} §2, {gone[1]}, docs/design.md, data/README.md and `policy/README.md`"
    assert uncited(text, files) == list(gone)


def texts() -> list[Path]:
    paths = [ROOT / "README.md"]
    for folder in TEXT_DIRS:
        paths += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".md", ".py", ".yaml", ".txt")]
    return sorted(p for p in paths if "__pycache__" not in p.parts)


def test_no_doc_or_code_cites_a_file_outside_the_repository():
    files = repository_files()
    problems = {str(p.relative_to(ROOT)): bad for p in texts()
                if (bad := uncited(p.read_text(encoding="utf-8", errors="replace"), files))}
    assert problems == {}
