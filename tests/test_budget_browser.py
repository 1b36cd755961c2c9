"""The budget tab and the report downloads in headless Chromium, as a planner uses them:
run the reform and a variant, open the tab, read the scorecard, download the report."""
from __future__ import annotations

import io

import openpyxl
import pytest

from .test_dashboard_browser import (TIMEOUT_MS, browser, dash_id, lever_selector, open_tab, page,  # noqa: F401
                                     playwright, reveal, server, set_number, shot, small_run_settings, wait_for_run)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_budget_tab_and_report(page, tmp_path):  # noqa: F811
    small_run_settings(page, end_year=2023, replicates=2)
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")
    reveal(page, "policy.transfers.yuan_per_settler")
    set_number(page, lever_selector("policy.transfers.yuan_per_settler"), 50000)
    set_number(page, "#scenario-name", "strong_transfers")
    page.wait_for_selector(f"[id='{dash_id(type='row', path='policy.transfers.yuan_per_settler')}'].changed")
    page.click("#run-btn")
    wait_for_run(page, "strong_transfers")
    open_tab(page, "budget")
    page.wait_for_selector("#fig-budget-items .js-plotly-plot", timeout=TIMEOUT_MS)
    table = page.locator("#scorecard-table")
    headers = table.locator("th").all_inner_texts()
    assert headers == ["指标", "tieling_reform_2020", "strong_transfers", "strong_transfers 较基准"]
    income_row = table.locator("tr", has_text="收入：与人口挂钩的转移支付").locator("td").all_inner_texts()
    diff = float(income_row[3].split(" [")[0].replace(",", ""))
    assert diff > 0 and "[" in income_row[3]          # 5x the money per settler, with its interval
    assert page.locator("#targets-table").inner_text().count("达标") >= 7
    assert "差异来源" in page.locator("#explain-table").inner_text()
    shot(page, "budget")
    with page.expect_download(timeout=TIMEOUT_MS) as d:
        page.click("#report-html")
    html = tmp_path / d.value.suggested_filename
    d.value.save_as(html)
    text = html.read_text(encoding="utf-8")
    assert html.suffix == ".html" and "记分卡" in text and "strong_transfers" in text
    assert "每落户一人转移支付" in text              # the changed lever, in words
    with page.expect_download(timeout=TIMEOUT_MS) as d:
        page.click("#report-xlsx")
    book = openpyxl.load_workbook(io.BytesIO(d.value.path().read_bytes()))
    assert "记分卡" in book.sheetnames
    with page.expect_download(timeout=120_000) as d:
        page.click("#report-pdf")
    assert d.value.path().read_bytes()[:5] == b"%PDF-"
    # the same tab in English
    page.get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.querySelector('#tab-budget').innerText === 'Budget and targets'",
                           timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector('#scorecard-table th').innerText === 'Measure'",
                           timeout=TIMEOUT_MS)
    assert page.locator("#report-html").inner_text() == "Download report (HTML, printable)"
