"""Click-to-figure of the dashboard (`urbsim bench --dashboard`): the seconds from a click on
*Run* to the figure drawing the run, in the real app, for each sample scale and number of
replicates asked for.

It starts the dashboard (`python -m dashboard`, its own job cache, the replicate pool of
`workers` processes) on a free local port and drives it with headless Chromium through
Playwright, as a planner would: choose the scale and replicates, clear the comparison, click
*Run*, and stop the clock when the urbanization figure plots the run's mean line
(`gd._fullData`, as tests/test_dashboard_browser.py reads it). The first click of each cell is a
warm-up (the workers build that scale's populations) and is reported apart; then `clicks`
clicks, of which the median is reported, with the run's own time (the replicates in the run's
process, shown in its chip) beside it.

docs/dashboard.md records the table and the machine; docs/decisions.md the defaults chosen from it.
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
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TIMEOUT_MS = 120_000
SCENARIO = "tieling_reform_2020"       # the library's default scenario, selected when the page opens
DRAWN_JS = """(label) => { const gd = document.querySelector('#fig-urban .js-plotly-plot');
    return !!gd && !!gd._fullData && gd._fullData.some(t => t.meta && t.meta.kind === 'mean'
           && t.name.split(' · ')[0] === label); }"""


@dataclass(frozen=True)
class DashboardBenchOptions:
    scales: tuple[float, ...] = (0.005, 0.01, 0.02)
    replicates: tuple[int, ...] = (1, 2, 3, 4)
    clicks: int = 5
    workers: int | None = None          # the replicate pool (None: one per core; 0: no pool)
    end_year: int | None = None         # None: the scenario's own (2035)


@dataclass
class Cell:
    scale: float
    replicates: int
    seconds: list[float] = field(default_factory=list)     # click to figure, after the warm-up
    run_seconds: list[float] = field(default_factory=list)  # the run's own time (its chip)
    first_seconds: float = 0.0                              # the warm-up click

    def summary(self) -> dict:
        return {"scale": self.scale, "replicates": self.replicates,
                "median_seconds": round(statistics.median(self.seconds), 2),
                "min_seconds": round(min(self.seconds), 2), "max_seconds": round(max(self.seconds), 2),
                "run_median_seconds": round(statistics.median(self.run_seconds), 2),
                "first_click_seconds": round(self.first_seconds, 2), "clicks": len(self.seconds)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The dashboard in a subprocess on a free port, with its own cache folder; a context manager."""

    def __init__(self, workers: int | None):
        self.workers = workers

    def __enter__(self) -> str:
        self.cache = tempfile.mkdtemp(prefix="urbsim-dash-bench-")
        port = free_port()
        cmd = [sys.executable, "-m", "dashboard", "--port", str(port), "--cache-dir", self.cache,
               "--scenarios", str(ROOT / "scenarios")]
        if self.workers is not None:
            cmd += ["--workers", str(self.workers)]
        self.log = open(Path(self.cache) / "server.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=ROOT,
                                     start_new_session=True)
        self.url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return self.url
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("the dashboard did not start")
            time.sleep(0.3)

    def __exit__(self, *_exc) -> None:
        try:   # the server, its launcher, runs and replicate pool share its process group
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()
        shutil.rmtree(self.cache, ignore_errors=True)


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(url)
    page.wait_for_selector("#scenario-name", timeout=TIMEOUT_MS)
    page.wait_for_function("() => document.querySelector('#scenario-name').value !== ''", timeout=TIMEOUT_MS)
    return page


def choose(page, scale: float, replicates: int) -> None:
    page.click("#scale")
    page.get_by_role("option", name=f"{scale:g} ({scale * 100:g}%)", exact=True).click()
    page.fill("#replicates", str(replicates))
    page.press("#replicates", "Tab")


def set_end_year(page, year: int) -> None:
    page.fill("#end-year", str(year))
    page.press("#end-year", "Tab")
    page.click("#run-btn")        # (a changed year would re-run on its own; this run is not timed)
    page.wait_for_function(DRAWN_JS, arg=SCENARIO, timeout=TIMEOUT_MS)


def click_to_figure(page) -> tuple[float, float]:
    """(seconds from the click on Run to the run's line in the figure, the run's own seconds)."""
    page.click("#clear-btn")
    page.wait_for_selector("#fig-urban", state="detached", timeout=TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('#run-btn').disabled", timeout=TIMEOUT_MS)
    start = time.perf_counter()
    page.click("#run-btn")
    page.wait_for_function(DRAWN_JS, arg=SCENARIO, timeout=TIMEOUT_MS, polling="raf")
    seconds = time.perf_counter() - start
    runs = json.loads(page.evaluate("() => sessionStorage.getItem('runs')") or "[]")
    return seconds, float(runs[-1]["wall_s"])


def run_dashboard_bench(options: DashboardBenchOptions, say: Callable[[str], None] = lambda s: None) -> list[Cell]:
    """Every (scale, replicates) cell of `options`, measured in one dashboard and one browser."""
    from playwright.sync_api import sync_playwright

    cells = []
    with Server(options.workers) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
        try:
            page = open_page(browser, url)
            if options.end_year is not None:
                set_end_year(page, options.end_year)
            for scale in options.scales:
                for n in options.replicates:
                    choose(page, scale, n)
                    cell = Cell(scale, n, first_seconds=click_to_figure(page)[0])
                    for _ in range(options.clicks):
                        seconds, run_seconds = click_to_figure(page)
                        cell.seconds.append(seconds)
                        cell.run_seconds.append(run_seconds)
                    cells.append(cell)
                    s = cell.summary()
                    say(f"scale {scale:g}, {n} replicate(s): median {s['median_seconds']:.2f} s "
                        f"(run {s['run_median_seconds']:.2f} s; first click {s['first_click_seconds']:.2f} s)")
        finally:
            browser.close()
    return cells


def markdown_table(cells: list[Cell]) -> str:
    """Scale x replicates -> median click-to-figure seconds (the run's own seconds in brackets)."""
    scales = sorted({c.scale for c in cells})
    reps = sorted({c.replicates for c in cells})
    by = {(c.scale, c.replicates): c.summary() for c in cells}
    lines = ["| scale | " + " | ".join(f"{n} replicate{'s' if n > 1 else ''}" for n in reps) + " |",
             "|---|" + "---|" * len(reps)]
    for s in scales:
        row = [f"{by[s, n]['median_seconds']:.2f} s ({by[s, n]['run_median_seconds']:.2f})" if (s, n) in by else ""
               for n in reps]
        lines.append(f"| {s:g} ({s * 100:g}%) | " + " | ".join(row) + " |")
    return "\n".join(lines)
