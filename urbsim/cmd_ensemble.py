"""`urbsim ensemble build|run|check`: the parameter ensemble (docs/calibration.md, "Ensemble").

    urbsim ensemble build [--scale 0.02] [--seeds 1] [--waves 160,120,120,100] [--min-members 60]
                          [--around-fit 0.15] [--prior-waves 14x100]
    urbsim ensemble run SCENARIO [--members 20] [--replicates 2] [--scale S] [--end-year Y] [--out FILE.csv]
                        [--drivers]
    urbsim ensemble check OBSERVED.csv [--members 20] [--replicates 2] [--scale 0.05]
    urbsim ensemble show [--file ENSEMBLE.csv]

`build` history-matches the 2010 backtest to the 2020 census and the registered series 2017-2019
and writes sim/data/ensemble.csv and ensemble.json; `run` runs a scenario over K members and
prints bands and the shares of variance due to parameters and to seeds (with `--drivers`, which
parameters drive the spread in the last year shown); `check` says whether
observed figures fall inside the ensemble's band of the 2020-start forecast; `show` prints how the
ensemble was built (waves, survivors, posterior ranges next to the priors).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from urbsim.ui import console, err, fail, progress_bar, run_alone

ensemble_app = typer.Typer(add_completion=False, no_args_is_help=True,
                           help="The parameter ensemble: build it, run a scenario over it, check a forecast.")


def _parse_waves(text: str, option: str = "--waves", allow_none: bool = False) -> list[int]:
    """'160,120,120,100' or '14x100' (14 waves of 100 points); '0' for none where allowed."""
    if allow_none and text.strip() == "0":
        return []
    try:
        if "x" in text:
            count, points = (int(v) for v in text.split("x"))
            sizes = [points] * count
        else:
            sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 2:
        fail(f"{option} {text}: expected comma-separated whole numbers of at least 2 (points per wave), or "
             f"COUNTxPOINTS{' (0: none)' if allow_none else ''}")
    return sizes


def _wave_printer(names: list[str]):
    def on_wave(w) -> None:
        worst = names[int(w.worst[w.imax.argmin()])]
        console.print(f"{w.start + ' ' if w.start else ''}wave {w.number}: {len(w.points)} points, {w.survivors} survive (max implausibility <= 3); "
                      f"least implausible {w.imax.min():.2f} (worst target there: {worst})", highlight=False)
    return on_wave


def _posterior_table(priors: list[tuple[str, float, float]], members, fit: list[float]) -> Table:
    """Each parameter's posterior range (over the members) next to its prior and the point fit."""
    t = Table(title=f"{len(members)} members: posterior range next to the prior (uniform on the bounds)")
    for col in ("parameter", "prior", "posterior", "share of prior", "point fit"):
        t.add_column(col, justify="left" if col == "parameter" else "right")
    for (path, lo_p, hi_p), value in zip(priors, fit):
        lo, hi = (members[path].min(), members[path].max()) if len(members) else (float("nan"),) * 2
        share = (hi - lo) / (hi_p - lo_p) if hi_p > lo_p else float("nan")
        t.add_row(path, f"[{lo_p:.4g}, {hi_p:.4g}]", f"[{lo:.4g}, {hi:.4g}]", f"{share:.0%}" if share == share else "-",
                  f"{value:.4g}")
    return t


def _summary(waves: list[tuple[str, int, int]], members: int, start: str) -> str:
    """`waves`: (start, points, survivors) of each wave, in order; the waves of each start together."""
    starts = list(dict.fromkeys(w[0] for w in waves))
    parts = []
    for label in starts:
        mine = [(n, k) for s, n, k in waves if s == label]
        per_wave = ", ".join(f"{k} of {n}" for n, k in mine)
        parts.append(f"{(label + ': ') if label else ''}{sum(k for _, k in mine)} from {len(mine)} "
                     f"wave{'s' if len(mine) != 1 else ''} ({per_wave})")
    return (f"{members} members, survivors per wave (max implausibility <= 3) — {'; '.join(parts)}; "
            f"{sum(n for _, n, _ in waves)} points; {start}")


def _report_build(b) -> None:
    """The posterior table and the waves' summary of a finished build."""
    from experiments.ensemble_build import calibrated_point, start_text

    console.print(_posterior_table([(p.path, p.lo, p.hi) for p in b.parameters], b.members(),
                                   calibrated_point(b.parameters)))
    console.print(_summary([(w.start, len(w.points), w.survivors) for w in b.match.waves], len(b.members()),
                           start_text(b.around_fit, len(b.prior_sizes))), highlight=False)


@ensemble_app.command("build")
def build(
    scale: float = typer.Option(0.02, "--scale", min=0.001, max=1.0, help="sampled share of the population"),
    seeds: int = typer.Option(1, "--seeds", min=1, help="seeds per parameter point (common random numbers)"),
    noise_seeds: int = typer.Option(8, "--noise-seeds", min=2, help="seeds that measure the seed noise"),
    waves: str = typer.Option("160,120,120,100", "--waves", help="points per wave, comma-separated"),
    min_members: int = typer.Option(60, "--min-members", min=0, help="stop each run of waves once this many of it survive (0: all waves)"),
    seed: int = typer.Option(2010, "--seed", help="seed of the design and of the replicate seeds"),
    around_fit: float = typer.Option(0.15, "--around-fit", min=0.0, max=1.0,
                                     help="wave 1: calibrated parameters within this share of their prior range "
                                          "around the point fit (0: the whole prior box)"),
    prior_waves: str = typer.Option("14x100", "--prior-waves",
                                    help="a second run of waves whose wave 1 covers the whole prior box, pooled "
                                         "with the first (0: none)"),
    workers: int = typer.Option(2, "--workers", min=0, help="local processes (0: in this process)"),
    cache: Path = typer.Option(Path(".cache/calibration"), "--cache", help="folder of cached runs"),
    write: Optional[Path] = typer.Option(None, "--write", help="folder for ensemble.csv/json instead of sim/data"),
) -> None:
    """History-match the 2010 backtest to the 2020 census and the register; write the ensemble."""
    from experiments.calibrate import CalibrationError
    from experiments.ensemble_build import build_ensemble, fit_targets, write_ensemble

    sizes = _parse_waves(waves)
    prior = _parse_waves(prior_waves, "--prior-waves", allow_none=True) if around_fit > 0 else []
    command = (f"urbsim ensemble build --scale {scale:g} --seeds {seeds} --noise-seeds {noise_seeds} "
               f"--waves {','.join(map(str, sizes))} --min-members {min_members} --seed {seed} "
               f"--around-fit {around_fit:g} --prior-waves {prior_waves if prior else 0}")
    targets = fit_targets()
    console.print(f"history matching to {len(targets.names)} targets; scale {scale:g}, {seeds} seeds per point, "
                  f"waves of {waves} points" + (f", then waves of {prior_waves} from the whole prior box"
                                                if prior else ""), highlight=False)
    bar = progress_bar()
    task = bar.add_task("ensemble", total=(sum(sizes) + sum(prior)) * seeds + noise_seeds)
    try:
        with bar:
            b = build_ensemble(scale=scale, seeds=seeds, noise_seeds=noise_seeds, sizes=sizes, seed=seed,
                               min_members=min_members, workers=workers, cache_dir=cache, targets=targets,
                               around_fit=around_fit, prior_sizes=prior,
                               on_run=lambda _: bar.advance(task), on_wave=_wave_printer(targets.names))
    except CalibrationError as e:
        fail(e.problems)
    except KeyboardInterrupt:
        err.print("interrupted; finished runs are cached: run the same command again to continue", highlight=False)
        raise typer.Exit(130)
    _report_build(b)
    if len(b.members()) == 0:
        fail("no parameter point survived the cut: nothing was written; try more points per wave")
    paths = write_ensemble(b, command, write)
    console.print(f"{b.runs} runs ran, {b.cached} from the cache, {b.wall_time_s:.0f} s; wrote "
                  f"{', '.join(p.name for p in paths)}", highlight=False)


@ensemble_app.command("show")
def show(
    file: Optional[Path] = typer.Option(None, "--file", help="ensemble CSV (its .json beside it); default: sim/data"),
) -> None:
    """How the ensemble was built: waves and survivors, each parameter's posterior range next to its prior."""
    from experiments.ensemble_build import calibrated_point
    from experiments.calibration_params import Parameter
    from sim import EnsembleError, load_ensemble

    try:
        ens = load_ensemble(file)
    except EnsembleError as e:
        fail(e.problems)
    prov = ens.provenance
    priors = [(p["path"], *p["prior"]) for p in prov["parameters"]]
    console.print(f"{prov.get('command', '?')} ({prov.get('date', '?')}, version {prov.get('version', '?')}, "
                  f"commit {prov.get('code_version', '?')})", highlight=False)
    console.print(_posterior_table(priors, ens.members, calibrated_point([Parameter(*p) for p in priors])))
    console.print(_summary([(w.get("start", ""), w["points"], w["survivors"]) for w in prov["waves"]], len(ens.members),
                           prov.get("start", "")), highlight=False)


def _run_over_ensemble(scenario, members: int, replicates: int, label: str):
    """Run with a progress bar; bad requests and files end in one line each and exit 2."""
    from sim import run
    from sim import EnsembleError

    bar = progress_bar()
    task = bar.add_task(label, total=members * replicates)
    try:
        with bar:
            return run(scenario, ensemble=members, replicates=replicates,
                       progress=lambda done, total: bar.update(task, completed=done))
    except EnsembleError as e:
        fail(e.problems)


def _shares_table(result, years: list[int] | None, level: float) -> Table:
    bands = result.bands(level).merge(result.variance_shares(), on=["year", "outcome", "county"])
    if years:
        bands = bands[bands.year.isin(years)]
    k, r = len(result.members), result.manifest["replicates"]
    t = Table(title=f"{k} ensemble members x {r} seeds: mean, {level:.0%} band (parameters and seeds together), "
                    "shares of the variance")
    for col in ("year", "outcome", "mean", "band", "parameters", "seeds"):
        t.add_column(col, justify="left" if col == "outcome" else "right")
    for b in bands.itertuples():
        fmt = (lambda v: f"{100 * v:.1f}%") if b.outcome.endswith("_rate") else (lambda v: f"{v:,.0f}")
        share = (lambda v: "n/a" if v != v else f"{v:.0%}")
        t.add_row(str(b.year), b.outcome, fmt(b.mean), f"{fmt(b.lo)} - {fmt(b.hi)}", share(b.parameter_share),
                  share(b.seed_share))
    return t


def _load_scenario(path: Path, scale: Optional[float], end_year: Optional[int]):
    from sim import ScenarioError, load_scenario, with_overrides

    try:
        sc = load_scenario(path)
        over = {k: v for k, v in (("scale", scale), ("end_year", end_year)) if v is not None}
        return with_overrides(sc, over) if over else sc
    except ScenarioError as e:
        fail(e.problems)


def _short(path: str) -> str:
    return path.removeprefix("behaviour.")


def _drivers_table(drivers, level: float) -> Table:
    """Parameters as rows (largest mean index first), one column of S1 [interval] per outcome."""
    wide = drivers.pivot(index="parameter", columns="outcome", values=["S1", "lo", "hi"])
    order = wide["S1"].mean(axis=1).sort_values(ascending=False).index
    outcomes = list(drivers.outcome.unique())
    first = drivers.drop_duplicates("parameter").set_index("parameter")
    year, k, m = int(drivers.year.iloc[0]), int(drivers.members.iloc[0]), int(drivers.harmonics.iloc[0])
    t = Table(title=f"What drives the spread in {year}: first-order index S1 of each parameter on the member means "
                    f"({k} members, RBD-FAST with {m} harmonic{'s' if m > 1 else ''}), {level:.0%} interval; "
                    "members are a correlated sample, see docs/calibration.md")
    t.add_column("parameter", justify="left")
    for o in outcomes:
        t.add_column(f"{o} S1 [interval]", justify="right")
    t.add_column("most correlated with (Spearman)", justify="left")
    for p in order:
        cells = ["n/a" if wide.loc[p, ("S1", o)] != wide.loc[p, ("S1", o)] else
                 f"{wide.loc[p, ('S1', o)]:.2f} [{wide.loc[p, ('lo', o)]:.2f}, {wide.loc[p, ('hi', o)]:.2f}]"
                 for o in outcomes]
        partner = first.loc[p]
        t.add_row(_short(p), *cells, f"{_short(partner.correlated_with)} ({partner.correlation:+.2f})")
    return t


def _write(out: Path, table) -> None:
    from sim import write_text_whole

    write_text_whole(out, table.to_csv(index=False))
    console.print(f"wrote {out}", highlight=False)


@ensemble_app.command("run")
def run_members(
    scenario: Path = typer.Argument(..., help="scenario file"),
    members: int = typer.Option(20, "--members", min=2, help="ensemble members drawn (K)"),
    replicates: int = typer.Option(2, "--replicates", min=2, help="seeds per member (R)"),
    scale: Optional[float] = typer.Option(None, "--scale", min=0.001, max=1.0, help="sampled share of the population"),
    end_year: Optional[int] = typer.Option(None, "--end-year", help="last simulated year"),
    years: Optional[str] = typer.Option(None, "--years", help="years shown, e.g. 2025,2030,2035 (default: all)"),
    level: float = typer.Option(0.9, "--level", min=0.5, max=0.99, help="band level"),
    out: Optional[Path] = typer.Option(None, "--out", help="CSV of the bands and variance shares (with --drivers "
                                                          "also FILE_drivers.csv)"),
    drivers: bool = typer.Option(False, "--drivers", help="which parameters drive the spread in the last year shown "
                                                          "(needs at least 32 members)"),
) -> None:
    """Run a scenario over K ensemble members: bands and the shares of variance from parameters and seeds."""
    from sim import EnsembleError
    from sim.ensemble_drivers import MIN_MEMBERS

    if drivers and members < MIN_MEMBERS:
        fail(f"--members {members}: expected at least {MIN_MEMBERS} with --drivers (below that the indices' "
             "intervals span most of 0 to 1)")
    sc = _load_scenario(scenario, scale, end_year)
    shown = [int(y) for y in years.split(",")] if years else None
    result = _run_over_ensemble(sc, members, replicates, f"{members} members x {replicates} seeds")
    console.print(_shares_table(result, shown, level))
    if out is not None:
        _write(out, result.bands(level).merge(result.variance_shares(), on=["year", "outcome", "county"]))
    if drivers:
        try:
            table = result.drivers(year=max(shown) if shown else None, level=level)
        except EnsembleError as e:
            fail(e.problems)
        console.print(_drivers_table(table, level))
        if out is not None:
            _write(out.with_name(f"{out.stem}_drivers.csv"), table)


@ensemble_app.command("check")
def check(
    observed: Path = typer.Argument(..., help="CSV of observed figures: year, county, outcome, value; "
                                    "or in data/figures.csv's layout (geography, year, indicator, value, unit)"),
    members: int = typer.Option(20, "--members", min=2, help="ensemble members drawn (K)"),
    replicates: int = typer.Option(2, "--replicates", min=2, help="seeds per member (R)"),
    scale: float = typer.Option(0.05, "--scale", min=0.001, max=1.0, help="sampled share of the population"),
    level: float = typer.Option(0.9, "--level", min=0.5, max=0.99, help="band level"),
    scenario: Path = typer.Option(Path("scenarios/tieling_reform_2020.yaml"), "--scenario", help="the forecast"),
) -> None:
    """Say whether each observed figure lies inside the ensemble's band of the 2020-start forecast."""
    from experiments.forecast_check import check_forecast, load_observed
    from sim import EnsembleError

    try:
        loaded = load_observed(observed)
    except EnsembleError as e:
        fail(e.problems)
    obs = loaded.figures
    if loaded.skipped:
        reasons = Counter(reason for _, reason in loaded.skipped)
        console.print(f"{observed.name}: {len(obs)} figures to check; {len(loaded.skipped)} rows skipped: "
                      + "; ".join(f"{n} {r}" for r, n in reasons.most_common()), highlight=False)
    sc = _load_scenario(scenario, scale, int(obs.year.max()))
    result = _run_over_ensemble(sc, members, replicates, "forecast")
    table = check_forecast(obs, result, level)
    t = Table(title=f"observed against the {level:.0%} band of {members} members x {replicates} seeds "
                    f"({scenario.name}, scale {scale:g})")
    for col in ("year", "county", "outcome", "observed", "band", "inside"):
        t.add_column(col, justify="left" if col in ("county", "outcome") else "right")
    for r in table.itertuples():
        fmt = (lambda v: f"{100 * v:.2f}%") if r.outcome.endswith("_rate") else (lambda v: f"{v:,.0f}")
        t.add_row(str(r.year), r.county, r.outcome, fmt(r.observed), f"{fmt(r.lo)} - {fmt(r.hi)}",
                  "yes" if r.inside else "NO")
    console.print(t)
    console.print(f"{int(table.inside.sum())} of {len(table)} figures inside the band", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the `ensemble` group to the `urbsim` app."""
    app.add_typer(ensemble_app, name="ensemble")


def main() -> None:
    run_alone(register, "The parameter ensemble.", no_args_is_help=True)


if __name__ == "__main__":
    main()
