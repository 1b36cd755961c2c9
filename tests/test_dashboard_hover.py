"""Hover texts in the page's language: levers' notes and parameters' sources come from the
translation table (dashboard/i18n/hover.py) in the Chinese view and from their declarations in
the English one; every Chinese entry translates the English as declared now; the record's
markers say where they come from in Chinese too."""
from __future__ import annotations

import re

import pytest

import sim
from dashboard import layout
from dashboard.figures import ViewOptions, build_view
from dashboard.i18n.hover import LEVER_NOTES, PARAMETER_SOURCES, digest

from .chinese_view import stray_words
from .test_dashboard import runsets, saved_result  # noqa: F401

NOTES = {lv.path: lv.note for lv in sim.LEVERS if lv.note}
SOURCES = {path: (info.json_schema_extra or {}).get("source", "") for path, info in sim.iter_parameters()}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("table, declared", [(LEVER_NOTES, NOTES), (PARAMETER_SOURCES, SOURCES)],
                         ids=["lever notes", "parameter sources"])
def test_every_hover_text_has_a_chinese_entry_for_its_present_english(table, declared):
    missing = sorted(set(declared) - set(table))
    assert not missing, f"dashboard/i18n/hover.py: no Chinese for {missing}"
    stale = sorted(path for path, (_, d) in table.items() if path in declared and d != digest(declared[path]))
    assert not stale, f"dashboard/i18n/hover.py: the English changed, translate again: {stale}"
    gone = sorted(set(table) - set(declared))
    assert not gone, f"dashboard/i18n/hover.py: entries for nothing declared: {gone}"
    for path, (zh, _) in table.items():
        assert CJK.search(zh) and not stray_words(zh), (path, stray_words(zh))


def test_lever_and_parameter_hovers_follow_the_language():
    lever = sim.LEVERS[[lv.path for lv in sim.LEVERS].index("policy.land.m2_per_settler")]
    zh, en = layout.lever_tooltip(lever, "zh"), layout.lever_tooltip(lever, "en")
    assert LEVER_NOTES[lever.path][0] in zh and lever.note not in zh and lever.clause_text[1] not in zh
    assert lever.note in en and lever.clause_text[1] in en and not CJK.search(en.replace(lever.clause_text[0], ""))
    params = dict(sim.iter_parameters())
    path = "behaviour.housing.down_payment"
    assert layout.param_tooltip(path, params[path], "zh") == f"{path}\n{PARAMETER_SOURCES[path][0]}"
    assert layout.param_tooltip(path, params[path], "en") == f"{path}\n{SOURCES[path]}"
    # the page as built carries the Chinese hovers (the language switch rewrites them, callbacks/language.py)
    row = layout.param_row(path, params[path], "zh")
    assert row.title == layout.param_tooltip(path, params[path], "zh") and row.id == {"type": "param-row",
                                                                                     "path": path}
    assert layout.clause_tooltip(lever.clause, "zh") == sim.CLAUSES[lever.clause][0]


def test_record_markers_say_their_source_in_chinese(runsets):  # noqa: F811
    fig = build_view("population", runsets, ViewOptions(lang="zh"))[0].figure
    texts = [c for t in fig.data if (t.meta or {}).get("kind") == "observed" for c in t.customdata]
    assert texts
    for text in texts:
        assert not stray_words(text), text
    fig = build_view("population", runsets, ViewOptions(lang="en"))[0].figure
    assert any("census" in c for t in fig.data if (t.meta or {}).get("kind") == "observed" for c in t.customdata)
