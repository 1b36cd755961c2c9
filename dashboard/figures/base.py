"""What every chart of the comparison views shares: the view options, the blocks a view returns,
outcome labels and units, and the replicate values of a run (differenced from the baseline when asked).

In "difference" mode each run is shown minus the baseline run, replicate by replicate
when both used the same seeds (common random numbers), otherwise minus the baseline mean.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import sim

from .. import i18n
from ..data import RunSet

COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
DASHES = ("solid", "dash", "dot", "dashdot")
FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, Arial, sans-serif"
COUNTY_CODES = tuple(c.code for c in sim.COUNTIES)


@dataclass(frozen=True)
class ViewOptions:
    lang: str = i18n.DEFAULT_LANG
    mode: str = "levels"                 # "levels" | "difference"
    baseline: str | None = None          # key of the baseline RunSet (first run when None)
    band: str = "minmax"                 # "minmax" | "p10p90"
    area: str = sim.CITY_CODE            # county code for time-series views
    year: int | None = None              # year for county views, map and table (last when None)
    outcome: str = "resident_urbanization_rate"   # outcome for the map and the explorer


@dataclass
class Block:
    kind: str                            # "graph" | "table" | "note"
    id: str = ""
    figure: go.Figure | None = None
    table: pd.DataFrame | None = None
    text: str = ""
    notes: list[str] = field(default_factory=list)


# --- derived outcomes -------------------------------------------------------------

# Outcomes the dashboard computes from two the model reports: name -> (minuend, subtrahend,
# unit). Labels are in the translation table under "derived_<name>".
DERIVED: dict[str, tuple[str, str, str]] = {
    # the shortfall of public-school admission: migrant children aged 6-14 living here who are
    # not in a public school (no place left, or not eligible under the admission rule, clause 八)
    "migrant_children_outside_public_school": ("migrant_children", "migrant_children_in_public_school", "persons"),
}
# Shares the dashboard computes: name -> (numerator, denominator); a fraction, drawn in percent.
# The share admitted is what clause 八's targets judge (sim.scorecard.measure, data/targets.csv).
SHARES: dict[str, tuple[str, str]] = {
    "migrant_public_school_share": ("migrant_children_in_public_school", "migrant_children"),
}


# --- labels -----------------------------------------------------------------

def outcome_label(name: str, lang: str) -> str:
    info = sim.OUTCOMES.get(name)
    if info:
        return info.label(lang)
    return i18n.t("derived_" + name, lang) if name in DERIVED or name in SHARES else name


def outcome_unit(name: str) -> str:
    info = sim.OUTCOMES.get(name)
    if info:
        return info.unit
    if name in SHARES:
        return "fraction"
    return DERIVED[name][2] if name in DERIVED else ""


def is_fraction(name: str) -> bool:
    return outcome_unit(name) == "fraction"


def axis_unit(name: str, opts: ViewOptions) -> str:
    u = outcome_unit(name)
    if u == "fraction" and opts.mode == "difference":
        return i18n.unit("pp", opts.lang)
    return i18n.unit(u, opts.lang)


def county_name(code: str, lang: str) -> str:
    return sim.county_label(code, lang)


def title_of(key: str, opts: ViewOptions, extra: str = "") -> str:
    text = i18n.t(key, opts.lang) if key in i18n.UI else key
    if extra:
        text = f"{text} — {extra}"
    if opts.mode == "difference":
        text += i18n.t("diff_suffix", opts.lang)
    return text


# --- data access --------------------------------------------------------------

def present_outcomes(runsets: Sequence[RunSet]) -> set[str]:
    out: set[str] = set()
    for rs in runsets:
        out.update(rs.wide.index.get_level_values("outcome").unique())
    return out


def series(rs: RunSet, outcome: str, county: str = sim.CITY_CODE, group: str = "all") -> pd.DataFrame:
    """Year x replicate values of one outcome (fractions in percent)."""
    if outcome in DERIVED:
        a, b, _ = DERIVED[outcome]
        return rs.values(a, county, group).sub(rs.values(b, county, group)).dropna(how="all")
    if outcome in SHARES:
        num, den = (rs.values(o, county, group) for o in SHARES[outcome])
        return (num / den.where(den > 0) * 100).dropna(how="all")
    wide = rs.values(outcome, county, group)
    return wide * 100 if is_fraction(outcome) else wide


def baseline_of(runsets: Sequence[RunSet], opts: ViewOptions) -> RunSet | None:
    if not runsets:
        return None
    for rs in runsets:
        if rs.key == opts.baseline:
            return rs
    return runsets[0]


def paired(rs: RunSet, base: RunSet) -> bool:
    return bool(rs.seeds) and rs.seeds == base.seeds


def minus_baseline(values: pd.DataFrame, base_values: pd.DataFrame, pair: bool) -> pd.DataFrame:
    """Run minus baseline: replicate by replicate when paired, else minus the baseline mean."""
    if pair and list(values.columns) == list(base_values.columns):
        return values.sub(base_values, fill_value=np.nan).dropna(how="all")
    return values.sub(base_values.mean(axis=1), axis=0).dropna(how="all")


def shown(runsets: Sequence[RunSet], opts: ViewOptions) -> list[tuple[int, RunSet]]:
    """(colour index, run) pairs to draw: all runs, or all but the baseline when differencing."""
    base = baseline_of(runsets, opts)
    return [(i, rs) for i, rs in enumerate(runsets) if opts.mode != "difference" or rs is not base]


def values_for(rs: RunSet, runsets: Sequence[RunSet], opts: ViewOptions, outcome: str,
               county: str, group: str = "all") -> pd.DataFrame:
    y = series(rs, outcome, county, group)
    if opts.mode == "difference":
        base = baseline_of(runsets, opts)
        y = minus_baseline(y, series(base, outcome, county, group), paired(rs, base))
    return y


def band(y: pd.DataFrame, kind: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    mean = y.mean(axis=1)
    if kind == "p10p90":
        return mean, y.quantile(0.1, axis=1), y.quantile(0.9, axis=1)
    return mean, y.min(axis=1), y.max(axis=1)


def seed_notes(runsets: Sequence[RunSet], opts: ViewOptions) -> list[str]:
    """Notes under a difference view: seeds not shared with the baseline, no interval."""
    if opts.mode != "difference":
        return []
    base = baseline_of(runsets, opts)
    notes = []
    if any(not paired(rs, base) for _, rs in shown(runsets, opts)):
        notes.append(i18n.t("seeds_differ", opts.lang))
    if any(rs.n_replicates < 2 for rs in runsets):
        notes.append(i18n.t("no_interval", opts.lang))
    return notes


def missing_note(outcomes: Iterable[str], lang: str) -> Block:
    names = [f"{outcome_label(o, lang)} ({o})" for o in outcomes]
    return Block("note", text=i18n.t("not_in_results", lang) + "; ".join(names))



Item = tuple[str, str]          # (outcome, group)


def item_label(item: Item, lang: str) -> str:
    outcome, group = item
    text = outcome_label(outcome, lang)
    return text if group == "all" else f"{text} · {i18n.option(group, lang)}"


def view_year(runsets: Sequence[RunSet], opts: ViewOptions) -> int:
    years = sorted(set().union(*(set(rs.wide.index.get_level_values("year")) for rs in runsets))) if runsets else []
    if not years:
        return 0
    return int(opts.year) if opts.year in years else int(years[-1])


def groups_present(runsets: Sequence[RunSet], outcome: str) -> list[str]:
    out: dict[str, None] = {}
    for rs in runsets:
        if outcome in rs.wide.index.get_level_values("outcome"):
            for g in rs.wide.loc[outcome].index.get_level_values("group").unique():
                out[g] = None
    return list(out)


def present_items(runsets: Sequence[RunSet]) -> set[Item]:
    out: set[Item] = set()
    for rs in runsets:
        idx = rs.wide.index
        out.update(zip(idx.get_level_values("outcome"), idx.get_level_values("group")))
    pairs = [(name, a, b) for name, (a, b, _) in DERIVED.items()] + [(name, a, b) for name, (a, b) in SHARES.items()]
    out.update((name, g) for name, a, b in pairs for (o, g) in list(out) if o == a and (b, g) in out)
    return out


def outcome_items(runsets: Sequence[RunSet], outcome: str) -> list[Item]:
    """(outcome, "all") when the outcome has a total, else one item per group."""
    groups = groups_present(runsets, outcome)
    return [(outcome, "all")] if "all" in groups or not groups else [(outcome, g) for g in groups]

