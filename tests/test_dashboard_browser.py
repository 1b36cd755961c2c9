"""The dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

One dashboard server per module, started as a subprocess on a free loopback port and
stopped in teardown; a fresh browser profile in a temporary folder. Plotted data are
read in the page from `gd._fullData` (plotly sends arrays base64-encoded, so the DOM's
JSON is not the data). Screenshots go to test-artifacts/ (gitignored).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import sim
from dashboard.data import DEFAULT_REPLICATES, DEFAULT_SCALE

from .conftest import ROOT, SCENARIOS

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("URBSIM_ARTIFACTS", ROOT / "test-artifacts"))
SMALL_SCALE = "0.005"        # test runs: 0.5% sample, 3 years, 2 replicates
TIMEOUT_MS = 60_000

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


# --- the server and the browser ------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerUrl(str):
    """The dashboard's address, with the server's pid and log file."""

    def __new__(cls, url: str, pid: int, log: Path):
        self = super().__new__(cls, url)
        self.pid, self.log = pid, log
        return self


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    cache = tmp_path_factory.mktemp("dash-cache")
    log = (tmp_path_factory.mktemp("dash-log") / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dashboard", "--host", "127.0.0.1", "--port", str(port),
         "--scenarios", str(SCENARIOS), "--cache-dir", str(cache),
         "--saved-db", str(tmp_path_factory.mktemp("saved") / "saved_scenarios.sqlite")],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"dashboard server did not start; see {log.name}")
        time.sleep(0.3)
    yield ServerUrl(url, proc.pid, Path(log.name))
    # the server and the run processes it forked share its process group
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


def launch(pw, profile: Path):
    return pw.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1500, "height": 1100}, accept_downloads=True)


@pytest.fixture(scope="module")
def playwright():
    with sync_api.sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright, tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = launch(playwright, profile)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, server):
    """A new tab: a new dashboard session (its own session storage and session token)."""
    p = browser.new_page()
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    open_dashboard(p, server)
    yield p
    p.close()
    assert not errors, errors


def open_dashboard(p, url: str) -> None:
    p.goto(url)
    p.wait_for_selector(lever_selector("policy.settlement.residence_years_required") + " >> nth=0")
    # the library scenario's values are loaded into the controls
    p.wait_for_function("() => document.querySelector('#scenario-name').value !== ''", timeout=TIMEOUT_MS)


# --- page helpers ---------------------------------------------------------------------------------

def dash_id(**kw) -> str:
    """The DOM id Dash gives a dict id: JSON with sorted keys, no spaces."""
    return json.dumps(kw, sort_keys=True, separators=(",", ":"))


def lever_selector(path: str) -> str:
    lv = next(lv for lv in sim.LEVERS if lv.path == path)
    return f"[id='{dash_id(type='lever', kind=lv.kind, path=path)}']"


def reveal(p, path: str) -> None:
    """Open the clause section (or advanced block) that holds a control, as a planner would."""
    summary = p.locator(f"details:has({lever_selector(path)}) > summary").last
    if not p.locator(lever_selector(path)).first.is_visible():
        summary.click()


def open_tab(p, view: str) -> None:
    p.click(f"#tab-{view}")


def pick(p, dropdown: str, text: str) -> None:
    p.click(dropdown)
    p.get_by_role("option", name=text, exact=True).click()


def set_number(p, selector: str, value) -> None:
    p.fill(selector, str(value))
    p.press(selector, "Tab")


def small_run_settings(p, end_year: int = 2023, replicates: int = 2) -> None:
    """Small runs, set with automatic re-runs switched off meanwhile. Changing the last year by
    hand starts a re-run 700 ms later; when it starts before the test's click on Run (it did 11
    times in 12 with the click 0.55-0.8 s after the change, as under load), the click waits for
    the button, and `wait_for_run` is satisfied by the automatic run's line while the kept run
    is still under way, so the test goes on before the run it asked for has answered."""
    toggle = p.locator("#auto-run-toggle input[type=checkbox]")
    was_on = toggle.is_checked()
    toggle.uncheck()
    pick(p, "#scale", f"{float(SMALL_SCALE):g} ({float(SMALL_SCALE) * 100:g}%)")
    set_number(p, "#replicates", replicates)
    set_number(p, "#end-year", end_year)
    if was_on:
        toggle.check()   # (switching on starts no run)


TRACES_JS = """(id) => {
  const gd = document.querySelector('#' + id + ' .js-plotly-plot');
  if (!gd || !gd._fullData) return null;
  return gd._fullData.map(t => ({name: t.name, meta: t.meta || {}, x: Array.from(t.x || []),
                                 y: Array.from(t.y || []), z: Array.from(t.z || [])}));
}"""


def traces(p, fig_id: str) -> list[dict] | None:
    return p.evaluate(TRACES_JS, fig_id)


def run_traces(p, fig_id: str) -> list[dict]:
    """The traces of runs (not the record's markers nor the target lines)."""
    return [t for t in traces(p, fig_id) or [] if t["meta"].get("kind") not in ("observed", "target", "target-due")]


def wait_for_run(p, label: str, fig_id: str = "fig-urban") -> None:
    """Until the figure plots a mean line of the run called `label` (a screenshot if it never does)."""
    try:
        p.wait_for_function(
            """([id, label]) => { const gd = document.querySelector('#' + id + ' .js-plotly-plot');
                 return !!gd && !!gd._fullData && gd._fullData.some(t => t.meta && t.meta.kind === 'mean'
                        && t.name.split(' · ')[0] === label); }""",
            arg=[fig_id, label], timeout=TIMEOUT_MS)
    except sync_api.TimeoutError:
        path = shot(p, f"timeout-{label}")
        raise AssertionError(f"no {label} in {fig_id}; run message: {p.locator('#run-message').inner_text()!r}; "
                             f"screenshot {path}") from None


def fig_title(p, fig_id: str) -> str:
    return p.evaluate("(id) => document.querySelector('#' + id + ' .js-plotly-plot')._fullLayout.title.text", fig_id)


def means_of(p, fig_id: str, label: str, outcome: str) -> list[float]:
    return [t["y"] for t in traces(p, fig_id) if t["meta"].get("kind") == "mean"
            and t["meta"].get("outcome") == outcome and t["name"].split(" · ")[0] == label][0]


def run_labels(p) -> list[str]:
    return p.locator("#runs-list .run-label").all_inner_texts()


def shot(p, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"dashboard-{name}.png"
    p.screenshot(path=str(path), full_page=True)
    return path


# --- tests --------------------------------------------------------------------------------------------

def test_page_loads_with_the_library(page):
    page.click("#library")
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    names = {sim.load_scenario(f).name for f in SCENARIOS.glob("*.yaml")}
    assert names and all(any(o.startswith(n) for o in options) for n in names), options
    paths = page.evaluate("""() => [...document.querySelectorAll('[id]')].map(e => {
        try { const i = JSON.parse(e.id); return i.type === 'lever' ? i.path : null } catch { return null } })
        .filter(p => p)""")
    assert sorted(paths) == sorted(lv.path for lv in sim.LEVERS)
    # the clause text is on hover, the unit and bounds under the control
    row = page.locator(f"[id='{dash_id(type='row', path='policy.purchase.min_floor_area_m2')}']")
    assert sim.CLAUSES["六"][0] in row.get_attribute("title")
    assert "0 – 150 平方米" in row.text_content()
    assert page.locator("#run-btn").is_enabled() and page.locator("#cancel-btn").is_disabled()
    shot(page, "library")


def test_changing_a_lever_and_running_updates_the_figures(page):
    small_run_settings(page)
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")
    before = means_of(page, "fig-urban", "tieling_reform_2020", "hukou_urbanization_rate")
    assert len(before) == 4                                  # 2020-2023
    # close the home-purchase pathway (clause 六) and run again under another name
    reveal(page, "policy.purchase.enabled")
    page.locator(lever_selector("policy.purchase.enabled") + " input[type=checkbox]").uncheck()
    set_number(page, "#scenario-name", "no_purchase")
    page.wait_for_selector(f"[id='{dash_id(type='row', path='policy.purchase.enabled')}'].changed")
    page.click("#run-btn")
    wait_for_run(page, "no_purchase")
    after = means_of(page, "fig-urban", "no_purchase", "hukou_urbanization_rate")
    base = means_of(page, "fig-urban", "tieling_reform_2020", "hukou_urbanization_rate")
    assert base == before
    assert after[0] == before[0]                             # same base year, same seeds
    assert after[-1] < before[-1]                            # fewer settle without the pathway
    assert run_labels(page) == ["tieling_reform_2020", "no_purchase"]
    # every view draws both runs; the difference view draws the variant against the baseline
    open_tab(page, "settle")
    page.wait_for_selector("#fig-settle-pathway .js-plotly-plot")
    runs = {t["meta"]["run"] for t in traces(page, "fig-settle-pathway")}
    assert len(runs) == 2
    open_tab(page, "map")
    page.wait_for_selector("#fig-map .js-plotly-plot")
    maps = traces(page, "fig-map")
    assert len(maps) == 2 and all(len(t["z"]) == 7 for t in maps)
    shot(page, "map")
    page.get_by_text("与基准之差").click()
    page.wait_for_function("() => { const gd = document.querySelector('#fig-map .js-plotly-plot');"
                           " return gd && gd._fullData.length === 1 }", timeout=TIMEOUT_MS)
    open_tab(page, "urban")
    wait_for_run(page, "no_purchase")
    diff = means_of(page, "fig-urban", "no_purchase", "hukou_urbanization_rate")
    assert diff[-1] == pytest.approx(after[-1] - before[-1], abs=1e-9)
    shot(page, "compare")


def test_switching_language_changes_labels(page):
    lever = next(lv for lv in sim.LEVERS if lv.path == "policy.graduates.settlement")
    label = page.locator(f"[id='{dash_id(type='t', key='lever:' + lever.path)}']")
    assert label.text_content() == lever.zh
    assert page.locator("#run-btn").inner_text() == "运行并加入比较"
    page.get_by_text("English", exact=True).click()
    page.wait_for_function("() => document.querySelector('#run-btn').innerText === 'Run and add to comparison'")
    assert label.text_content() == lever.en
    assert page.locator("#tab-urban").inner_text() == "Urbanization"
    assert page.locator("#area").inner_text().startswith("Tieling City (铁岭市)")
    small_run_settings(page, end_year=2022, replicates=1)
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")
    assert fig_title(page, "fig-urban").startswith("Resident and hukou urbanization rates")
    shot(page, "english")
    page.get_by_text("中文", exact=True).click()
    page.wait_for_function("() => document.querySelector('#run-btn').innerText === '运行并加入比较'")
    page.wait_for_function("() => { const gd = document.querySelector('#fig-urban .js-plotly-plot');"
                           " return gd && gd._fullLayout.title.text.startsWith('常住人口与户籍人口城镇化率') }",
                           timeout=TIMEOUT_MS)
    assert label.text_content() == lever.zh


def test_uploading_a_bad_scenario_shows_the_field(page):
    upload = "#upload input[type=file]"
    bad = b"name: bad_upload\npolicy:\n  graduates:\n    settlement: sometimes\n"
    page.set_input_files(upload, files=[{"name": "bad.yaml", "mimeType": "text/yaml", "buffer": bad}])
    msg = page.locator("#upload-message .problems")
    msg.wait_for(timeout=TIMEOUT_MS)
    text = msg.inner_text()
    assert "bad.yaml:4: policy.graduates.settlement" in text and "sometimes" in text
    assert "高校毕业生落户" in text                     # the lever's label beside its path
    big = b"# padding\n" * 30_000
    page.set_input_files(upload, files=[{"name": "big.yaml", "mimeType": "text/yaml", "buffer": big}])
    page.wait_for_function("() => { const t = document.querySelector('#upload-message').innerText;"
                           " return t.includes('文件超过 256 KB') && t.includes('big.yaml'); }")
    good = (SCENARIOS / "baseline_pre_reform.yaml").read_bytes().replace(
        b"name: baseline_pre_reform", b"name: uploaded_variant")
    page.set_input_files(upload, files=[{"name": "variant.yaml", "mimeType": "text/yaml", "buffer": good}])
    page.wait_for_function("() => document.querySelector('#scenario-name').value === 'uploaded_variant'",
                           timeout=TIMEOUT_MS)
    assert page.locator(lever_selector("policy.settlement.residence_years_required")).input_value() == "5"
    shot(page, "upload")


def chosen_in_library(p, name: str) -> None:
    """Until the library dropdown shows `name` as this session's scenario, chosen."""
    want = f"{name} · 本次会话"       # (innerText shows the label's double spaces as one)
    try:
        p.wait_for_function("(w) => (document.querySelector('#library')?.innerText || '').includes(w)", arg=want,
                            timeout=TIMEOUT_MS)
    except sync_api.TimeoutError:
        state = p.evaluate("() => ['#library', '#library-message', '#upload-message', '#scenario-name']"
                           ".map(s => { const e = document.querySelector(s); return e && (e.value ?? e.innerText); })")
        raise AssertionError(f"{want!r} not chosen: {state!r}; screenshot {shot(p, 'not-chosen')}") from None


def test_an_uploaded_or_saved_scenario_is_chosen_in_the_library(page):
    """Uploading a file and saving the edited scenario to the session both choose it in the
    dropdown (whose options arrive with it) and load it into the controls."""
    good = (SCENARIOS / "baseline_pre_reform.yaml").read_bytes().replace(
        b"name: baseline_pre_reform", b"name: chosen_upload")
    page.set_input_files("#upload input[type=file]",
                         files=[{"name": "chosen.yaml", "mimeType": "text/yaml", "buffer": good}])
    chosen_in_library(page, "chosen_upload")
    page.wait_for_function("() => document.querySelector('#scenario-name').value === 'chosen_upload'",
                           timeout=TIMEOUT_MS)
    lever = "policy.settlement.residence_years_required"
    reveal(page, lever)
    page.wait_for_selector("#controls:not(.busy)", timeout=TIMEOUT_MS)     # the upload has loaded
    assert page.locator(lever_selector(lever)).input_value() == "5"
    set_number(page, lever_selector(lever), 3)
    set_number(page, "#scenario-name", "chosen_saved")
    page.wait_for_selector(f"[id='{dash_id(type='row', path=lever)}'].changed", timeout=TIMEOUT_MS)
    page.click("#save-btn")
    page.wait_for_function("() => document.querySelector('#library-message').innerText.includes('已存入情景库')",
                           timeout=TIMEOUT_MS)
    assert "chosen_saved" in page.locator("#library-message").inner_text()
    chosen_in_library(page, "chosen_saved")
    # the saved scenario is now the one the levers are compared with: nothing differs from it
    page.wait_for_selector(f"[id='{dash_id(type='row', path=lever)}']:not(.changed)", timeout=TIMEOUT_MS)
    assert page.locator(lever_selector(lever)).input_value() == "3"
    page.click("#library")
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert any(o.startswith("chosen_upload") for o in options) and any(o.startswith("chosen_saved") for o in options)


def test_downloads(page, tmp_path):
    with page.expect_download() as d:
        page.click("#yaml-btn")
    path = tmp_path / d.value.suggested_filename
    d.value.save_as(path)
    assert sim.load_scenario(path).name == "tieling_reform_2020"
    small_run_settings(page, end_year=2022, replicates=1)
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")
    with page.expect_download() as d:
        page.click("#csv-btn")
    csv = tmp_path / d.value.suggested_filename
    d.value.save_as(csv)
    import pandas as pd
    df = pd.read_csv(csv, encoding="utf-8-sig", dtype={"county": str})
    assert {"scenario", "replicate", "seed", "year", "county", "county_name", "outcome", "value"} <= set(df.columns)
    assert set(df.year) == {2020, 2021, 2022}
    with page.expect_download() as d:
        page.click("#parquet-btn")
    pq = tmp_path / d.value.suggested_filename
    d.value.save_as(pq)
    assert len(pd.read_parquet(pq)) == len(df)


def test_cancel_stops_a_run(page):
    pick(page, "#scale", "0.05 (5%)")
    page.click("#run-btn")
    page.wait_for_function("() => document.querySelector('#run-btn').disabled", timeout=TIMEOUT_MS)
    assert page.locator("#progress-wrap").is_visible()
    # progress arrives once the job is known to the page; cancel then stops that job
    page.wait_for_function("() => document.querySelector('#run-progress-text').innerText !== ''", timeout=TIMEOUT_MS)
    assert page.locator("#run-btn").is_disabled() and page.locator("#save-btn").is_disabled()
    page.click("#cancel-btn")
    page.wait_for_function("() => !document.querySelector('#run-btn').disabled", timeout=TIMEOUT_MS)
    time.sleep(1)
    assert run_labels(page) == []


def test_two_sessions_keep_their_own_results(browser, playwright, server, tmp_path):
    """Two people (two browser profiles) run different scenarios at the same time."""
    other = launch(playwright, tmp_path / "other-profile")
    try:
        a, b = browser.new_page(), other.new_page()
        for p, name in ((a, "session_a"), (b, "session_b")):
            open_dashboard(p, server)
            small_run_settings(p, end_year=2022, replicates=1)
            set_number(p, "#scenario-name", name)
        set_number(b, lever_selector("policy.settlement.residence_years_required"), 9)
        a.click("#run-btn")
        b.click("#run-btn")                                  # both run at the same time
        wait_for_run(a, "session_a")
        wait_for_run(b, "session_b")
        for p, mine in ((a, "session_a"), (b, "session_b")):
            assert {t["name"].split(" · ")[0] for t in run_traces(p, "fig-urban")} == {mine}
            assert run_labels(p) == [mine]
        assert {t["meta"]["run"] for t in run_traces(a, "fig-urban")}.isdisjoint(
            {t["meta"]["run"] for t in run_traces(b, "fig-urban")})
        b.reload()                                           # a session's runs survive a reload, still its own
        wait_for_run(b, "session_b")
        assert run_labels(b) == ["session_b"]
        a.close()
    finally:
        other.close()


def test_at_most_four_scenarios_and_removing_one(page):
    small_run_settings(page, end_year=2021, replicates=1)
    for i in range(4):
        set_number(page, "#scenario-name", f"run_{i}")
        page.click("#run-btn")
        wait_for_run(page, f"run_{i}")
    set_number(page, "#scenario-name", "run_4")
    page.click("#run-btn")
    page.wait_for_function("() => document.querySelector('#run-message').innerText.includes('最多比较 4 个情景')",
                           timeout=TIMEOUT_MS)
    assert run_labels(page) == ["run_0", "run_1", "run_2", "run_3"]
    page.click(f"[id='{dash_id(type='run-remove', key=run_key(page, 'run_1'))}']")
    page.wait_for_function("() => document.querySelectorAll('#runs-list .run-label').length === 3")
    assert run_labels(page) == ["run_0", "run_2", "run_3"]
    page.wait_for_function("() => { const gd = document.querySelector('#fig-urban .js-plotly-plot');"
                           " return gd && !gd._fullData.some(t => t.name.startsWith('run_1')) }", timeout=TIMEOUT_MS)
    assert {t["name"] for t in traces(page, "fig-urban") if t["meta"]["outcome"] == "urbanization_gap"} == \
        {"run_0", "run_2", "run_3"}


def run_key(p, label: str) -> str:
    return next(t["meta"]["run"] for t in traces(p, "fig-urban") if t["name"].split(" · ")[0] == label)


def test_time_from_click_to_figures_at_the_default_scale(page):
    """Median of 5 clicks at the default scale, replicates and horizon."""
    assert page.locator("#replicates").input_value() == str(DEFAULT_REPLICATES)
    times, model = [], []
    for _ in range(5):
        page.click("#clear-btn")
        page.wait_for_selector("#fig-urban", state="detached")
        start = time.perf_counter()
        page.click("#run-btn")
        wait_for_run(page, "tieling_reform_2020")
        times.append(time.perf_counter() - start)
        # the run's own time (sim.run of every replicate in the worker), shown in its chip
        model.append(float(page.locator("#runs-list .run-meta").inner_text().split(" · ")[3].split()[0]))
    median = statistics.median(times)
    line = (f"click-to-figures at scale {DEFAULT_SCALE}, {DEFAULT_REPLICATES} replicates, 2020-"
            f"{page.locator('#end-year').input_value()}: median {median:.2f} s "
            f"(clicks: {', '.join(f'{t:.2f}' for t in times)}; of which the model: median "
            f"{statistics.median(model):.2f} s)")
    print("\n" + line)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "dashboard-timing.txt").write_text(line + "\n", encoding="utf-8")
    shot(page, "default-run")
    assert median < 60


# --- a planning office: many sessions, lost runs, wrong uploads ------------------------------------

SESSIONS = 8


def test_many_simultaneous_sessions_all_get_their_own_results(browser, server):
    """SESSIONS tabs (each its own session) press Run within a second of each other: every one ends
    with its own run plotted and Run usable again; no 500 in the server's log."""
    pages = []
    try:
        for i in range(SESSIONS):
            p = browser.new_page()
            open_dashboard(p, server)
            small_run_settings(p, end_year=2022, replicates=1)
            set_number(p, "#scenario-name", f"office_{i}")
            pages.append(p)
        for p in pages:
            p.click("#run-btn")
        for i, p in enumerate(pages):
            p.bring_to_front()   # a background tab does not draw its figures
            wait_for_run(p, f"office_{i}")
            p.wait_for_function("() => !document.querySelector('#run-btn').disabled", timeout=TIMEOUT_MS)
            assert run_labels(p) == [f"office_{i}"]
            assert {t["name"].split(" · ")[0] for t in run_traces(p, "fig-urban")} == {f"office_{i}"}
        log = server.log.read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in log and '" 500 ' not in log, log[-3000:]
    finally:
        for p in pages:
            p.close()


def run_processes(server_pid: int) -> list:
    """The run processes: children of the launcher, the server's child that forks them."""
    import psutil
    return [c for launcher in psutil.Process(server_pid).children() for c in launcher.children()]


def test_a_killed_run_process_gives_a_message_and_a_usable_page(page, server):
    pick(page, "#scale", "0.05 (5%)")
    page.click("#run-btn")
    page.wait_for_function("() => document.querySelector('#run-progress-text').innerText !== ''", timeout=TIMEOUT_MS)
    procs = run_processes(server.pid)
    assert procs, "no run process found"
    for proc in procs:
        os.kill(proc.pid, signal.SIGKILL)
    page.wait_for_function("() => !document.querySelector('#run-btn').disabled", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector('#run-message').innerText.includes('运行进程意外结束')",
                           timeout=TIMEOUT_MS)
    assert run_labels(page) == []
    small_run_settings(page, end_year=2021, replicates=1)   # and the next run works
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")


@pytest.mark.parametrize("name, size, words", [
    # twice the server's request limit (8 MB; a 20 MB file behaves the same and takes 50 s to hand over)
    ("huge.yaml", 8 * 1024 * 1024, ["文件超过 256 KB", "huge.yaml", "8,388,608"]),
    ("map.png", 2000, ["只接受 .yaml 或 .yml", "map.png"]),
    ("table.csv", 2000, ["只接受 .yaml 或 .yml", "table.csv"]),
])
def test_wrong_uploads_show_a_message(page, server, name, size, words):
    """A file over the server's request limit (4 MB) used to be refused with HTTP 413 and nothing
    on the page; the browser now refuses it with a message. A picture or a table gets one too."""
    body = (b"# padding\n" * (size // 10 + 1))[:size]
    page.set_input_files("#upload input[type=file]", files=[{"name": name, "mimeType": "text/plain", "buffer": body}])
    page.wait_for_function("(words) => { const t = document.querySelector('#upload-message').innerText;"
                           " return words.every(w => t.includes(w)); }", arg=words, timeout=TIMEOUT_MS)
    assert '" 413 ' not in server.log.read_text(encoding="utf-8", errors="replace")


# --- the Chinese view, statuses that follow the language, the lever search ------------------------

VISIBLE_TEXT_JS = """() => document.body.innerText + '\\n'
    + [...document.querySelectorAll('svg text')].map(t => t.textContent).join('\\n')"""


def strays(p) -> list[str]:
    from .chinese_view import stray_words
    return sorted(set(stray_words(p.evaluate(VISIBLE_TEXT_JS))))


def open_every_section(p) -> None:
    p.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def test_the_chinese_view_has_no_english_words(page):
    """Every lever group, the advanced parameters, problems, statuses and every tab in both modes."""
    open_every_section(page)
    assert strays(page) == [], "English in the lever panel"
    # a problem typed into the controls: an invalid name
    set_number(page, "#scenario-name", "名 称")
    page.locator("#draft-problems .problems").wait_for(timeout=TIMEOUT_MS)
    assert "name" in page.locator("#draft-problems").inner_text() and strays(page) == []
    # two runs, the second with a Chinese name and without the purchase pathway
    small_run_settings(page, end_year=2022, replicates=2)
    set_number(page, "#scenario-name", "tieling_reform_2020")
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")
    page.locator(lever_selector("policy.purchase.enabled") + " input[type=checkbox]").uncheck()
    set_number(page, "#scenario-name", "无购房方案")
    page.click("#run-btn")
    wait_for_run(page, "无购房方案")
    found = {}
    for mode in ("水平值", "与基准之差"):
        page.get_by_text(mode, exact=True).click()
        for view, block in (("urban", "fig-urban"), ("population", "fig-population"),
                            ("counties", "fig-counties"), ("settle", "fig-settle-pathway"),
                            ("permits", "fig-permits"), ("schools", "fig-schools"), ("housing", "fig-housing"),
                            ("money", "fig-money"), ("statistics", "fig-statistics"), ("map", "fig-map"),
                            ("explore", "fig-explore"), ("table", "summary-table")):
            open_tab(page, view)
            page.wait_for_selector(f"#{block}" + (" .js-plotly-plot .main-svg" if block.startswith("fig") else " td"),
                                   timeout=TIMEOUT_MS)
            page.wait_for_timeout(300)
            if strays(page):
                found[(mode, view)] = strays(page)
    shot(page, "chinese-table")
    assert found == {}


def test_switching_language_updates_every_status(page):
    good = (SCENARIOS / "reform_without_purchase.yaml").read_bytes().replace(
        b"name: reform_without_purchase", "name: 铁岭_无购房".encode())
    page.set_input_files("#upload input[type=file]",
                         files=[{"name": "铁岭_无购房.yaml", "mimeType": "text/yaml", "buffer": good}])
    page.wait_for_function("() => document.querySelector('#scenario-name').value === '铁岭_无购房'",
                           timeout=TIMEOUT_MS)
    small_run_settings(page, end_year=2021, replicates=1)
    page.click("#save-btn")
    page.click("#run-btn")
    wait_for_run(page, "铁岭_无购房")
    set_number(page, lever_selector("policy.settlement.residence_years_required"), 99)
    areas = {"#upload-message": ("已上传并通过校验", "Uploaded and validated"),
             "#library-message": ("已存入情景库", "Saved to the library"),
             "#run-message": ("运行完成：铁岭_无购房", "Finished: 铁岭_无购房"),
             "#draft-problems": ("应为", "expected")}
    page.locator("#draft-problems .problems").wait_for(timeout=TIMEOUT_MS)
    for sel, (zh, _) in areas.items():
        assert zh in page.locator(sel).inner_text(), sel
    page.get_by_text("English", exact=True).click()
    for sel, (zh, en) in areas.items():
        page.wait_for_function("([s, t]) => document.querySelector(s).innerText.includes(t)", arg=[sel, en],
                               timeout=TIMEOUT_MS)
        assert zh not in page.locator(sel).inner_text(), sel
    page.get_by_text("中文", exact=True).click()
    page.wait_for_function("() => document.querySelector('#run-message').innerText.includes('运行完成')",
                           timeout=TIMEOUT_MS)
    shot(page, "status-zh")


def test_cancel_replaces_the_last_status(page):
    small_run_settings(page, end_year=2021, replicates=1)
    page.click("#run-btn")
    wait_for_run(page, "tieling_reform_2020")
    assert "运行完成" in page.locator("#run-message").inner_text()
    pick(page, "#scale", "0.05 (5%)")
    set_number(page, "#end-year", 2035)
    page.click("#run-btn")
    page.wait_for_function("() => document.querySelector('#run-progress-text').innerText.includes('约剩')",
                           timeout=TIMEOUT_MS)
    assert not page.locator("#run-message").is_visible()          # the last run's status is hidden meanwhile
    page.click("#cancel-btn")
    try:
        page.wait_for_function("() => document.querySelector('#run-message').innerText.includes('已取消')",
                               timeout=TIMEOUT_MS)
    except sync_api.TimeoutError:
        raise AssertionError(f"run message after cancel: {page.locator('#run-message').inner_text()!r}, "
                             f"screenshot {shot(page, 'cancel')}") from None
    assert "运行完成" not in page.locator("#run-message").inner_text()


def test_the_lever_panel_can_be_searched(page):
    rows = "#controls .lever, #controls .param"
    total = page.locator(rows).count()
    page.fill("#lever-search", "购房")
    page.wait_for_function("() => document.querySelector('#lever-search-count').innerText.includes('项匹配')")
    shown = page.evaluate(f"() => [...document.querySelectorAll('{rows}')].filter(r => r.offsetParent)"
                          ".map(r => r.innerText)")
    assert 0 < len(shown) < total / 5
    assert all("购房" in t or "房" in t for t in shown) or len(shown) >= 3
    assert page.locator(lever_selector("policy.purchase.enabled")).is_visible()
    page.fill("#lever-search", "")
    page.click("#collapse-btn")
    page.wait_for_function("() => [...document.querySelectorAll('#controls details')].every(d => !d.open)")


def test_a_runs_yaml_is_what_ran(page, tmp_path):
    small_run_settings(page, end_year=2021, replicates=2)
    for _ in range(2):
        page.click("#run-btn")
        page.wait_for_timeout(200)
        page.wait_for_function("() => !document.querySelector('#run-btn').disabled", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.querySelectorAll('#runs-list .run-label').length === 2",
                           timeout=TIMEOUT_MS)
    assert run_labels(page) == ["tieling_reform_2020", "tieling_reform_2020-2"]
    with page.expect_download() as d:
        page.locator("#runs-list .run-chip").nth(1).get_by_role("button", name="YAML").click()
    path = tmp_path / d.value.suggested_filename
    d.value.save_as(path)
    sc = sim.load_scenario(path)
    from dashboard.data import REPLICATE_SEED
    from sim import replicate_seeds
    assert (path.name, sc.name, sc.scale, sc.seed, sc.end_year) == (
        "tieling_reform_2020-2.yaml", "tieling_reform_2020-2", float(SMALL_SCALE), replicate_seeds(REPLICATE_SEED, 2)[0], 2021)
