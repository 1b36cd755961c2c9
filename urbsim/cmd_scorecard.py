"""`urbsim scorecard`: totals, per-settler figures and targets of scenarios over replicate seeds;
and the explanation printed by `urbsim compare --explain` (docs/budget.md)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
import typer
from rich.table import Table

from sim import Scenario, explain, explain_breakdown, scorecard, with_overrides
from sim.scorecard import replicates
from urbsim.ui import console, fail, progress_bar


def seeds_for(first: Scenario, n: int) -> list[int]:
    """The replicate seeds: the first scenario's seed and the next n-1 (shared by every scenario)."""
    return [first.seed + k for k in range(n)]


def run_replicates(scenarios: list[Scenario], n: int) -> dict[str, list]:
    if n < 1:
        fail(f"--replicates: expected a whole number of at least 1, found {n}")
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        fail(f"scenario names must differ to be compared, found {names}")
    seeds = seeds_for(scenarios[0], n)
    out = {}
    with progress_bar() as bar:
        for sc in scenarios:
            task = bar.add_task(sc.name, total=n)
            out[sc.name] = replicates(sc, seeds, progress=lambda done, total, t=task: bar.update(t, completed=done))
    return out


def _fmt(v: float) -> str:
    if pd.isna(v):
        return "–"
    if abs(v) >= 1e7:           # yuan totals: millions read at a glance
        return f"{v / 1e6:,.0f}M"
    return f"{v:,.3f}" if abs(v) < 2 else f"{v:,.0f}"


def _with_interval(mean: float, low: float, high: float) -> str:
    return _fmt(mean) if pd.isna(low) else f"{_fmt(mean)} [{_fmt(low)}, {_fmt(high)}]"


def print_explanation(runs: dict[str, list], start: int, end: int, level: float = 0.9) -> pd.DataFrame:
    """Each scenario against the first: the difference of each flow with its paired interval."""
    names = list(runs)
    frames = []
    for name in names[1:]:
        e = explain(runs[names[0]], runs[name], start, end, level=level)
        t = Table(title=f"why {name} differs from {names[0]}, {start}-{end} (city; mean over {e.n.iloc[0]} "
                        f"paired seeds, {level:.0%} interval)")
        for col in ("section", "component", names[0], name, "difference [interval]"):
            t.add_column(col, justify="left" if col in ("section", "component") else "right")
        for r in e.itertuples():
            t.add_row(r.section, r.component, _fmt(r.a), _fmt(r.b), _with_interval(r.diff, r.low, r.high))
        console.print(t)
        print_breakdown(explain_breakdown(runs[names[0]], runs[name], start, end, level), names[0], name, start,
                        end, level)
        frames.append(e.assign(scenario=name, baseline=names[0]))
    return pd.concat(frames, ignore_index=True)


def print_breakdown(b: pd.DataFrame, base: str, name: str, start: int, end: int, level: float) -> None:
    """The difference split by pathway, agent kind, budget item and county (sim.explain_breakdown)."""
    t = Table(title=f"{name} minus {base}, {start}-{end}, by pathway, agent kind, item and county "
                    f"(mean over {b.n.iloc[0]} paired seeds, {level:.0%} interval; parts add up to each total)")
    for col in ("measure", "by", "component", base, name, "difference [interval]"):
        t.add_column(col, justify="left" if col in ("measure", "by", "component") else "right")
    for r in b.itertuples():
        t.add_row(r.measure, r.by, r.component, _fmt(r.a), _fmt(r.b), _with_interval(r.diff, r.low, r.high))
    console.print(t)


def print_scorecard(card) -> None:
    t = Table(title=f"scorecard {card.start}-{card.end} (city; {card.level:.0%} intervals over seeds; "
                    f"differences from {card.baseline}, paired)")
    for col in ("scenario", "measure", "unit", "mean [interval]", "difference [interval]"):
        t.add_column(col, justify="left" if col in ("scenario", "measure", "unit") else "right")
    for r in card.totals.itertuples():
        t.add_row(r.scenario, r.measure, r.unit, _with_interval(r.mean, r.low, r.high),
                  _with_interval(r.diff, r.diff_low, r.diff_high))
    console.print(t)
    g = Table(title="targets (share of replicates that meet each; median first year met)")
    for col in ("scenario", "target", "clause", "met", "first year", "value"):
        g.add_column(col)
    for r in card.targets.itertuples():
        g.add_row(r.scenario, r.en, str(r.clause), f"{r.met_share:.0%}",
                  "–" if pd.isna(r.first_year) else str(int(r.first_year)), _fmt(r.value))
    console.print(g)


def register(app: typer.Typer) -> None:
    from urbsim.cli import load_with

    @app.command("scorecard")
    def scorecard_cmd(
        scenarios: list[Path] = typer.Argument(..., help="scenario files; the first is the baseline"),
        replicates_: int = typer.Option(3, "--replicates", help="runs per scenario, seeds shared (paired)"),
        scale: Optional[float] = typer.Option(None, help="sampled share of the population (0-1]"),
        start: int = typer.Option(2021, help="first year of the totals"),
        end: int = typer.Option(2035, help="last year of the totals"),
        out: Optional[Path] = typer.Option(None, "--out", help="CSV file for the totals"),
        report: Optional[Path] = typer.Option(None, "--report", help="HTML report to write"),
    ) -> None:
        """What each scenario costs and brings, per settler, and which targets it meets, over replicate seeds."""
        loaded = [load_with(f, scale, None, end, None) for f in scenarios]
        if start <= loaded[0].base_year or start > end:
            fail(f"--start: expected a year after the base year {loaded[0].base_year} and at most --end {end}, "
                 f"found {start}")
        loaded = [with_overrides(s, {"seed": loaded[0].seed}) for s in loaded]
        runs = run_replicates(loaded, replicates_)
        card = scorecard(runs, start=start, end=end)
        print_scorecard(card)
        if out is not None:
            from sim import write_text_whole
            write_text_whole(out, card.totals.to_csv(index=False))
            console.print(f"wrote {out}")
        if report is not None:
            from dashboard.report import from_results, report_html
            from sim import write_text_whole
            last = loaded[-1].name
            e = explain(runs[loaded[0].name], runs[last], start, end) if len(loaded) > 1 else None
            html = report_html(from_results(loaded, runs), card, e, last if e is not None else None, lang="zh")
            write_text_whole(report, html)
            console.print(f"wrote {report}")
