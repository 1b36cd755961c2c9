"""`urbsim`: run, compare and validate scenarios; sweeps, calibration, the dashboard, the benchmark.

Errors are one clear message per problem and exit code 2; nothing is half-written.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich.table import Table

from sim import ScenarioError, headline, load_scenario, parse_override, run as run_scenario, with_overrides
from urbsim.ui import console, fail, progress_bar

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Tieling urbanization simulator (铁岭城镇化与户籍改革模拟).")
# Modules that add their own commands with `register(app)`.
COMMAND_MODULES: tuple[str, ...] = ("urbsim.cmd_sweep", "urbsim.cmd_dashboard", "urbsim.cmd_bench",
                                    "urbsim.cmd_calibrate", "urbsim.cmd_scorecard")


def load_with(path: Path, scale: Optional[float], seed: Optional[int], end_year: Optional[int],
              sets: Optional[list[str]]):
    """Load a scenario and apply command-line overrides, or exit 2 with the problems."""
    try:
        sc = load_scenario(path)
        over = dict(parse_override(s) for s in (sets or []))
        for key, value in (("scale", scale), ("seed", seed), ("end_year", end_year)):
            if value is not None:
                over[key] = value
        return with_overrides(sc, over) if over else sc
    except ScenarioError as e:
        fail(e.problems)


def run_with_progress(sc, label: str):
    with progress_bar() as bar:
        task = bar.add_task(label, total=sc.end_year - sc.base_year)
        return run_scenario(sc, progress=lambda done, total: bar.update(task, completed=done))


def print_headline(table, title: str) -> None:
    t = Table(title=title)
    t.add_column(str(table.index.name or ""))
    for col in table.columns:
        t.add_column(col, justify="right")
    for key, row in table.iterrows():
        t.add_row(str(key), *[f"{v:.3f}" if abs(v) < 2 else f"{v:,.0f}" for v in row])
    console.print(t)


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    out: Path = typer.Option(..., "--out", help="folder for outcomes.parquet, outcomes.csv, manifest.json"),
    scale: Optional[float] = typer.Option(None, help="sampled share of the population (0-1]"),
    seed: Optional[int] = typer.Option(None, help="random seed"),
    end_year: Optional[int] = typer.Option(None, "--end-year", help="last simulated year"),
    set_: Optional[list[str]] = typer.Option(None, "--set", help="override PATH=VALUE, e.g. policy.purchase.enabled=false"),
) -> None:
    """Run one scenario and write its outcomes."""
    sc = load_with(scenario, scale, seed, end_year, set_)
    result = run_with_progress(sc, sc.name)
    result.save(out)
    years = sorted({sc.base_year, *range(sc.base_year + 5, sc.end_year + 1, 5), sc.end_year})
    print_headline(headline(result.outcomes, years), f"{sc.name} (city, scale {sc.scale})")
    console.print(f"wrote {out}/outcomes.parquet, outcomes.csv, manifest.json "
                  f"({result.manifest['wall_time_s']:.2f} s)")


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(..., help="two or more scenario files; the first is the baseline"),
    scale: Optional[float] = typer.Option(None, help="sampled share of the population (0-1]"),
    seed: Optional[int] = typer.Option(None, help="one seed for every scenario (common random numbers)"),
    years: str = typer.Option("2025,2030,2035", help="comma-separated years to show"),
    out: Optional[Path] = typer.Option(None, "--out", help="CSV file for the comparison"),
    explain: bool = typer.Option(False, "--explain", help="also say why each scenario differs from the first: "
                                 "flows (settlements by pathway, moves, births, deaths) and budget items"),
    replicates: int = typer.Option(3, "--replicates", help="with --explain: paired seeds per scenario"),
) -> None:
    """Run scenarios with the same seed and show city headline outcomes side by side, with differences
    from the first."""
    if len(scenarios) < 2:
        fail("compare needs at least two scenario files")
    try:
        wanted = [int(y) for y in years.split(",")]
    except ValueError:
        fail(f"--years: expected comma-separated years such as 2025,2030, found {years!r}")
    loaded = [load_with(f, scale, seed, None, None) for f in scenarios]
    if seed is None:   # common random numbers: every scenario uses the baseline's seed
        loaded = [with_overrides(s, {"seed": loaded[0].seed}) for s in loaded]
    frames = []
    for sc in loaded:
        table = headline(run_with_progress(sc, sc.name).outcomes, wanted)
        table.columns = pd.MultiIndex.from_product([[sc.name], table.columns])
        frames.append(table)
    wide = pd.concat(frames, axis=1)
    base = loaded[0].name
    for sc in loaded[1:]:
        diff = wide[sc.name] - wide[base]
        diff.columns = pd.MultiIndex.from_product([[f"{sc.name} - {base}"], diff.columns])
        wide = pd.concat([wide, diff], axis=1)
    long = wide.stack(level=0, future_stack=True).rename_axis(["year", "scenario"]).reset_index()
    for year in wanted:
        if year in wide.index:
            rows = long[long.year == year].drop(columns="year").set_index("scenario").T
            print_headline(rows.rename_axis("outcome"), f"{year} (city; differences from {base})")
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        long.to_csv(tmp, index=False)
        tmp.replace(out)
        console.print(f"wrote {out}")
    if explain:
        from urbsim.cmd_scorecard import print_explanation, run_replicates
        sims = [s.end_year for s in loaded]
        print_explanation(run_replicates(loaded, replicates), loaded[0].base_year + 1, min(sims))


@app.command()
def validate(files: list[Path] = typer.Argument(..., help="scenario YAML files")) -> None:
    """Check scenario files; exit 2 with one line per problem."""
    problems: list[str] = []
    for f in files:
        try:
            load_scenario(f)
            console.print(f"ok {f}")
        except ScenarioError as e:
            problems += e.problems
    if problems:
        fail(problems)


def _register_commands() -> None:
    """Add the commands of the client packages (kept light: heavy imports happen inside them)."""
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_commands()


def main() -> None:
    app(prog_name="urbsim")


if __name__ == "__main__":
    sys.exit(main())
