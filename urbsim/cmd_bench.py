"""`urbsim bench`: speed and memory of the simulator on this machine (experiments/bench.py).

    urbsim bench            # a table of the figures
    urbsim bench --json     # progress on stderr; the last line of stdout is one JSON object
    urbsim bench --crn      # common random numbers: paired vs independent differences (experiments/crn.py)
    urbsim bench --power    # replicates a difference needs; rewrites docs/tables/power.csv and its
                            # table in docs/sweeps.md (experiments/power.py)
    urbsim bench --dashboard [--replicates 1,2,3,4] [--clicks 5] [--workers N]
                            # click-to-figure of the dashboard in headless Chromium
                            # (experiments/dashboard_bench.py), scale x replicates

Added to the `urbsim` app by `register(app)`; `make bench` runs it. It takes a few minutes:
three full-city runs, three each at 10% and 1%, a 40-run sweep and the reference comparison.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import typer
from rich.table import Table

from urbsim.ui import console, err, fail, run_alone


def _numbers(text: str, kind: type, name: str) -> tuple:
    try:
        values = tuple(kind(v) for v in text.split(",") if v.strip())
    except ValueError:
        fail(f"{name}: expected comma-separated numbers, found {text!r}")
    if not values or any(v <= 0 for v in values):
        fail(f"{name}: expected positive numbers, found {text!r}")
    return values


def bench(
    json_out: bool = typer.Option(False, "--json", help="print the figures as one JSON object (last line of stdout)"),
    scenario: Path = typer.Option(None, help="scenario file (default scenarios/tieling_reform_2020.yaml)"),
    repeats: int = typer.Option(3, min=1, help="runs per scale (the median is reported)"),
    scales: str = typer.Option(None, hidden=True, help="scales to run (default 1.0,0.1,0.01; with --dashboard "
                                                       "0.005,0.01,0.02)"),
    sweep_runs: int = typer.Option(40, min=0, hidden=True, help="runs in the throughput sweep (0: skip)"),
    households: str = typer.Option("10000,100000", hidden=True, help="household counts for the reference ratio"),
    crn: bool = typer.Option(False, "--crn", help="instead: paired vs independent differences, reform vs "
                                                   "pre-reform rules (scale 0.05, 8 seeds, 2035)"),
    power: bool = typer.Option(False, "--power", help="instead: replicates a difference needs at scales 0.01, "
                                                       "0.05, 0.1; rewrites docs/tables/power.csv and docs/sweeps.md"),
    seeds: int = typer.Option(8, min=3, help="seeds for --crn and --power"),
    dashboard: bool = typer.Option(False, "--dashboard", help="time click-to-figure in the dashboard instead "
                                                              "(headless Chromium), per scale and replicates"),
    replicates: str = typer.Option("1,2,3,4", help="with --dashboard: numbers of replicates to time"),
    clicks: int = typer.Option(5, min=1, help="with --dashboard: timed clicks per cell (the median is reported)"),
    workers: int = typer.Option(None, min=0, help="with --dashboard: replicate pool size (default: one per core)"),
    end_year: int = typer.Option(None, hidden=True, help="with --dashboard: last simulated year"),
) -> None:
    """Time the full city, 10% and 1% runs, sweep throughput and the engine vs the Mesa reference;
    or, with --dashboard, the dashboard's click-to-figure; with --crn or --power, seed noise."""
    if crn and power:
        fail("--crn and --power: expected one of them, found both")
    if crn or power:
        return _noise(crn, seeds, json_out)
    if dashboard:
        return dashboard_bench(json_out, _numbers(scales or "0.005,0.01,0.02", float, "--scales"),
                               _numbers(replicates, int, "--replicates"), clicks, workers, end_year)
    from experiments.bench import DEFAULT_SCENARIO, BenchOptions, run_bench

    path = scenario or DEFAULT_SCENARIO
    if not path.is_file():
        fail(f"{path}: file not found")
    options = BenchOptions(scenario=path, scales=_numbers(scales or "1.0,0.1,0.01", float, "--scales"),
                           repeats=repeats, sweep_runs=sweep_runs, households=_numbers(households, int, "--households"))
    try:
        report = run_bench(options, say=lambda line: err.print(line, highlight=False, markup=False))
    except RuntimeError as e:
        fail(str(e).splitlines())
    summary = report.summary()
    if json_out:
        print(json.dumps(summary, ensure_ascii=False))
        return
    table = Table(title=f"urbsim bench ({path.name}; median of {repeats})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if key != "machine":
            table.add_row(key, str(value))
    console.print(table)
    print_machine(summary["machine"])


def print_machine(m: dict) -> None:
    console.print(f"machine: {m['cpus']} CPUs, {m['cpu_model']}, {m['memory_gb']} GB; Python {m['python']}, "
                  f"numpy {m['numpy']}")


def _noise(crn: bool, seeds: int, json_out: bool) -> None:
    """`--crn` (experiments/crn.py) or `--power` (experiments/power.py)."""
    say = lambda line: err.print(line, highlight=False, markup=False)   # noqa: E731
    if crn:
        from experiments.crn import crn_report
        report = crn_report(seeds=seeds, say=say)
        table = report.table
        say("persons switched to town hukou by the reform alone, by seed (experiments/crn.py):")
        say(report.switched.to_string())
    else:
        from experiments.power import TABLE, measure, write
        table = measure(seeds=seeds, say=say)
        write(table)
        say(f"written: {TABLE.relative_to(TABLE.parents[2])} and its table in docs/sweeps.md")
    if json_out:
        print(table.to_json(orient="records", force_ascii=False))
    else:
        console.print(table.to_string(index=False), highlight=False, markup=False)


def dashboard_bench(json_out: bool, scales: tuple, replicates: tuple, clicks: int, workers: int | None,
                    end_year: int | None) -> None:
    """`urbsim bench --dashboard`: the table of click-to-figure medians (experiments/dashboard_bench.py)."""
    from experiments.bench import machine
    from experiments.dashboard_bench import CHROMIUM, DashboardBenchOptions, markdown_table, run_dashboard_bench

    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        fail("urbsim bench --dashboard: needs Playwright (pip install -e '.[dev]') and Chromium")
    if not Path(CHROMIUM).exists():
        fail(f"urbsim bench --dashboard: Chromium not found at {CHROMIUM} (apt-get install chromium)")
    options = DashboardBenchOptions(scales=scales, replicates=replicates, clicks=clicks, workers=workers,
                                    end_year=end_year)
    load_before = os.getloadavg()[0]   # the machine may be shared: say how busy it was
    try:
        cells = run_dashboard_bench(options, say=lambda line: err.print(line, highlight=False, markup=False))
    except RuntimeError as e:
        fail(str(e).splitlines())
    summary = {"click_to_figure": [c.summary() for c in cells], "clicks": clicks, "workers": workers,
               "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)], "machine": machine()}
    if json_out:
        print(json.dumps(summary, ensure_ascii=False))
        return
    console.print(f"click-to-figure, median of {clicks} clicks (the run's own time in brackets):")
    console.print(markdown_table(cells), highlight=False, markup=False)
    print_machine(summary["machine"])
    console.print(f"load average (1 min) at the start and the end: {summary['load_average_1min']}")


def register(app: typer.Typer) -> None:
    """Add `bench` to the `urbsim` app."""
    app.command("bench")(bench)


def main() -> None:
    run_alone(register, "Speed and memory benchmark.")


if __name__ == "__main__":
    main()
