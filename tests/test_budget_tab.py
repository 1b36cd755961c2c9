"""The dashboard's budget tab and the report (HTML, Excel, PDF), without a browser."""
from __future__ import annotations

import io
import re
import unicodedata

import openpyxl
import pytest

import sim
from dashboard import budget_tab, i18n, report
from dashboard.i18n.budget import TERMS
from dashboard.data import REPLICATE_SEED, RunSet, run_replicates
from sim import replicate_seeds
from dashboard.figures import ViewOptions, build_view

from .conftest import SCENARIOS

NAMES = ("baseline_pre_reform", "tieling_reform_2020")
LATIN = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def runsets():
    seeds = replicate_seeds(REPLICATE_SEED, 2)
    out = []
    for n in NAMES:
        sc = sim.with_overrides(sim.load_scenario(SCENARIOS / f"{n}.yaml"), {"end_year": 2023})
        outcomes, _ = run_replicates(sc, seeds, 0.005)
        out.append(RunSet(n, n, outcomes, seeds, 0.005, sim.scenario_yaml(sc)))
    return out


def visible_text(blocks) -> list[str]:
    words = []
    for b in blocks:
        words.append(b.text)
        if b.table is not None:
            words += list(b.table.columns) + [str(v) for v in b.table.values.ravel()]
        if b.figure is not None:
            words += [b.figure.layout.title.text or "", b.figure.layout.yaxis.title.text or ""]
            words += [t.name or "" for t in b.figure.data]
    return words


def test_budget_tab_in_both_languages(runsets):
    zh = build_view("budget", runsets, ViewOptions(lang="zh", baseline=NAMES[0]))
    ids = [b.id for b in zh]
    assert ids == ["fig-budget-years", "fig-budget-items", "scorecard-table", "targets-table", "explain-table",
                   "fig-explain"]
    card = zh[2].table
    assert list(card.columns) == ["指标", *NAMES, f"{NAMES[1]} 较基准"]
    assert card.iloc[0, 0] == "落户人数（人）" and "[" in card.iloc[0, 3]          # mean [low, high]
    # In the Chinese view no English word shows, apart from the runs' own names and place names.
    places = [c.en for c in sim.COUNTIES] + ["Tieling City"]
    for text in visible_text(zh):
        for name in [*NAMES, *places]:
            text = text.replace(name, "")
        assert not LATIN.search(text), text
    en = build_view("budget", runsets, ViewOptions(lang="en", baseline=NAMES[0]))
    assert en[2].table.iloc[0, 0] == "Settlements (persons)"
    for text in visible_text(en):
        for name in [c.zh for c in sim.COUNTIES] + ["铁岭市"]:
            text = text.replace(name, "")
        assert not re.search(r"[\u4e00-\u9fff]", text), text


def test_every_budget_term_is_translated():
    from sim.budget import INCOME_ITEMS, SPENDING_ITEMS
    from sim.scorecard import HUKOU_FLOWS, MEASURES, RESIDENT_FLOWS
    keys = set(MEASURES) | set(SPENDING_ITEMS) | set(INCOME_ITEMS)
    keys |= {o if g == "all" else f"{o}.{g}" for o, g, _ in HUKOU_FLOWS + RESIDENT_FLOWS}
    assert keys <= set(TERMS)
    for key in ("tab_budget", "scorecard", "report_html", "report_pdf", "report_xlsx"):
        assert i18n.t(key, "zh") != key and i18n.t(key, "en") != key


def test_scorecard_table_matches_the_scorecard(runsets):
    card, e, other, start, end = budget_tab.compute(runsets, NAMES[0])
    assert (start, end, other) == (2021, 2023, NAMES[1])
    row = card.totals[(card.totals.scenario == NAMES[1]) & (card.totals.measure == "settlements")].iloc[0]
    table = budget_tab.scorecard_table(card, "en")
    assert table.loc[0, NAMES[1]] == f"{row['mean']:,.0f} [{row.low:,.0f}, {row.high:,.0f}]"


def test_report_html_and_workbook(runsets):
    card, e, other, _, _ = budget_tab.compute(runsets, NAMES[0])
    page = report.report_html(runsets, card, e, other, "zh")
    assert page.startswith("<!doctype html>") and "记分卡" in page and "模型的已知局限" in page
    assert "高校毕业生落户" in page               # a lever that differs from the baseline, in words
    assert page.count("<table") == 3 and "plotly" in page
    # the budget tab's bars of why the runs differ, each with its interval, in the page's language
    bars = report.breakdown_charts(report.from_runsets(runsets), card, e, other, "zh")
    assert len(bars) == 1 and {t.meta["measure"] for t in bars[0].data} == {"settlements", "hukou_holders",
                                                                            "budget_net"}
    assert all(t.error_x.array is not None and t.error_x.arrayminus is not None for t in bars[0].data)
    assert [a.text.split(" (")[0] for a in bars[0].layout.annotations] == [
        i18n.t(f"explain_panel_{m}", "zh") for m in ("settlements", "hukou_holders", "budget_net")]
    assert '"kind":"explain"' in page.replace(" ", "") and (
        i18n.t("explain_panel_settlements", "zh").encode("unicode_escape").decode() in page)
    english = report.report_html(runsets, card, e, other, "en")
    assert "Scorecard" in english and "Why tieling_reform_2020 differs" in english
    assert i18n.t("explain_panel_settlements", "en") in english
    book = openpyxl.load_workbook(io.BytesIO(report.workbook(runsets, card, e, other, "zh")))
    assert book.sheetnames[:3] == ["记分卡", "目标", "差异来源"]      # in the page's language
    header = [c.value for c in book["记分卡"][1]]
    assert {"scenario", "measure", "unit", "mean", "low", "high"} <= set(header)


@pytest.mark.skipif(report.chromium() is None, reason="no Chromium to print with")
def test_report_pdf(runsets):
    card, e, other, _, _ = budget_tab.compute(runsets, NAMES[0])
    data = report.pdf(report.report_html(runsets, card, e, other, "zh"))
    assert data[:5] == b"%PDF-" and len(data) > 20_000
    # the breakdown's bars are drawn in the printed page too, their panels titled in Chinese
    import pypdf
    text = "".join(pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("戶", "户")   # the font's variant of 户
    for m in ("settlements", "hukou_holders", "budget_net"):
        assert i18n.t(f"explain_panel_{m}", "zh") in flat, m
