"""`urbsim sweep` and `urbsim analyze`: run a parameter sweep into a run store, then analyse it.

    urbsim sweep experiments/specs/smoke.yaml --out sweeps/smoke [--workers N] [--scheduler tcp://HOST:8786] [--resume]
    urbsim analyze sweeps/smoke

Added to the `urbsim` app by `register(app)`; `python -m urbsim.cmd_sweep` runs the two
commands on their own. Errors are one line each and exit 2; a sweep in which some runs
failed exits 1 (the failures are stored in DIR/failed/); a sweep stopped by SIGINT exits 130, by SIGTERM 143.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from urbsim.ui import console, err, fail, progress_bar, run_alone

SHOW_FAILURES = 10


def sweep(
    spec: Path = typer.Argument(..., help="sweep spec YAML file (see docs/sweeps.md)"),
    out: Path = typer.Option(..., "--out", help="folder of the run store (created; must be new unless --resume)"),
    workers: Optional[int] = typer.Option(None, "--workers", min=0,
                                          help="local processes (default: the cores; 0 runs in this process)"),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Dask scheduler address, e.g. tcp://host:8786, instead of local processes"),
    resume: bool = typer.Option(
        False, "--resume", help="continue the sweep in --out: run only what is missing or failed"),
    dry_run: bool = typer.Option(False, "--dry-run", help="design the sweep and print its size; run nothing"),
) -> None:
    """Run a parameter sweep: every design row × replicate, one stored file per run."""
    if scheduler and workers is not None:
        fail("--workers applies to local processes; with --scheduler the cluster's workers run the sweep")
    spec_, plan = _plan(spec)
    if dry_run:
        for f in plan.factors:
            console.print(f"  {f.path}: {f.encoding}", highlight=False, soft_wrap=True)
        return
    report = _run(spec, spec_, plan, out, workers, scheduler, resume)
    _summarise(report, out)


def _plan(spec: Path):
    """The sweep's spec and plan, with its size printed; bad specs fail with their problems."""
    from experiments import SweepError, load_sweep, plan_sweep

    try:
        spec_ = load_sweep(spec)
        plan = plan_sweep(spec_)
    except SweepError as e:
        fail(e.problems)
    invalid = sum(not t.valid for t in plan.tasks.values())
    console.print(f"sweep {spec_.name}: {spec_.design.method} design, {len(plan.factors)} factors, "
                  f"{plan.n_rows} design rows × {spec_.replicates} replicates = {plan.n_runs} distinct runs"
                  + (f" ({invalid} with an invalid scenario)" if invalid else ""), highlight=False, soft_wrap=True)
    return spec_, plan


def _run(spec: Path, spec_, plan, out: Path, workers: Optional[int], scheduler: Optional[str], resume: bool):
    """Run the sweep with a progress bar, the first failures printed as they come; an interrupted
    sweep says how to resume and exits 128 + the signal."""
    from experiments import SweepError, run_sweep

    shown = 0

    def on_failure(run_id: str, error: str) -> None:
        nonlocal shown
        shown += 1
        if shown <= SHOW_FAILURES:
            err.print(f"[yellow]run {run_id[:12]} failed:[/yellow] {error.splitlines()[0] if error else ''}",
                      highlight=False, soft_wrap=True)

    try:
        with progress_bar() as bar:
            task = bar.add_task(spec_.name, total=plan.n_runs)
            return run_sweep(spec_, out, workers=workers, scheduler=scheduler, resume=resume, plan=plan,
                             progress=lambda done, total: bar.update(task, completed=done),
                             on_failure=on_failure)
    except SweepError as e:
        fail(e.problems)
    except KeyboardInterrupt as e:   # SweepInterrupted (SIGTERM, SIGINT) or a Ctrl-C before it was installed
        from experiments import RunStore
        stored = len(RunStore(out).done() & set(plan.tasks)) if RunStore(out).exists() else 0
        by = f" by {e.signal_name}" if hasattr(e, "signal_name") else ""
        err.print(f"interrupted{by}: {stored} of {plan.n_runs} runs are stored, the workers are stopped; continue "
                  f"with: urbsim sweep {spec} --out {out} --resume", highlight=False, soft_wrap=True)
        raise typer.Exit(getattr(e, "exit_code", 130))


def _summarise(report, out: Path) -> None:
    """What ran, how fast, and the failures (exit 1 when some runs failed)."""
    if report.removed_temp:
        console.print(f"removed {report.removed_temp} leftover temporary files", highlight=False)
    rate = report.runs_per_minute
    console.print(f"{report.n_runs} runs: {report.already_done} were stored, {report.ran} ran now"
                  + (f" on {report.executor}" if report.executor else "")
                  + f" in {report.wall_time_s:.1f} s" + (f" ({rate:.0f} runs/min)" if not math.isnan(rate) else ""),
                  highlight=False)
    if report.failed:
        more = len(report.failed) - SHOW_FAILURES
        err.print(f"[red]{len(report.failed)} runs failed[/red]" + (f" ({more} not shown)" if more > 0 else "")
                  + f"; errors and tracebacks in {out}/failed/; `--resume` tries them again",
                  highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"wrote {out}; next: urbsim analyze {out}", highlight=False)


def analyze(
    out: Path = typer.Argument(..., help="sweep folder written by `urbsim sweep`"),
    plots: bool = typer.Option(False, "--plots/--no-plots", help="also write PNG and HTML plots (slower)"),
    resamples: int = typer.Option(1000, "--resamples", min=10, help="bootstrap resamples for confidence intervals"),
    top: int = typer.Option(3, "--top", min=1, help="factors to list per outcome and year"),
) -> None:
    """Analyse a stored sweep: tidy results, main effects with 90% intervals, the seeds' share of the
    variance, Sobol'/Morris indices or rank correlations, and plots with --plots (into DIR/analysis/)."""
    from experiments import SweepError, analyze as analyze_sweep, top_factors
    from sim import CITY_CODE

    try:
        a = analyze_sweep(out, plots=plots, resamples=resamples)
    except SweepError as e:
        fail(e.problems)
    for note in a.notes:
        console.print(note, highlight=False, soft_wrap=True)
    ind = a.indices
    if not ind.empty:
        county = CITY_CODE if CITY_CODE in set(ind.county) else ind.county.iloc[0]
        group = "all" if "all" in set(ind.group) else ind.group.iloc[0]
        rank_by = {"sobol": "ST", "morris": "mu*", "lhs": "Spearman rho", "grid": "Spearman rho"}[a.method]
        t = Table(title=f"top {top} factors by {rank_by} (county {county}, group {group})")
        for col in ("outcome", "year", "factor", rank_by, "±"):
            t.add_column(col, justify="left" if col in ("outcome", "factor") else "right", overflow="fold")
        for (outcome, year), _ in ind[(ind.county == county) & (ind.group == group)].groupby(["outcome", "year"]):
            for _, r in top_factors(ind, outcome, year, county, group, top).iterrows():
                t.add_row(outcome, str(year), r.factor.removeprefix("policy."), f"{r.value:.3g}",
                          "" if math.isnan(r.conf) else f"{r.conf:.2g}")
        console.print(t)
    print_effects(a.effects, a.variance)
    if len(a.failures):
        err.print(f"[yellow]{len(a.failures)} runs failed[/yellow]: see {out}/analysis/failures.csv", highlight=False)
    console.print(f"wrote {len(a.files)} files in {out}/analysis/", highlight=False)


def _fmt(x: float) -> str:
    if math.isnan(x):
        return ""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def print_effects(effects, variance) -> None:
    """Main effects with intervals and the seeds' share of the variance, at the city level (group all)."""
    from sim import CITY_CODE

    if effects.empty:
        return
    county = CITY_CODE if CITY_CODE in set(effects.county) else effects.county.iloc[0]
    group = "all" if "all" in set(effects.group) else effects.group.iloc[0]
    seeds = variance[variance.source.str.startswith("seeds")].set_index(["outcome", "year", "county", "group"])
    t = Table(title=f"main effects, 90% interval ({effects.method.iloc[0]}; county {county}, group {group})")
    for col in ("outcome", "year", "factor", "level vs", "effect", "interval", "seeds' share"):
        t.add_column(col, justify="left" if col in ("outcome", "factor", "level vs") else "right", overflow="fold")
    sel = effects[(effects.county == county) & (effects.group == group)]
    for (outcome, year), rows in sel.groupby(["outcome", "year"], sort=True):
        share = seeds["share"].get((outcome, year, county, group), float("nan"))
        for i, (_, r) in enumerate(rows.iterrows()):
            t.add_row(outcome if i == 0 else "", str(year) if i == 0 else "", r.factor.removeprefix("policy."),
                      f"{r.level} vs {r.versus}", _fmt(r.effect), f"{_fmt(r.low)} … {_fmt(r.high)}",
                      f"{share:.0%}" if i == 0 and not math.isnan(share) else "")
    console.print(t)


def register(app: typer.Typer) -> None:
    """Add `sweep` and `analyze` to the `urbsim` app."""
    app.command("sweep")(sweep)
    app.command("analyze")(analyze)


def main() -> None:
    run_alone(register, "Parameter sweeps and their analysis.", no_args_is_help=True)


if __name__ == "__main__":
    main()
