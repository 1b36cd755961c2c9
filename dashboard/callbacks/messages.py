"""Status lines and problem lists that follow the page's language.

A callback that reports something writes a message *record* to the store beside the
message area (`<area>-data`), not the words: `{"key": "run_done", "args": {...}}` for a
status line from the translation table, `{"key": "run_lost", "head": "run_failed"}` for a
failure, or `{"problems": [...], "head": "problems"}` for a list of scenario problems (English from `sim`, translated when shown). One callback per
area renders the record in the current language, so a language switch updates every
status already on the page ("运行完成" becomes "Finished").
"""
from __future__ import annotations

from typing import Any

from dash import Input, Output

from .. import i18n
from ..layout import MESSAGE_AREAS as AREAS
from .common import ok_box, problems_box


def status(key: str, **args: Any) -> dict:
    """A status line: the translation-table entry `key` formatted with `args`."""
    return {"key": key, "args": args}


def failure(key: str, head: str = "run_failed", **args: Any) -> dict:
    """A failure: the translation-table entry `key` under the heading `head`."""
    return {"key": key, "args": args, "head": head}


def problems(lines: list[str], head: str = "problems") -> dict:
    """A list of problems under the heading `head` (a translation-table key)."""
    return {"problems": list(lines), "head": head}


def render(record: dict | None, lang: str) -> Any:
    if not record:
        return None
    if "problems" in record:
        return problems_box(record["problems"], lang, record.get("head", "problems"))
    if "head" in record:
        return problems_box([i18n.t(record["key"], lang).format(**record.get("args", {}))], lang, record["head"])
    return ok_box(i18n.t(record["key"], lang).format(**record.get("args", {})))


def register(app) -> None:
    for area in AREAS:
        app.callback(Output(area, "children"), Input(f"{area}-data", "data"), Input("lang-switch", "value"))(render)
