"""`urbsim bench --dashboard` with a tiny option set: it drives the real dashboard in headless
Chromium and gives one cell per (scale, replicates) asked for (keys and counts, not timings)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from experiments.dashboard_bench import CHROMIUM, Cell, markdown_table
from urbsim import cmd_bench

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not installed", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


def test_bench_dashboard_times_each_cell_in_the_real_app():
    app = typer.Typer()
    cmd_bench.register(app)
    result = CliRunner().invoke(app, ["--dashboard", "--json", "--scales", "0.005", "--replicates", "1,2",
                                      "--clicks", "2", "--end-year", "2021", "--workers", "2"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    cells = figures["click_to_figure"]
    assert [(c["scale"], c["replicates"]) for c in cells] == [(0.005, 1), (0.005, 2)]
    for c in cells:
        assert c["clicks"] == 2
        # the figure comes after the run it draws
        assert 0 < c["run_median_seconds"] < c["median_seconds"] and c["min_seconds"] <= c["max_seconds"]
    assert figures["workers"] == 2 and figures["machine"]["cpus"] >= 1


def test_the_table_has_a_row_per_scale_and_a_column_per_replicates():
    cells = [Cell(0.01, 1, [1.0, 2.0, 3.0], [0.5, 0.5, 0.6]), Cell(0.01, 3, [2.5], [1.5]), Cell(0.02, 1, [4.0], [3.0])]
    lines = markdown_table(cells).splitlines()
    assert lines[0] == "| scale | 1 replicate | 3 replicates |"
    assert lines[2] == "| 0.01 (1%) | 2.00 s (0.50) | 2.50 s (1.50) |"
    assert lines[3] == "| 0.02 (2%) | 4.00 s (3.00) |  |"
