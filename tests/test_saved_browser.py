"""Scenarios saved on the server and shared by link, in headless Chromium: a scenario saved
under a Chinese name opens from its link in another tab with the same levers, saving the name
again asks before overwriting, and a link to nothing gives a message on the page."""
from __future__ import annotations

from urllib.parse import quote

import pytest

from .test_dashboard_browser import (TIMEOUT_MS, browser, lever_selector, open_dashboard, page,  # noqa: F401
                                     playwright, reveal, server, set_number, shot)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NAME = "铁岭_无购房链接"
LEVER = "policy.transfers.yuan_per_settler"


def saved_message(p) -> str:
    return p.locator("#saved-message").inner_text()


def wait_message(p, words: str) -> None:
    p.wait_for_function("(w) => (document.querySelector('#saved-message')?.innerText || '').includes(w)", arg=words,
                        timeout=TIMEOUT_MS)


def open_link(browser, link: str):  # noqa: F811
    other = browser.new_page()
    other.goto(link)
    try:
        other.wait_for_function("(n) => document.querySelector('#scenario-name')?.value === n", arg=NAME,
                                timeout=TIMEOUT_MS)
    except Exception:
        state = other.evaluate("() => [document.querySelector('#scenario-name')?.value, location.href, "
                               "document.querySelector('#saved-message')?.innerText, "
                               "document.querySelector('#load-message')?.innerText, "
                               "document.querySelector('#library')?.innerText]")
        raise AssertionError(f"the link did not load {NAME}: {state}") from None
    # and it is chosen in the library list, as this session's scenario
    other.wait_for_function("(w) => (document.querySelector('#library')?.innerText || '').includes(w)",
                            arg=f"{NAME} · 本次会话", timeout=TIMEOUT_MS)
    reveal(other, LEVER)
    return other


def test_a_saved_scenario_opens_from_its_link(page, browser, server):  # noqa: F811
    reveal(page, LEVER)
    set_number(page, lever_selector(LEVER), 54321)
    set_number(page, "#scenario-name", NAME)
    page.click("#save-server-btn")
    wait_message(page, f"已保存到服务器：{NAME}")
    link = page.locator("#saved-link").get_attribute("href")
    assert link.startswith(server) and "?scenario=" in link
    other = open_link(browser, link)
    assert other.locator(lever_selector(LEVER)).input_value() == "54321"
    assert f"已从链接打开：{NAME}" in saved_message(other)
    shot(other, "saved-link")
    other.close()

    # saving the same name again asks first; yes overwrites, and the old link opens the new levers
    set_number(page, lever_selector(LEVER), 11111)
    page.once("dialog", lambda d: d.accept() if NAME in d.message else d.dismiss())
    page.click("#save-server-btn")
    wait_message(page, f"已覆盖服务器上的情景：{NAME}")
    assert page.locator("#saved-link").get_attribute("href") == link
    other = open_link(browser, link)
    assert other.locator(lever_selector(LEVER)).input_value() == "11111"
    other.close()
    # no keeps the saved one as it was
    set_number(page, lever_selector(LEVER), 22222)
    page.once("dialog", lambda d: d.dismiss())
    page.click("#save-server-btn")
    wait_message(page, "未覆盖")
    other = open_link(browser, server + "?scenario=" + quote(NAME))      # the name works as well as the number
    assert other.locator(lever_selector(LEVER)).input_value() == "11111"
    other.close()

    # the list of saved scenarios opens one too
    page.goto(server)
    page.click("#saved-list")
    page.get_by_role("option").filter(has_text=NAME).first.click()
    page.wait_for_function("(n) => document.querySelector('#scenario-name')?.value === n", arg=NAME,
                           timeout=TIMEOUT_MS)
    assert "?scenario=" in page.url


@pytest.mark.parametrize("ref", ["99999", quote("没有的方案")])
def test_a_link_to_nothing_says_so(browser, server, ref):  # noqa: F811
    p = browser.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    open_dashboard(p, server + "?scenario=" + ref)
    wait_message(p, "找不到链接所指的情景")
    assert p.locator("#scenario-name").input_value() == "tieling_reform_2020"   # the default stays loaded
    p.get_by_text("English", exact=True).click()
    wait_message(p, "No saved scenario")
    p.close()
    assert not errors, errors
