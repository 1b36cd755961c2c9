"""The document's targets on the time charts: a labelled line at each level data/targets.csv sets
for a drawn outcome, with its source on hover, in both languages (dashboard/figures/targets.py)."""
from __future__ import annotations

import re

import pytest

import sim
from dashboard.figures import ViewOptions, build_view, series

from .test_dashboard import runsets, saved_result  # noqa: F401

LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def target_traces(fig, kind="target"):
    return [t for t in fig.data if (t.meta or {}).get("kind") == kind]


def drawn_targets(outcomes):
    t = sim.targets()
    return t[t.measure.isin(outcomes) & t.comparison.isin(["at_least", "at_most"])]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rate_targets_are_lines_at_their_level_with_their_source(runsets, lang):  # noqa: F811
    [block] = build_view("urban", runsets, ViewOptions(lang=lang))
    lines = {t.meta["target"]: t for t in target_traces(block.figure)}
    want = drawn_targets(["resident_urbanization_rate", "hukou_urbanization_rate"])
    assert set(lines) == set(want.id) and len(want) >= 3
    years = sorted({int(y) for rs in runsets for y in rs.wide.index.get_level_values("year")})
    for row in want.itertuples():
        line = lines[row.id]
        assert list(line.y) == pytest.approx([row.value * 100] * 2)          # the chart shows rates in %
        assert list(line.x) == [years[0], years[-1]]
        words, basis = (row.zh, row.basis_zh) if lang == "zh" else (row.en, row.basis_en)
        assert words in line.name and basis in line.hovertemplate
        # the line shares the axis of the outcome it judges
        mean = next(t for t in block.figure.data if (t.meta or {}).get("kind") == "mean"
                    and t.meta["outcome"] == row.measure)
        assert line.yaxis == mean.yaxis
        text = line.name + line.hovertemplate.replace("<br>", " ").replace("<extra></extra>", "")
        assert not (LATIN if lang == "zh" else CJK).search(text), text
    # a target due within the run is starred at its year
    due = {t.meta["target"]: t for t in target_traces(block.figure, "target-due")}
    for row in want.itertuples():
        assert (row.id in due) == (years[0] <= row.by_year <= years[-1])


def test_no_target_lines_on_differences_or_for_a_county(runsets):  # noqa: F811
    [diff] = build_view("urban", runsets, ViewOptions(lang="en", mode="difference"))
    assert not target_traces(diff.figure)
    county = sim.COUNTIES[0].code
    [other] = build_view("urban", runsets, ViewOptions(lang="en", area=county))
    assert not target_traces(other.figure)


def test_schools_draw_the_share_admitted_and_clause_8_targets(runsets):  # noqa: F811
    block = build_view("schools", runsets, ViewOptions(lang="zh"))[0]
    share = next(t for t in block.figure.data if (t.meta or {}).get("kind") == "mean"
                 and t.meta["outcome"] == "migrant_public_school_share" and t.meta["run"] == runsets[0].key)
    kids, public = (series(runsets[0], o) for o in ("migrant_children", "migrant_children_in_public_school"))
    want = (public / kids.where(kids > 0) * 100).mean(axis=1).dropna()
    assert list(share.y) == pytest.approx(list(want.values))
    lines = target_traces(block.figure)
    assert {t.meta["target"] for t in lines} == set(drawn_targets(["migrant_public_school_share"]).id)
    assert all(t.yaxis == share.yaxis for t in lines)
    assert "公办学校" in block.figure.layout.annotations[1].text     # the panel's title, in Chinese
