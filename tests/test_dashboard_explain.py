"""The budget tab's breakdown of why the last run differs from the baseline
(dashboard/figures/explain.py): bars are the paired differences of sim.explain_breakdown with
their intervals, the parts under each total add up to it, and every label is in the page's language."""
from __future__ import annotations

import re

import pytest

import sim
from dashboard.figures import ViewOptions, build_view
from dashboard.figures.explain import PANELS

from .test_budget_tab import NAMES, runsets  # noqa: F401

LATIN = re.compile(r"[A-Za-z]{3,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def explain_figure(runsets, lang):  # noqa: F811
    blocks = build_view("budget", runsets, ViewOptions(lang=lang, baseline=NAMES[0]))
    return next(b.figure for b in blocks if b.id == "fig-explain")


def bars_of(fig, measure):
    out = {}
    for t in fig.data:
        if t.meta["measure"] == measure:
            for y, x, (lo, hi) in zip(t.y, t.x, t.customdata):
                out[y] = (x, lo, hi)
    return out


def test_bars_are_the_paired_differences_and_add_up(runsets):  # noqa: F811
    fig = explain_figure(runsets, "en")
    want = sim.explain_breakdown(*(budget_runs(rs) for rs in runsets), 2021, 2023)
    for measure, unit, _ in PANELS:
        bars = bars_of(fig, measure)
        scale = 1e8 if unit == "yuan" else 1.0
        total = want[(want.measure == measure) & (want.component == "total")].iloc[0]
        assert bars["Total"] == pytest.approx((total["diff"] / scale, total["low"] / scale, total["high"] / scale),
                                              nan_ok=True)
        # the parts of each split add up to the total
        for prefix in {k.split(": ")[0] for k in bars if k != "Total"} - {"Income", "Spending"}:
            parts = [x for k, (x, _, _) in bars.items() if k.startswith(prefix + ": ")]
            assert sum(parts) == pytest.approx(bars["Total"][0], rel=1e-6, abs=1e-6), (measure, prefix)
    net = bars_of(fig, "budget_net")
    items = [x for k, (x, _, _) in net.items() if k.startswith(("Income: ", "Spending: "))]
    assert sum(items) == pytest.approx(net["Total"][0], rel=1e-6, abs=1e-6)
    county = sim.COUNTIES[0]
    part = want[(want.measure == "settlements") & (want.by == "county") & (want.component == county.code)].iloc[0]
    assert bars_of(fig, "settlements")[f"County: {county.en}"][0] == pytest.approx(part["diff"])
    kinds = [k for k in bars_of(fig, "settlements") if k.startswith("Kind: ")]
    assert len(kinds) == 3


def budget_runs(rs):
    return [df.drop(columns=["replicate", "seed"]) for _, df in sorted(rs.outcomes.groupby("replicate"))]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_label_is_in_the_page_language(runsets, lang):  # noqa: F811
    fig = explain_figure(runsets, lang)
    words = [fig.layout.title.text] + [a.text for a in fig.layout.annotations]
    words += [t.name for t in fig.data] + [y for t in fig.data for y in t.y]
    other = LATIN if lang == "zh" else CJK
    places = [c.en for c in sim.COUNTIES]
    for text in words:
        for name in [*NAMES, *places]:
            text = text.replace(name, "")
        assert not other.search(text), text
    assert len({t.meta["measure"] for t in fig.data}) == len(PANELS)
