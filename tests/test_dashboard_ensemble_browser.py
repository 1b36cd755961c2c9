"""The parameter-ensemble card in headless Chromium: the ensemble runs in the background (its
button disabled, a progress bar, the page answering meanwhile), can be cancelled, draws its bands
and variance shares in the page's language, and says in that language when it cannot run or
its process was killed."""
from __future__ import annotations

import os
import signal

import pytest

import sim

from .test_dashboard_browser import (TIMEOUT_MS, browser, page, playwright, run_processes, server,  # noqa: F401
                                     set_number, shot, small_run_settings, wait_for_run)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

REFORM = "tieling_reform_2020"
CARD_TEXT_JS = """() => { const c = document.querySelector('#ensemble-card');
    return c.innerText + '\\n' + [...c.querySelectorAll('svg text')].map(t => t.textContent).join('\\n'); }"""


def wait_text(p, selector: str, words: str) -> None:
    p.wait_for_function("([s, w]) => (document.querySelector(s)?.innerText || '').includes(w)",
                        arg=[selector, words], timeout=TIMEOUT_MS)


def start_ensemble(p, k) -> None:
    set_number(p, "#ens-k", k)
    p.click("#ens-go")


def wait_running(p) -> None:
    """Until the job is under way: its button disabled, Cancel enabled, the progress bar counting."""
    p.wait_for_function("""() => document.querySelector('#ens-go').disabled
        && !document.querySelector('#ens-cancel').disabled
        && document.querySelector('#ens-progress-wrap').style.visibility === 'visible'
        && document.querySelector('#ens-progress-text').innerText !== ''""", timeout=TIMEOUT_MS)


def wait_idle(p) -> None:
    p.wait_for_function("() => !document.querySelector('#ens-go').disabled", timeout=TIMEOUT_MS)


def subplot_titles(p) -> list[str]:
    return p.evaluate("() => document.querySelector('#ens-view .js-plotly-plot')._fullLayout.annotations"
                      ".map(a => a.text)")


def test_an_ensemble_runs_in_the_background_can_be_cancelled_and_follows_the_language(page):  # noqa: F811
    small_run_settings(page, end_year=2023, replicates=2)
    page.click("#run-btn")
    wait_for_run(page, REFORM)
    # K = 50 (100 runs) takes long enough to see it under way, and to cancel it
    start_ensemble(page, 50)
    wait_running(page)
    assert "50" in page.locator("#ens-progress-text").inner_text()
    # the page answers meanwhile: switching the language redraws every text, the card's too
    page.get_by_text("English", exact=True).click()
    wait_text(page, "#ens-title", "Parameter uncertainty")
    assert page.locator("#ens-go").is_disabled() and page.locator("#run-btn").is_enabled()
    page.click("#ens-cancel")
    wait_text(page, "#ens-message", "The ensemble run was cancelled.")
    wait_idle(page)
    assert page.locator("#ens-progress-wrap").evaluate("e => e.style.visibility") == "hidden"
    assert page.locator("#ens-view .js-plotly-plot").count() == 0

    start_ensemble(page, 3)
    page.wait_for_selector("#ens-view .js-plotly-plot", timeout=TIMEOUT_MS)
    wait_text(page, "#ens-message", f"Ensemble finished: {REFORM}, 3 parameter sets × 2 seeds, 6 runs")
    headline = sim.EnsembleResult.HEADLINE
    assert subplot_titles(page) == [sim.OUTCOMES[o].label("en") for o in headline]
    assert len(page.locator("#ens-view tbody tr").all()) == len(headline)
    assert "3 parameter sets × 2 seeds, 6 runs" in page.locator("#ens-view").inner_text()
    # back in Chinese the result is drawn again in Chinese, and the card has no English word
    page.get_by_text("中文", exact=True).click()
    page.wait_for_function("(t) => { const gd = document.querySelector('#ens-view .js-plotly-plot');"
                           " return gd && gd._fullLayout.annotations[0].text === t; }",
                           arg=sim.OUTCOMES[headline[0]].label("zh"), timeout=TIMEOUT_MS)
    wait_text(page, "#ens-message", "参数集合运行完成")
    from .chinese_view import stray_words
    assert stray_words(page.evaluate(CARD_TEXT_JS)) == []
    shot(page, "ensemble")


def test_an_ensemble_that_cannot_run_or_is_killed_says_so_in_the_pages_language(page, server):  # noqa: F811
    page.click("#ens-go")
    wait_text(page, "#ens-message", "请先运行至少一个情景。")
    small_run_settings(page, end_year=2023, replicates=1)
    page.click("#run-btn")
    wait_for_run(page, REFORM)
    start_ensemble(page, 1)
    wait_text(page, "#ens-message", "组数须为 2 至 50 之间的整数。")
    page.get_by_text("English", exact=True).click()
    wait_text(page, "#ens-message", "K must be a whole number from 2 to 50.")
    page.get_by_text("中文", exact=True).click()
    start_ensemble(page, 50)
    wait_running(page)
    procs = run_processes(server.pid)
    assert procs, "no ensemble process found"
    for proc in procs:
        os.kill(proc.pid, signal.SIGKILL)
    wait_idle(page)
    wait_text(page, "#ens-message", "参数集合的运行进程意外结束")
    start_ensemble(page, 2)                 # and the next one runs
    page.wait_for_selector("#ens-view .js-plotly-plot", timeout=TIMEOUT_MS)
