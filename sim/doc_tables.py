"""The tables of the docs that restate declarations, generated from them: in docs/model.md the
policy levers (`LEVERS`, with the historical rules of `policies/historical.yaml`), the behavioural
parameters (`iter_parameters()`) and the named constants (`constants.CONSTANTS`); in
docs/policy/README.md the levers by clause of the document.

    python -m sim.doc_tables            # rewrite the tables
    python -m sim.doc_tables --check    # exit 1 and name the stale tables if they differ

Each table sits between `<!-- begin generated: NAME -->` and `<!-- end generated: NAME -->`;
the text around it is written by hand. tests/test_docs.py fails when a table is stale.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, Callable

from .constants import CONSTANTS
from .files import write_text_whole
from .parameters import iter_parameters
from .policies.levers import CLAUSES, LEVERS, LeverInfo
from .policies.rules import HISTORICAL, UNPHASED

DOCS = Path(__file__).resolve().parents[1] / "docs"


def fmt(value: Any) -> str:
    """A value as the tables show it: `true`, `[a, b]`, options in code, numbers with thin
    grouping from 10 000 up and no trailing zeros."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (list, tuple)):
        return "`[" + ", ".join(str(getattr(v, "value", v)) for v in value) + "]`"
    if isinstance(value, str):
        return f"`{value}`"
    if hasattr(value, "value"):
        return f"`{value.value}`"
    return fmt_number(value)


def fmt_number(value: float) -> str:
    if float(value).is_integer():
        n = int(value)
        return f"{n:,}".replace(",", " ") if abs(n) >= 10_000 else str(n)
    return f"{value:g}"


def _historical(path: str) -> Any:
    value: Any = HISTORICAL
    for part in path.split(".")[1:]:
        value = getattr(value, part)
    return value


def _bounds(lv: LeverInfo) -> str:
    if lv.kind == "bool":
        return "`false` / `true`"
    if lv.kind == "choice":
        return r" \| ".join(f"`{o}`" for o in lv.options)
    if lv.kind == "multi":
        return "any subset of " + ", ".join(f"`{o}`" for o in lv.options)
    return f"{fmt_number(lv.lo)} – {fmt_number(lv.hi)}"


def lever_table() -> list[str]:
    rows = ["| lever (path) | default | bounds / options | unit | 中文 | clause | before `start_year` | read by |",
            "|---|---|---|---|---|---|---|---|"]
    for lv in LEVERS:
        mark = " ¹" if "assumption" in lv.note else ""
        before = "—" if lv.path in UNPHASED else fmt(_historical(lv.path))
        path = lv.path.removeprefix("policy.")
        rows.append(f"| `{path}` | {fmt(lv.default)}{mark} | {_bounds(lv)} | {lv.unit or '—'} | {lv.zh} | "
                    f"{lv.clause} | {before} | {lv.read_by} |")
    return rows


def lever_notes() -> list[str]:
    return [f"- `{lv.path.removeprefix('policy.')}`: {lv.note}" for lv in LEVERS if lv.note]


def parameter_table() -> list[str]:
    rows = ["| parameter (path) | default | bounds | unit | assumption | source |", "|---|---|---|---|---|---|"]
    for path, info in iter_parameters():
        extra = info.json_schema_extra or {}
        lo = hi = None
        for m in info.metadata:
            lo, hi = getattr(m, "ge", lo), getattr(m, "le", hi)
        source = extra.get("source", "")
        if extra.get("assumption"):
            flag = "**yes**"
        elif source.startswith("assumption"):
            flag = "**yes** ²"
        else:
            flag = "no"
        rows.append(f"| `{path.removeprefix('behaviour.')}` | {fmt_number(info.default)} | {fmt_number(lo)} – "
                    f"{fmt_number(hi)} | {extra.get('unit') or '—'} | {flag} | {source} |")
    return rows


def constant_table() -> list[str]:
    rows = ["| name | value | what | source |", "|---|---|---|---|"]
    for c in CONSTANTS:
        rows.append(f"| `constants.{c.name}` | {c.shown} | {c.what} | {c.source} |")
    return rows


def clause_table() -> list[str]:
    rows = ["| clause | lever (path) | 中文 | default | before `start_year` |", "|---|---|---|---|---|"]
    order = list(CLAUSES)
    for lv in sorted(LEVERS, key=lambda lv: order.index(lv.clause)):     # stable: declaration order within
        before = "—" if lv.path in UNPHASED else fmt(_historical(lv.path))
        rows.append(f"| {lv.clause} | `{lv.path.removeprefix('policy.')}` | {lv.zh} | {fmt(lv.default)} | {before} |")
    return rows


# Generated tables by file (relative to docs/) and name.
TABLES: dict[str, dict[str, Callable[[], list[str]]]] = {
    "model.md": {"levers": lever_table, "lever-notes": lever_notes, "parameters": parameter_table,
                 "constants": constant_table},
    "policy/README.md": {"clauses": clause_table},
}


def block(name: str) -> re.Pattern:
    return re.compile(rf"(<!-- begin generated: {re.escape(name)} [^\n]*-->\n)(.*?)(<!-- end generated: "
                      rf"{re.escape(name)} -->)", re.S)


def regenerate(text: str, tables: dict[str, Callable[[], list[str]]]) -> str:
    """`text` with each of `tables` rewritten. Raises KeyError naming a missing block."""
    for name, make in tables.items():
        pattern = block(name)
        if not pattern.search(text):
            raise KeyError(f"no block `<!-- begin generated: {name} -->`")
        body = "\n".join(make()) + "\n"
        text = pattern.sub(lambda m: m.group(1) + body + m.group(3), text, count=1)
    return text


def stale(text: str, tables: dict[str, Callable[[], list[str]]]) -> list[str]:
    """Names of the generated `tables` of `text` that differ from the declarations."""
    return [name for name, make in tables.items()
            if (m := block(name).search(text)) is None or m.group(2) != "\n".join(make()) + "\n"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sim.doc_tables", description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only check; exit 1 when a table is stale")
    ap.add_argument("--docs", type=Path, default=DOCS, help="the docs folder")
    a = ap.parse_args(argv)
    status = 0
    for name, tables in TABLES.items():
        path = a.docs / name
        text = path.read_text(encoding="utf-8")
        if a.check:
            if names := stale(text, tables):
                print(f"{path}: stale generated tables: {', '.join(names)}; run `python -m sim.doc_tables`",
                      file=sys.stderr)
                status = 1
            continue
        new = regenerate(text, tables)
        if new != text:
            write_text_whole(path, new)
            print(f"updated {path}")
    return status


if __name__ == "__main__":
    sys.exit(main())
