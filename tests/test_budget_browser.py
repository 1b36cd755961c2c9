"""The planner's walk in headless Chromium (issue 15's "done when"), in Chinese and in English:
run the reform as written, build a variant under a Chinese name and run it, read the targets on
the charts, open the budget tab (scorecard, targets, why the runs differ, in a table and in bars),
download the report as HTML, PDF and Excel and check what they say."""
from __future__ import annotations

import io
import re
import unicodedata

import openpyxl
import pypdf
import pytest

import sim
from dashboard.i18n.hover import LEVER_NOTES

from .test_dashboard_browser import (TIMEOUT_MS, browser, dash_id, lever_selector, open_tab, page,  # noqa: F401
                                     playwright, reveal, server, set_number, shot, small_run_settings, traces,
                                     wait_for_run)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

REFORM = "tieling_reform_2020"
NAME = "铁岭_强化转移支付"          # a Chinese scenario name, in both walks
LEVER = "policy.transfers.yuan_per_settler"

# what each language's page and files say
WORDS = {
    "zh": dict(tab="财政收支与目标", measure="指标", vs="较基准", income="收入：与人口挂钩的转移支付",
               met="达标", explain="差异来源", target="目标：", lever_words="每落户一人转移支付",
               scorecard="记分卡", sheets=["记分卡", "目标", "差异来源", "差异分解", "逐年收支", "情景"],
               panel="落户人数之差", kind="类型："),
    "en": dict(tab="Budget and targets", measure="Measure", vs="vs baseline", income="Income: People-linked transfers",
               met="met", explain="Why", target="Target: ", lever_words="Transfer per settler",
               scorecard="Scorecard", sheets=["Scorecard", "Targets", "Explanation", "Breakdown", "Budget",
                                              "Scenarios"],
               panel="Settlements, difference", kind="Kind: "),
}


def switch_to(p, lang: str) -> None:
    if lang == "en":
        p.get_by_text("English", exact=True).click()
        p.wait_for_function("() => document.querySelector('#run-btn').innerText === 'Run and add to comparison'",
                            timeout=TIMEOUT_MS)


def check_hover(p, lang: str) -> None:
    """The lever's hover text (its note) follows the language, from the translation table."""
    lever = next(lv for lv in sim.LEVERS if lv.path == LEVER)
    want = LEVER_NOTES[LEVER][0] if lang == "zh" else lever.note
    p.wait_for_function("([sel, w]) => (document.querySelector(sel)?.title || '').includes(w)",
                        arg=[f"[id='{dash_id(type='row', path=LEVER)}']", want], timeout=TIMEOUT_MS)


def run_reform_and_variant(p) -> None:
    small_run_settings(p, end_year=2023, replicates=2)
    p.click("#run-btn")
    wait_for_run(p, REFORM)
    reveal(p, LEVER)
    set_number(p, lever_selector(LEVER), 50000)
    set_number(p, "#scenario-name", NAME)
    p.wait_for_selector(f"[id='{dash_id(type='row', path=LEVER)}'].changed")
    p.click("#run-btn")
    wait_for_run(p, NAME)


def check_targets_on_the_chart(p, w: dict) -> None:
    lines = [t for t in traces(p, "fig-urban") if t["meta"].get("kind") == "target"]
    assert len(lines) >= 3 and all(t["name"].startswith(w["target"]) for t in lines)
    assert {round(t["y"][0]) for t in lines} >= {45, 72}          # hukou 45%, resident 72% (in %)


def check_budget_tab(p, w: dict) -> str:
    """The tab's tables and the breakdown; returns the variant's settlements as the scorecard prints them."""
    open_tab(p, "budget")
    p.wait_for_selector("#fig-budget-items .js-plotly-plot", timeout=TIMEOUT_MS)
    assert p.locator("#tab-budget").inner_text() == w["tab"]
    table = p.locator("#scorecard-table")
    assert table.locator("th").all_inner_texts() == [w["measure"], REFORM, NAME, f"{NAME} {w['vs']}"]
    income = table.locator("tr", has_text=w["income"]).locator("td").all_inner_texts()
    assert float(income[3].split(" [")[0].replace(",", "")) > 0 and "[" in income[3]   # 5x money per settler
    settlers = table.locator("tbody tr").first.locator("td").all_inner_texts()[2].split(" [")[0]
    assert p.locator("#targets-table").inner_text().count(w["met"]) >= 7
    assert w["explain"] in p.locator("#explain-table").inner_text()
    p.wait_for_selector("#fig-explain .js-plotly-plot", timeout=TIMEOUT_MS)
    bars = traces(p, "fig-explain")
    title = p.evaluate("() => document.querySelector('#fig-explain .js-plotly-plot')._fullLayout.title.text")
    assert NAME in title and REFORM in title
    labels = [y for t in bars for y in t["y"]]
    assert sum(label.startswith(w["kind"]) for label in labels) == 3            # three kinds of settler
    annotations = p.evaluate("() => document.querySelector('#fig-explain .js-plotly-plot')"
                             "._fullLayout.annotations.map(a => a.text)")
    assert any(w["panel"] in a for a in annotations)
    return settlers


def download(p, button: str) -> bytes:
    with p.expect_download(timeout=120_000) as d:
        p.click(button)
    return d.value.path().read_bytes()


def check_report(p, w: dict, settlers: str) -> None:
    html = download(p, "#report-html").decode("utf-8")
    assert w["scorecard"] in html and NAME in html and w["lever_words"] in html     # the changed lever, in words
    pdf = download(p, "#report-pdf")
    assert pdf[:5] == b"%PDF-"
    # Chromium writes some ideographs as their Kangxi-radical look-alikes: NFKC maps them back
    text = unicodedata.normalize("NFKC", "\n".join(pg.extract_text() for pg in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    flat = re.sub(r"\s+", "", text)
    assert NAME in flat and w["scorecard"].replace(" ", "") in flat
    assert settlers in flat                                     # the scorecard's figure, as the page shows it
    assert w["panel"].replace(" ", "") in flat.replace("戶", "户")   # the bars of why the runs differ (the
    # font's 户 comes out as its variant 戶)
    book = openpyxl.load_workbook(io.BytesIO(download(p, "#report-xlsx")))
    assert book.sheetnames == w["sheets"]
    for sheet in (w["sheets"][0], w["sheets"][3], w["sheets"][4]):
        header = [c.value for c in book[sheet][1]]
        assert "unit" in header, (sheet, header)
        units = {row[header.index("unit")] for row in book[sheet].iter_rows(min_row=2, values_only=True)}
        assert units and None not in units
    names = {row[0] for row in book[w["sheets"][0]].iter_rows(min_row=2, values_only=True)}
    assert names == {REFORM, NAME}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_planners_walk(page, lang):  # noqa: F811
    w = WORDS[lang]
    switch_to(page, lang)
    check_hover(page, lang)
    run_reform_and_variant(page)
    check_targets_on_the_chart(page, w)
    settlers = check_budget_tab(page, w)
    shot(page, f"walk-{lang}")
    check_report(page, w, settlers)
