"""`urbsim`: run, compare and validate scenarios; sweeps, calibration, the dashboard, the benchmark.

Errors are one clear message per problem and exit code 2; nothing is half-written.
"""
from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd
import typer
from rich.table import Table

from sim import ScenarioError, headline, load_scenario, parse_override, run as run_scenario, with_overrides
from sim.files import OutputError, check_output_folder, folder_replaced_whole
from sim.intervals import LEVEL, NOISE, compare_table, replicate_seeds
from sim.panel import HOUSEHOLD_FILE, PERSON_FILE, Panel
from urbsim.ui import console, fail, progress_bar

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Tieling urbanization simulator (铁岭城镇化与户籍改革模拟).")
# Modules that add their own commands with `register(app)`.
COMMAND_MODULES: tuple[str, ...] = ("urbsim.cmd_sweep", "urbsim.cmd_dashboard", "urbsim.cmd_bench",
                                    "urbsim.cmd_calibrate", "urbsim.cmd_scorecard", "urbsim.cmd_ensemble")


def load_with(path: Path, scale: Optional[float], seed: Optional[int], end_year: Optional[int],
              sets: Optional[list[str]]):
    """Load a scenario and apply command-line overrides, or exit 2 with the problems."""
    try:
        sc = load_scenario(path)
        over = overrides_from(sets or [], {"scale": scale, "seed": seed, "end_year": end_year})
        return with_overrides(sc, over) if over else sc
    except ScenarioError as e:
        fail(e.problems)


def overrides_from(sets: list[str], flags: dict[str, object]) -> dict:
    """`--set` overrides and the flags given (not None); a field set twice is refused, not
    silently decided by the order (`--set scale=abc --scale 0.01` used to pass)."""
    over: dict = {}
    for text in sets:
        path, value = parse_override(text)
        if path in over:
            raise ScenarioError([f"--set {path} given twice; expected each field once"])
        over[path] = value
    for key, value in flags.items():
        if value is None:
            continue
        if key in over:
            raise ScenarioError([f"--{key.replace('_', '-')} {value} and --set {key}={over[key]!r} both set "
                                 f"{key}; expected one of them"])
        over[key] = value
    return over


def run_with_progress(sc, label: str, micro=None):
    with progress_bar() as bar:
        task = bar.add_task(label, total=sc.end_year - sc.base_year)
        return run_scenario(sc, progress=lambda done, total: bar.update(task, completed=done), micro=micro)


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
    micro: bool = typer.Option(False, "--micro", help="also write the person-year and household-year panels "
                               "(persons.parquet, households.parquet), keyed by stable id"),
    micro_sample: Optional[float] = typer.Option(None, "--micro-sample", help="share (0-1] of the simulated "
                                                 "persons and households in the panels, drawn by id (implies "
                                                 "--micro; default 1)"),
    overwrite: bool = typer.Option(False, "--overwrite", help="replace a previous run's output in --out"),
) -> None:
    """Run one scenario and write its outcomes (all or nothing: a killed run leaves the old output)."""
    sc = load_with(scenario, scale, seed, end_year, set_)
    micro = micro or micro_sample is not None
    micro_sample = 1.0 if micro_sample is None else micro_sample
    if not 0 < micro_sample <= 1:
        fail(f"--micro-sample: expected a share in (0, 1], found {micro_sample}")
    files = "outcomes.parquet, outcomes.csv, manifest.json"
    try:   # before the first simulated year, not after the last
        check_output_folder(out, overwrite)
    except OutputError as e:
        fail(f"--out {e}")
    # Everything goes to a hidden partial folder beside OUT first (the panels year by year), then
    # replaces OUT in one rename.
    try:
        with folder_replaced_whole(out) as tmp:
            result = run_with_progress(sc, sc.name, Panel(micro_sample, tmp) if micro else None)
            result.write(tmp)
    except (OutputError, OSError) as e:   # the folder changed during the run, or the disk is full
        fail(f"--out {out}: could not write the run's files: {e}")
    if micro:
        files += f", {PERSON_FILE}, {HOUSEHOLD_FILE}"
    years = sorted({sc.base_year, *range(sc.base_year + 5, sc.end_year + 1, 5), sc.end_year})
    print_headline(headline(result.outcomes, years), f"{sc.name} (city, scale {sc.scale})")
    console.print(f"wrote {out}/{files} ({result.manifest['wall_time_s']:.2f} s)")


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(..., help="two or more scenario files; the first is the baseline"),
    scale: Optional[float] = typer.Option(None, help="sampled share of the population (0-1]"),
    seed: Optional[int] = typer.Option(None, help="seed of the first replicate (default: the first scenario's); "
                                                  "replicate i uses seed + i in every scenario"),
    replicates: int = typer.Option(5, "--replicates", "-r", help="runs per scenario, with paired seeds"),
    level: float = typer.Option(LEVEL, help="level of the intervals of the differences (0-1)"),
    years: str = typer.Option("2025,2030,2035", help="comma-separated years to show"),
    end_year: Optional[int] = typer.Option(None, "--end-year", help="last simulated year"),
    out: Optional[Path] = typer.Option(None, "--out", help="CSV file for the comparison"),
    explain: bool = typer.Option(False, "--explain", help="also say why each scenario differs from the first: "
                                 "flows (settlements by pathway, moves, births, deaths) and budget items, "
                                 "then by pathway, agent kind, budget item and county"),
) -> None:
    """Run each scenario with the same replicate seeds and show city headline outcomes, with the
    differences from the first and their intervals (paired t over the replicates)."""
    if len(scenarios) < 2:
        fail("compare needs at least two scenario files")
    try:
        wanted = [int(y) for y in years.split(",")]
    except ValueError:
        fail(f"--years: expected comma-separated years such as 2025,2030, found {years!r}")
    if replicates < 1:
        fail(f"--replicates: expected a whole number of at least 1, found {replicates}")
    if not 0 < level < 1:
        fail(f"--level: expected a number between 0 and 1 (e.g. 0.9), found {level}")
    loaded = [load_with(f, scale, None, end_year, None) for f in scenarios]
    names = [sc.name for sc in loaded]
    if len(set(names)) < len(names):
        fail(f"scenario names: expected distinct names, found {names} (the `name` field of each file)")
    seeds = replicate_seeds(loaded[0].seed if seed is None else seed, replicates)
    kept: dict[str, list] | None = {sc.name: [] for sc in loaded} if explain else None
    runs = _replicate_runs(loaded, seeds, wanted, kept)
    table = compare_table(runs, names[0], level).assign(replicates=replicates)
    table["scenario"] = pd.Categorical(table.scenario, names, ordered=True)
    order = {o: i for i, o in enumerate(runs.outcome.drop_duplicates())}    # headline order
    table = table.sort_values(["year", "scenario", "outcome"], key=lambda c: c.map(order) if c.name == "outcome" else c,
                              kind="stable")
    for year in wanted:
        if year in set(table.year):
            print_comparison(table[table.year == year], names, year, level)
    console.print(f"{replicates} replicate(s) per scenario, seeds {', '.join(map(str, seeds))} "
                  f"(the same in every scenario); {NOISE}: the {level:.0%} interval of the difference includes 0")
    if out is not None:
        scales = {sc.name: sc.scale for sc in loaded}
        table = table.assign(baseline=names[0], scale=table.scenario.map(scales).astype(float),
                             seeds=" ".join(map(str, seeds)))
        cols = ["year", "outcome", "scenario", "baseline", "mean", "sd", "difference", "low", "high", "level",
                "distinguishable", "replicates", "seeds", "scale"]
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(f".{out.name}.tmp")
        table[cols].to_csv(tmp, index=False)
        tmp.replace(out)
        console.print(f"wrote {out}")
    if kept is not None:
        from urbsim.cmd_scorecard import print_explanation
        print_explanation(kept, loaded[0].base_year + 1, min(s.end_year for s in loaded), level)


def _replicate_runs(loaded, seeds: list[int], wanted: list[int], keep: dict[str, list] | None = None
                    ) -> pd.DataFrame:
    """Headline outcomes of every scenario and replicate seed: scenario, replicate, seed, year,
    outcome, value. With `keep`, each run's whole outcomes table is appended to keep[name]."""
    frames = []
    with progress_bar() as bar:
        years = sum(sc.end_year - sc.base_year for sc in loaded)
        task = bar.add_task(f"{len(loaded)} scenarios x {len(seeds)} seeds", total=years * len(seeds))
        done = 0
        for r, s in enumerate(seeds):
            for sc in loaded:
                result = run_scenario(with_overrides(sc, {"seed": s}),
                                      progress=lambda k, _t: bar.update(task, completed=done + k))
                done += sc.end_year - sc.base_year
                if keep is not None:
                    keep[sc.name].append(result.outcomes)
                wide = headline(result.outcomes, wanted)
                tidy = wide.rename_axis("year").reset_index().melt("year", var_name="outcome")
                frames.append(tidy.assign(scenario=sc.name, replicate=r, seed=s))
    return pd.concat(frames, ignore_index=True)


def print_comparison(rows: pd.DataFrame, names: list[str], year: int, level: float) -> None:
    """Tables for a year, one per scenario after the first: the means of both, the difference
    with its interval and, when the interval includes 0, the noise mark."""
    base = names[0]
    for name in names[1:]:
        t = Table(title=f"{year}, city: {name} - {base} (means over replicates)")
        for col in ("outcome", "baseline", "scenario", "difference", f"{level:.0%} interval", ""):
            t.add_column(col, justify="left" if col in ("outcome", "") else "right", no_wrap=col != "")
        for outcome, g in rows.groupby("outcome", sort=False, observed=True):
            g = g.set_index("scenario")
            rate = abs(g.loc[base, "mean"]) < 2
            r = g.loc[name]
            interval = "" if np.isnan(r.low) else f"[{_number(r.low, rate, True)}, {_number(r.high, rate, True)}]"
            mark = "" if r.distinguishable else (NOISE if r.replicates > 1 else "one replicate: no interval")
            t.add_row(str(outcome), _number(g.loc[base, "mean"], rate), _number(r["mean"], rate),
                      _number(r.difference, rate, True), interval, mark)
        console.print(t)


def _number(v: float, rate: bool, signed: bool = False) -> str:
    sign = "+" if signed else ""
    return f"{v:{sign}.4f}" if rate else f"{v:{sign},.0f}"


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
