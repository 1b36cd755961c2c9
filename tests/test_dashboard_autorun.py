"""Automatic re-runs in headless Chromium (dashboard/callbacks/autorun.py): a lever changed by hand
runs the scenario again without a click, the previous result stays on the page marked out of date
until the new one arrives, and a newer change supersedes an older one (no stale result ever lands
in the comparison). Uses the server, browser and page helpers of test_dashboard_browser.py."""
from __future__ import annotations

import json

import pytest
import yaml

from dashboard.callbacks.autorun import PAUSE_MS

from .test_dashboard_browser import (TIMEOUT_MS, browser, dash_id, lever_selector, means_of, page, pick,  # noqa: F401
                                     playwright, reveal, run_labels, server, set_number, small_run_settings,
                                     wait_for_run)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

YEARS = "policy.settlement.residence_years_required"
# every value the session's run list takes, in order, recorded in the page as it changes
WATCH_RUNS_JS = """() => {
    window.seenRuns = [];
    setInterval(() => {
        const v = sessionStorage.getItem('runs');
        if (v && window.seenRuns[window.seenRuns.length - 1] !== v) { window.seenRuns.push(v); }
    }, 10);
}"""


def runs_data(p) -> list[dict]:
    return json.loads(p.evaluate("() => sessionStorage.getItem('runs')") or "[]")


def lever_in(record: dict, path: str):
    value = yaml.safe_load(record["yaml"])
    for key in path.split("."):
        value = value[key]
    return value


def stale(p) -> bool:
    return p.locator("#stale-note").is_visible() and "stale" in p.locator("#view").get_attribute("class")


def wait_for_runs(p, test_js: str) -> None:
    """Until `test_js(runs)` holds for the session's run list."""
    p.wait_for_function(f"() => {{ const runs = JSON.parse(sessionStorage.getItem('runs') || '[]');"
                        f" return ({test_js})(runs); }}", timeout=TIMEOUT_MS)


# the out-of-date mark and the runs drawn in the urbanization figure, read at one instant
SHOWN_JS = """() => {
    const gd = document.querySelector('#fig-urban .js-plotly-plot');
    return {stale: !!document.querySelector('#stale-note').offsetParent
                   && document.querySelector('#view').classList.contains('stale'),
            drawn: gd && gd._fullData ? [...new Set(gd._fullData.map(t => t.meta && t.meta.run).filter(r => r))] : []};
}"""


def test_a_lever_change_runs_again_without_a_click_and_the_old_result_stays_meanwhile(page):
    small_run_settings(page)
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")
    before = means_of(page, "fig-urban", "tieling_reform_2020", "hukou_urbanization_rate")
    assert not stale(page)
    # close the home-purchase pathway (clause 六) by hand; no click on Run
    reveal(page, "policy.purchase.enabled")
    page.locator(lever_selector("policy.purchase.enabled") + " input[type=checkbox]").uncheck()
    page.wait_for_selector("#stale-note", state="visible", timeout=TIMEOUT_MS)
    assert page.locator("#stale-note").inner_text().startswith("结果已过时")
    wait_for_run(page, "tieling_reform_2020-2")              # the new result arrives on its own
    page.wait_for_selector("#stale-note", state="hidden", timeout=TIMEOUT_MS)
    assert run_labels(page) == ["tieling_reform_2020", "tieling_reform_2020-2"]
    after = means_of(page, "fig-urban", "tieling_reform_2020-2", "hukou_urbanization_rate")
    assert means_of(page, "fig-urban", "tieling_reform_2020", "hukou_urbanization_rate") == before
    assert after[0] == before[0] and after[-1] < before[-1]  # same seeds; fewer settle without the pathway
    first_auto = runs_data(page)[-1]
    assert first_auto["auto"] and first_auto["changed"] == ["policy.purchase.enabled"]
    assert "自动" in page.locator("#runs-list .run-meta").last.inner_text()
    # a second change: the automatic result stays drawn, marked out of date, until its successor
    # takes its place (not added beside it)
    reveal(page, YEARS)
    set_number(page, lever_selector(YEARS), 1)
    page.wait_for_selector("#stale-note", state="visible", timeout=TIMEOUT_MS)
    shown = page.evaluate(SHOWN_JS)
    assert shown["stale"] and first_auto["key"] in shown["drawn"]
    wait_for_runs(page, f"runs => runs.length === 2 && runs[1].key !== '{first_auto['key']}'")
    second_auto = runs_data(page)[-1]
    assert second_auto["auto"] and YEARS in second_auto["changed"] and lever_in(second_auto, YEARS) == 1
    page.wait_for_function(f"([now, before]) => {{ const s = ({SHOWN_JS})(); return !s.stale"
                           " && s.drawn.includes(now) && !s.drawn.includes(before); }",
                           arg=[second_auto["key"], first_auto["key"]], timeout=TIMEOUT_MS)
    # Run keeps the current result: added for good, the automatic one gone
    page.click("#run-btn")
    wait_for_runs(page, "runs => runs.length === 2 && !runs[1].auto")
    kept = runs_data(page)[1]
    assert lever_in(kept, YEARS) == 1 and lever_in(kept, "policy.purchase.enabled") is False


def test_a_newer_change_supersedes_an_older_one(page):
    """Two changes within the pause give one run, of the last; a change while a run is under way
    stops that run: only the last value's result ever reaches the comparison."""
    pick(page, "#scale", "0.1 (10%)")                       # a run long enough to be caught under way
    reveal(page, YEARS)
    page.evaluate(WATCH_RUNS_JS)
    set_number(page, lever_selector(YEARS), 3)
    set_number(page, lever_selector(YEARS), 4)               # within the pause: 3 never runs
    page.wait_for_function("() => document.querySelector('#run-progress-text').innerText !== ''",
                           timeout=TIMEOUT_MS)               # the run of 4 is under way
    set_number(page, lever_selector(YEARS), 6)               # supersedes it
    wait_for_runs(page, "runs => runs.length === 1")
    page.wait_for_selector("#stale-note", state="hidden", timeout=TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('#run-btn').disabled", timeout=TIMEOUT_MS)
    seen = [json.loads(v) for v in page.evaluate("() => window.seenRuns")]
    assert [[lever_in(r, YEARS) for r in runs] for runs in seen if runs] == [[6]]
    # the run's chip is drawn by a server callback after the run list changes: wait for it
    page.wait_for_function("() => document.querySelectorAll('#runs-list .run-label').length > 0",
                           timeout=TIMEOUT_MS)
    assert run_labels(page) == ["tieling_reform_2020"]


def test_switched_off_a_change_waits_for_run(page):
    page.locator("#auto-run-toggle input[type=checkbox]").uncheck()
    reveal(page, YEARS)
    set_number(page, lever_selector(YEARS), 7)
    # no re-run is scheduled and nothing is marked out of date
    assert page.evaluate("() => !window.urbsimAutoRun || window.urbsimAutoRun.timer === null")
    assert not stale(page) and runs_data(page) == []
    label = page.locator(f"[id='{dash_id(type='t', key='ui:auto_rerun')}']")
    assert label.inner_text() == "改动杠杆后自动重新运行"
    page.get_by_text("English", exact=True).click()
    page.wait_for_function("(sel) => document.querySelector(sel).innerText"
                           " === 'Re-run automatically when a lever changes'",
                           arg=f"[id='{dash_id(type='t', key='ui:auto_rerun')}']")
