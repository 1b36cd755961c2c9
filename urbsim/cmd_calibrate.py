"""`urbsim calibrate` and `urbsim backtest`: fit behaviour to the 2010 -> 2020 census change, and
show the fit.

    urbsim calibrate [--scale 0.1] [--seeds 4] [--budget 2400] [--starts 4] [--validate 8] [--params a,b:lo:hi,...]
    urbsim backtest --out DIR [--scale 0.1] [--seeds 5]

`calibrate` writes `sim/data/calibration.json` (values and provenance), whose values become
the defaults of every scenario that leaves them out; runs are cached under `--cache`, so the
same command run again resumes. Added to the `urbsim` app by `register(app)`;
`python -m urbsim.cmd_calibrate` runs the two commands on their own. Errors are one line
each and exit 2; an interrupted calibration exits 130 and keeps its cached runs.
"""
from __future__ import annotations

import shlex
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from urbsim.ui import console, err, fail, progress_bar, run_alone


# Help texts of `calibrate`'s longer options.
_HELP = {
    "budget": "model runs in all (parameter points × seeds), cached ones included",
    "params": ("comma-separated parameters, each NAME or NAME:LOW:HIGH (default: the seven that identify"
               " residents and urban share)"),
    "targets": "census measures in the objective (default residents,urban_share)",
    "starts": "Nelder-Mead searches, from the best Latin-hypercube points of different basins",
    "validate": "re-run the best N points with other seeds and keep the best on those (0: no)",
    "write": "write the calibration here instead of sim/data/calibration.json",
    "keep_calibrated": ("a staged fit: parameters not in --params keep their calibrated values, and calibration.json"
                        " keeps them with the earlier stage's provenance"),
}


def _shown_path(p: Path) -> str:
    """A path as written in provenance: relative to the working folder when inside it, else its name."""
    if not p.is_absolute():
        return str(p)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return p.name


def _progress(total: int, label: str):
    bar = progress_bar()
    task = bar.add_task(label, total=total)
    counts = {"done": 0, "cached": 0}

    def on_run(cached: bool) -> None:
        counts["done"] += 1
        counts["cached"] += cached
        bar.update(task, completed=min(counts["done"], total))

    def on_best(f: float) -> None:
        bar.update(task, description=f"{label} (best objective {f:.3f})")

    return bar, on_run, on_best, counts


def _fit_table(stats, measures: tuple[str, ...], title: str) -> Table:
    from experiments.backtest import NAMES
    from experiments.calibrate import RELATIVE

    t = Table(title=title)
    t.add_column("county")
    for m in measures:
        t.add_column(f"{m} census", justify="right")
        t.add_column("sim (±sd)", justify="right")
        t.add_column("error", justify="right")
    for county, g in stats.groupby("county", sort=False):
        row = [NAMES.get(county, county)]
        for m in measures:
            r = g[g.measure == m].iloc[0]
            if m == "residents" or m == "registered_elsewhere":
                row += [f"{r.census:,.0f}", f"{r.sim_mean:,.0f} ±{r.sim_sd:,.0f}"]
            elif m == "household_size":
                row += [f"{r.census:.2f}", f"{r.sim_mean:.2f} ±{r.sim_sd:.2f}"]
            else:
                row += [f"{100 * r.census:.1f}%", f"{100 * r.sim_mean:.1f}% ±{100 * r.sim_sd:.1f}"]
            row.append(f"{r.error:+.1%}" if m in RELATIVE else f"{100 * r.error:+.1f}pp")
        t.add_row(*row)
    return t


def _error_table(stats, measures: tuple[str, ...], title: str) -> Table:
    """Errors only (simulated mean against the census), one column per measure."""
    from experiments.backtest import NAMES
    from experiments.calibrate import RELATIVE

    t = Table(title=title)
    t.add_column("county")
    for m in measures:
        t.add_column(m, justify="right")
    for county, g in stats.groupby("county", sort=False):
        cells = []
        for m in measures:
            r = g[g.measure == m].iloc[0]
            cells.append(f"{r.error:+.1%}" if m in RELATIVE else f"{100 * r.error:+.1f}pp")
        t.add_row(NAMES.get(county, county), *cells)
    return t


def _print_errors(errors: dict[str, float]) -> None:
    from experiments.calibrate import RELATIVE

    parts = [f"{m} {v:.1%}" if m in RELATIVE else f"{m} {100 * v:.2f}pp" for m, v in errors.items()]
    console.print("mean absolute error across the 7 counties: " + ", ".join(parts), highlight=False, soft_wrap=True)


def _register_table(reg) -> Table:
    """The registered population's observed points next to the model's mean over seeds."""
    t = Table(title="registered population (户籍人口): record and model")
    for col in ("year", "county", "outcome", "role", "observed", "model", "error"):
        t.add_column(col, justify="left" if col in ("county", "outcome", "role") else "right")
    for r in reg.itertuples():
        rate = r.error_kind == "difference"
        fmt = (lambda v: f"{v:.1%}") if rate else (lambda v: f"{v:,.0f}")
        err = f"{r.error * 100:+.1f} pp" if rate else f"{r.error:+.2%}"
        t.add_row(str(r.year), r.county, r.outcome, r.role, fmt(r.value), fmt(r.sim_mean), err)
    return t


def _command_text(plist, tlist, scale, seeds, budget, seed, initial, starts, validate, validation_seeds,
                  keep_calibrated, scenario: Path) -> str:
    """The command as recorded in calibration.json: every choice spelled out, so it can be re-run."""
    shown_params = ",".join(f"{p.path.removeprefix('behaviour.')}:{p.lo:g}:{p.hi:g}" for p in plist)
    return (f"urbsim calibrate --scale {scale:g} --seeds {seeds} --budget {budget} --params {shown_params} "
            f"--targets {','.join(tlist)} --seed {seed}"
            + (f" --initial {initial}" if initial else "")
            + f" --starts {starts} --validate {validate} --validation-seeds {validation_seeds}"
            + (" --keep-calibrated" if keep_calibrated else "")
            + (f" --scenario {shlex.quote(_shown_path(scenario))}"
               if _shown_path(scenario) != "scenarios/backtest_2010.yaml" else ""))


def _print_plan(plist, tlist, scale: float, seeds: int, budget: int) -> None:
    console.print(f"calibrating {len(plist)} parameters to {', '.join(tlist)} (census 2020 by county); "
                  f"scale {scale}, {seeds} seeds, budget {budget} runs = {budget // seeds} points", highlight=False)
    for p in plist:
        console.print(f"  {p.path} in [{p.lo:g}, {p.hi:g}]" + (f": {p.why}" if p.why else ""), highlight=False,
                      soft_wrap=True)


def _candidates_table(cal) -> Table:
    c = Table(title=f"best {len(cal.candidates)} points re-run with {len(cal.validation_seeds)} other seeds")
    c.add_column("objective (fit seeds)", justify="right")
    c.add_column("objective (validation seeds)", justify="right")
    for _, r in cal.candidates.iterrows():
        c.add_row(f"{r.objective_fit_seeds:.3f}", f"{r.objective_validation_seeds:.3f}")
    return c


def _values_table(cal, plist) -> Table:
    from experiments.calibrate import declared_bounds

    t = Table(title=f"calibrated values (objective {cal.objective:.3f}"
                    + (" on the validation seeds" if cal.validation_seeds else "") + f", {len(cal.history)} points)")
    for col in ("parameter", "value", "search bounds", "default"):
        t.add_column(col, justify="left" if col == "parameter" else "right")
    declared = declared_bounds()
    for p in plist:
        t.add_row(p.path, f"{cal.values[p.path]:.4g}", f"[{p.lo:g}, {p.hi:g}]", f"{declared[p.path][2]:g}")
    return t


def _print_calibration(cal, plist) -> None:
    from experiments.calibrate import headline_errors

    if cal.candidates is not None:
        console.print(_candidates_table(cal))
    console.print(_values_table(cal, plist))
    console.print(_fit_table(cal.stats, ("residents", "urban_share"), "fit at the calibrated values (2020)"))
    _print_errors(headline_errors(cal.stats))
    if cal.register is not None:
        console.print(_register_table(cal.register))


def _write_report(report: Path, cal) -> None:
    report.mkdir(parents=True, exist_ok=True)
    cal.history.to_csv(report / "history.csv", index=False)
    cal.stats.to_csv(report / "fit.csv", index=False)
    if cal.candidates is not None:
        cal.candidates.to_csv(report / "candidates.csv", index=False)
    console.print(f"wrote {report}/history.csv, fit.csv" + (", candidates.csv" if cal.candidates is not None
                                                             else ""), highlight=False)


def _interrupted(counts: dict, cache: Path) -> typer.Exit:
    err.print(f"interrupted after {counts['done']} runs; they are cached in {cache}: run the same command again "
              "to continue", highlight=False, soft_wrap=True)
    return typer.Exit(130)


def calibrate(
    scale: float = typer.Option(0.1, "--scale", min=0.001, max=1.0, help="sampled share of the population"),
    seeds: int = typer.Option(4, "--seeds", min=1, help="seeds per parameter point (common random numbers)"),
    budget: int = typer.Option(2400, "--budget", min=2, help=_HELP["budget"]),
    params: Optional[str] = typer.Option(None, "--params", help=_HELP["params"]),
    targets: Optional[str] = typer.Option(None, "--targets", help=_HELP["targets"]),
    scenario: Path = typer.Option(Path("scenarios/backtest_2010.yaml"), "--scenario", help="the 2010-base scenario"),
    workers: int = typer.Option(2, "--workers", min=0, help="local processes (0: in this process)"),
    cache: Path = typer.Option(Path(".cache/calibration"), "--cache", help="folder of cached runs"),
    no_cache: bool = typer.Option(False, "--no-cache", help="run everything; cache nothing"),
    initial: Optional[int] = typer.Option(None, "--initial", min=2, help="Latin-hypercube points before Nelder-Mead"),
    seed: int = typer.Option(2010, "--seed", help="seed of the design and of the replicate seeds"),
    starts: int = typer.Option(4, "--starts", min=1, help=_HELP["starts"]),
    validate: int = typer.Option(8, "--validate", min=0, help=_HELP["validate"]),
    validation_seeds: int = typer.Option(8, "--validation-seeds", min=1, help="seeds of that re-run"),
    report: Optional[Path] = typer.Option(None, "--report", help="folder for history.csv and fit.csv"),
    write: Optional[Path] = typer.Option(None, "--write", hidden=True, help=_HELP["write"]),
    dry_run: bool = typer.Option(False, "--dry-run", help="show the parameters and their bounds; run nothing"),
    keep_calibrated: bool = typer.Option(False, "--keep-calibrated", help=_HELP["keep_calibrated"]),
) -> None:
    """Fit behavioural parameters so that the 2010 backtest reproduces the 2020 census by county."""
    from experiments.calibrate import (CalibrationError, calibrate as run_calibration, objective_text,
                                       parse_parameters, parse_targets, write_calibration)

    try:
        plist, tlist = parse_parameters(params), parse_targets(targets)
    except CalibrationError as e:
        fail(e.problems)
    if not scenario.is_file():
        fail(f"--scenario {scenario}: file not found")
    if budget // seeds < 2:
        fail(f"--budget {budget} allows fewer than 2 parameter points at {seeds} seeds")
    _print_plan(plist, tlist, scale, seeds, budget)
    if dry_run:
        return console.print(f"objective: {objective_text(tlist)}", highlight=False, soft_wrap=True)
    command = _command_text(plist, tlist, scale, seeds, budget, seed, initial, starts, validate, validation_seeds,
                            keep_calibrated, scenario)
    bar, on_run, on_best, counts = _progress(budget + (validate * validation_seeds if validate else seeds),
                                             "calibrating")
    try:
        with bar:
            cal = run_calibration(plist, scale=scale, seeds=seeds, budget=budget, targets=tlist, scenario=scenario,
                                  cache_dir=None if no_cache else cache, workers=workers, seed=seed,
                                  n_initial=initial, on_run=on_run, on_best=on_best, validate=validate,
                                  validation_seeds=validation_seeds, starts=starts, keep_calibrated=keep_calibrated)
    except CalibrationError as e:
        fail(e.problems)
    except KeyboardInterrupt:
        raise _interrupted(counts, cache)
    path = write_calibration(cal, command, write)
    _print_calibration(cal, plist)
    if report is not None:
        _write_report(report, cal)
    console.print(f"{cal.runs} runs ran, {cal.cached} came from the cache, {cal.wall_time_s:.0f} s; wrote {path.name} "
                  f"({_shown_path(path)}); `urbsim backtest --out DIR` shows the fit", highlight=False, soft_wrap=True)


def backtest(
    out: Path = typer.Option(..., "--out", help="folder for the CSV tables and PNG plots"),
    scale: float = typer.Option(0.1, "--scale", min=0.001, max=1.0, help="sampled share of the population"),
    seeds: int = typer.Option(5, "--seeds", min=1, help="replicate seeds"),
    scenario: Path = typer.Option(Path("scenarios/backtest_2010.yaml"), "--scenario", help="the 2010-base scenario"),
    workers: int = typer.Option(2, "--workers", min=0, help="local processes (0: in this process)"),
    cache: Path = typer.Option(Path(".cache/calibration"), "--cache", help="folder of cached runs"),
    no_cache: bool = typer.Option(False, "--no-cache", help="run everything; cache nothing"),
    plots: bool = typer.Option(True, "--plots/--no-plots", help="write PNG plots"),
) -> None:
    """Run the 2010 backtest to 2020 with several seeds and compare it with the 2020 census by county."""
    from experiments.backtest import backtest as run_backtest, write_backtest
    from experiments.calibrate import CalibrationError

    if not scenario.is_file():
        fail(f"--scenario {scenario}: file not found")
    if out.exists() and not out.is_dir():
        fail(f"--out {out}: exists and is not a folder")
    bar, on_run, _, counts = _progress(seeds, "backtest 2010->2020")
    try:
        with bar:
            bt = run_backtest(scale=scale, seeds=seeds, scenario=scenario, workers=workers,
                              cache_dir=None if no_cache else cache, on_run=on_run)
        files = write_backtest(bt, out, plots=plots)
    except CalibrationError as e:
        fail(e.problems)
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written", highlight=False)
        raise typer.Exit(130)
    measures = ("residents", "urban_share")
    console.print(_fit_table(bt.fit, measures, f"backtest 2010->2020 vs census 2020 (scale {scale}, {seeds} seeds)"))
    held_out = tuple(m for m in dict.fromkeys(bt.fit.measure) if m not in measures)
    console.print(_error_table(bt.fit, held_out, "held-out measures: simulated minus census (relative for counts "
                                                 "and household size)"))
    _print_errors(bt.errors)
    console.print(f"wrote {len(files)} files in {out} ({counts['cached']} of {seeds} runs from the cache, "
                  f"{bt.wall_time_s:.0f} s)", highlight=False)


def register(app: typer.Typer) -> None:
    """Add `calibrate` and `backtest` to the `urbsim` app."""
    app.command("calibrate")(calibrate)
    app.command("backtest")(backtest)


def main() -> None:
    run_alone(register, "Calibration and backtest.", no_args_is_help=True)


if __name__ == "__main__":
    main()
