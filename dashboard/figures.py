"""Figures and tables of the comparison views, built from RunSets without a browser.

Every view takes the compared runs and the view options and returns blocks: a figure,
a table, or a note (an outcome the model does not report yet is a note, not an error).
Replicates are drawn as a band (min-max or 10th-90th percentile) around their mean.
In "difference" mode each run is shown minus the baseline run, replicate by replicate
when both used the same seeds (common random numbers), otherwise minus the baseline mean.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import sim

from . import i18n
from .data import RunSet
from .observed import add_observed

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


# --- labels -----------------------------------------------------------------

def outcome_label(name: str, lang: str) -> str:
    info = sim.OUTCOMES.get(name)
    if info:
        return info.label(lang)
    return i18n.t("derived_" + name, lang) if name in DERIVED else name


def outcome_unit(name: str) -> str:
    info = sim.OUTCOMES.get(name)
    if info:
        return info.unit
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


# --- building blocks of figures -------------------------------------------------

def rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def base_layout(fig: go.Figure, title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        template="plotly_white", font={"family": FONT, "size": 12}, height=height,
        margin={"l": 60, "r": 20, "t": 70, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.07, "xanchor": "left", "x": 0},
        hovermode="x unified",
    )
    return fig


def add_band(fig: go.Figure, y: pd.DataFrame, *, colour: str, name: str, key: str, outcome: str,
             band_kind: str, dash: str = "solid", showlegend: bool = True, row: int | None = None,
             col: int | None = None, hover_fmt: str = ",.0f") -> None:
    """A replicate band (skipped for one replicate) and the mean line of one run."""
    if y.empty:
        return
    mean, lo, hi = band(y, band_kind)
    x = [int(v) for v in mean.index]
    pos = {"row": row, "col": col} if row is not None else {}
    if y.shape[1] > 1:
        fig.add_trace(go.Scatter(
            x=x + x[::-1], y=list(hi.values) + list(lo.values[::-1]), fill="toself", mode="lines",
            line={"width": 0}, fillcolor=rgba(colour, 0.16), hoverinfo="skip", showlegend=False,
            legendgroup=key, name=name, meta={"run": key, "outcome": outcome, "kind": "band"}), **pos)
    fig.add_trace(go.Scatter(
        x=x, y=list(mean.values), mode="lines+markers", marker={"size": 4}, name=name, legendgroup=key,
        showlegend=showlegend, line={"color": colour, "dash": dash, "width": 2},
        hovertemplate=f"%{{y:{hover_fmt}}}",
        meta={"run": key, "outcome": outcome, "kind": "mean"}), **pos)


def band_text(runsets: Sequence[RunSet], opts: ViewOptions) -> str | None:
    """What the shaded bands are, for the legend; None when no run has two replicates."""
    n = max((rs.n_replicates for _, rs in shown(runsets, opts)), default=0)
    if n < 2:
        return None
    key = "band_legend_diff" if opts.mode == "difference" else "band_legend"
    return i18n.t(key, opts.lang).format(n=n, band=i18n.t("band_" + opts.band, opts.lang))


def add_band_legend(fig: go.Figure, runsets: Sequence[RunSet], opts: ViewOptions, bars: bool = False) -> None:
    """One legend entry that says what the bands (or error bars) are: the spread over replicates
    run with the same seeds in every scenario, so differences are paired replicate by replicate."""
    text = band_text(runsets, opts)
    if text is None:
        return
    if bars:
        text = i18n.t("bars_legend", opts.lang) + text
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=text, hoverinfo="skip",
                             line={"color": "rgba(120,120,120,0.35)", "width": 10},
                             meta={"kind": "band-legend"}))


def year_axis(fig: go.Figure, runsets: Sequence[RunSet]) -> None:
    """Whole years on the x axis: every year for short runs, every 5th for long ones."""
    years = [y for rs in runsets for y in rs.wide.index.get_level_values("year").unique()]
    span = (max(years) - min(years)) if years else 0
    fig.update_xaxes(tickformat="d", dtick=1 if span <= 10 else 5)


def hover_format(outcome: str) -> str:
    """Number format for an outcome's values (fractions are shown in percent)."""
    u = outcome_unit(outcome)
    if u == "fraction":
        return ".2f"
    if u in ("0-1", "share"):
        return ".3f"
    return ",.2f" if "/household" in u else ",.0f"


def axis_format(outcome: str) -> str:
    """Tick format of an outcome's axis: plain numbers with separators (plotly's SI default printed
    299.9999999999999432M for 3 亿 yuan), decimals only where ticks need them (a near-flat difference)."""
    fmt = hover_format(outcome)
    return ",.2~f" if fmt == ",.0f" else fmt


def missing_note(outcomes: Iterable[str], lang: str) -> Block:
    names = [f"{outcome_label(o, lang)} ({o})" for o in outcomes]
    return Block("note", text=i18n.t("not_in_results", lang) + "; ".join(names))


# --- figures ------------------------------------------------------------------------

Item = tuple[str, str]          # (outcome, group)


def item_label(item: Item, lang: str) -> str:
    outcome, group = item
    text = outcome_label(outcome, lang)
    return text if group == "all" else f"{text} · {i18n.option(group, lang)}"


def fig_time_panels(runsets: Sequence[RunSet], opts: ViewOptions, panels: Sequence[Sequence[Item]],
                    title_key: str, area: str | None = None) -> go.Figure:
    """One subplot per panel; in a panel, items (outcome, group) differ by line style, runs by colour."""
    area = area or opts.area
    titles = [" / ".join(item_label(it, opts.lang) for it in p) + f" ({axis_unit(p[0][0], opts)})" for p in panels]
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, subplot_titles=titles,
                        vertical_spacing=0.12 if len(panels) > 1 else 0.05)
    years = [y for rs in runsets for y in rs.wide.index.get_level_values("year").unique()]
    in_legend: set[str] = set()
    for r, panel in enumerate(panels, start=1):
        for j, (outcome, group) in enumerate(panel):
            for i, rs in shown(runsets, opts):
                y = values_for(rs, runsets, opts, outcome, area, group)
                name = rs.label if len(panel) == 1 else f"{rs.label} · {item_label((outcome, group), opts.lang)}"
                add_band(fig, y, colour=COLORS[i % len(COLORS)], name=name, key=rs.key, outcome=outcome,
                         band_kind=opts.band, dash=DASHES[j % len(DASHES)],
                         showlegend=(r == 1 or len(panel) > 1), row=r, col=1,
                         hover_fmt=hover_format(outcome))
            if opts.mode == "levels" and group == "all" and years:   # the record beside the lines
                add_observed(fig, outcome, area, (min(years), max(years)), opts.lang, r, in_legend,
                             100.0 if is_fraction(outcome) else 1.0)
        if opts.mode == "difference":
            fig.add_hline(y=0, line={"color": "#888", "width": 1}, row=r, col=1)
        fig.update_yaxes(tickformat=axis_format(panel[0][0]), row=r, col=1)
    add_band_legend(fig, runsets, opts)
    base_layout(fig, title_of(title_key, opts, county_name(area, opts.lang)), height=260 + 230 * len(panels))
    year_axis(fig, runsets)
    return fig


def fig_urbanization(runsets: Sequence[RunSet], opts: ViewOptions) -> go.Figure:
    """Resident (solid) and hukou (dashed) urbanization rates, and their gap below."""
    return fig_time_panels(runsets, opts, [[("resident_urbanization_rate", "all"), ("hukou_urbanization_rate", "all")],
                                           [("urbanization_gap", "all")]], "fig_rates")


def at_year(rs: RunSet, runsets: Sequence[RunSet], opts: ViewOptions, outcome: str, year: int,
            group: str = "all") -> pd.DataFrame:
    """County x replicate values of an outcome in one year (differenced when asked)."""
    wide = rs.in_year(outcome, year, group)
    wide = wide.reindex([c for c in COUNTY_CODES if c in wide.index])
    if is_fraction(outcome):
        wide = wide * 100
    if opts.mode == "difference":
        base = baseline_of(runsets, opts)
        if base is not rs:
            b = at_year(base, runsets, replace(opts, mode="levels"), outcome, year, group)
            wide = minus_baseline(wide, b, paired(rs, base))
    return wide


def view_year(runsets: Sequence[RunSet], opts: ViewOptions) -> int:
    years = sorted(set().union(*(set(rs.wide.index.get_level_values("year")) for rs in runsets))) if runsets else []
    if not years:
        return 0
    return int(opts.year) if opts.year in years else int(years[-1])


def fig_county_bars(runsets: Sequence[RunSet], opts: ViewOptions,
                    outcomes: Sequence[str] = ("residents", "hukou_holders")) -> go.Figure:
    """Per-county bars of each outcome in the chosen year, one bar per run, band as error bars."""
    year = view_year(runsets, opts)
    titles = [f"{outcome_label(o, opts.lang)} ({axis_unit(o, opts)})" for o in outcomes]
    fig = make_subplots(rows=len(outcomes), cols=1, shared_xaxes=True, subplot_titles=titles, vertical_spacing=0.14)
    for r, outcome in enumerate(outcomes, start=1):
        for i, rs in shown(runsets, opts):
            y = at_year(rs, runsets, opts, outcome, year)
            if y.empty:
                continue
            mean, lo, hi = band(y, opts.band)
            fig.add_trace(go.Bar(
                x=[county_name(c, opts.lang).replace(" (", "<br>(") for c in mean.index], y=list(mean.values),
                name=rs.label,
                legendgroup=rs.key, showlegend=r == 1, marker_color=COLORS[i % len(COLORS)],
                error_y={"type": "data", "symmetric": False, "array": list((hi - mean).values),
                         "arrayminus": list((mean - lo).values), "thickness": 1, "width": 3},
                hovertemplate=f"%{{x}}: %{{y:{hover_format(outcome)}}}",
                meta={"run": rs.key, "outcome": outcome, "kind": "mean"}), row=r, col=1)
        fig.update_yaxes(tickformat=axis_format(outcome), row=r, col=1)
    add_band_legend(fig, runsets, opts, bars=True)
    base_layout(fig, title_of("tab_counties", opts, str(year)), height=280 + 240 * len(outcomes))
    fig.update_layout(barmode="group", hovermode="closest", margin={"b": 70},
                      legend={"y": -0.1})
    fig.update_xaxes(tickangle=0)
    return fig


def group_families(outcome: str, present: Iterable[str]) -> list[list[str]]:
    """Breakdown families of an outcome: declared in OUTCOMES[...].groups as
    'all; a, b, c; d, e' (families separated by ';'), then any undeclared groups found."""
    present = [g for g in dict.fromkeys(present) if g != "all"]
    declared: list[list[str]] = []
    info = sim.OUTCOMES.get(outcome)
    if info:
        for part in info.groups.split(";"):
            names = [g.strip() for g in part.split(",") if g.strip() and g.strip() != "all"]
            if names:
                declared.append(names)
    known = {g for fam in declared for g in fam}
    extra = [g for g in present if g not in known]
    fams = [[g for g in fam if g in present] for fam in declared]
    fams = [f for f in fams if f]
    if extra:
        fams.append(extra)
    return fams


def groups_present(runsets: Sequence[RunSet], outcome: str) -> list[str]:
    out: dict[str, None] = {}
    for rs in runsets:
        if outcome in rs.wide.index.get_level_values("outcome"):
            for g in rs.wide.loc[outcome].index.get_level_values("group").unique():
                out[g] = None
    return list(out)


def fig_stacked(runsets: Sequence[RunSet], opts: ViewOptions, outcome: str, groups: Sequence[str],
                title_key: str) -> go.Figure:
    """Stacked bars by group over the years, one column of subplots per run (replicate means)."""
    runs = shown(runsets, opts)
    fig = make_subplots(rows=1, cols=max(1, len(runs)), shared_yaxes=True,
                        subplot_titles=[rs.label for _, rs in runs], horizontal_spacing=0.04)
    palette = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999")
    for c, (_, rs) in enumerate(runs, start=1):
        for j, g in enumerate(groups):
            y = values_for(rs, runsets, opts, outcome, opts.area, g)
            if y.empty:
                continue
            mean = y.mean(axis=1)
            fig.add_trace(go.Bar(
                x=[int(v) for v in mean.index], y=list(mean.values), name=i18n.option(g, opts.lang),
                legendgroup=g, showlegend=c == 1, marker_color=palette[j % len(palette)],
                hovertemplate=f"%{{y:{hover_format(outcome)}}}",
                meta={"run": rs.key, "outcome": outcome, "group": g, "kind": "mean"}), row=1, col=c)
    n = max((rs.n_replicates for _, rs in runs), default=0)
    extra = f"{outcome_label(outcome, opts.lang)}, {i18n.t(title_key, opts.lang)}, {county_name(opts.area, opts.lang)}"
    base_layout(fig, title_of(extra, opts) + f" · {i18n.t('mean_of', opts.lang).format(n=n)}", height=440)
    fig.update_layout(barmode="relative", hovermode="x unified", bargap=0.15)
    fig.update_yaxes(tickformat=axis_format(outcome))
    year_axis(fig, runsets)
    return fig


@lru_cache(maxsize=4)
def load_geojson(path: str) -> dict:
    """Read a county GeoJSON (features with properties.adcode); read-only once loaded."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def fig_map(runsets: Sequence[RunSet], opts: ViewOptions, geojson: dict) -> go.Figure:
    """County choropleth of the chosen outcome in the chosen year, one map per run
    (per run other than the baseline in difference mode, on a diverging scale)."""
    year = view_year(runsets, opts)
    outcome, group = outcome_items(runsets, opts.outcome)[0]
    runs = shown(runsets, opts)
    n = max(1, len(runs))
    fig = make_subplots(rows=1, cols=n, specs=[[{"type": "choropleth"}] * n],
                        subplot_titles=[rs.label for _, rs in runs], horizontal_spacing=0.01)
    frames = []
    for _, rs in runs:
        y = at_year(rs, runsets, opts, outcome, year, group)
        frames.append(y.mean(axis=1) if not y.empty else pd.Series(dtype=float))
    vals_all = np.concatenate([f.to_numpy(dtype=float) for f in frames]) if frames else np.array([])
    finite = vals_all[np.isfinite(vals_all)]
    if opts.mode == "difference":
        m = float(np.abs(finite).max()) if finite.size and np.abs(finite).max() > 0 else 1.0
        zmin, zmax, scale = -m, m, "RdBu_r"
    else:
        zmin = float(finite.min()) if finite.size else 0.0
        zmax = float(finite.max()) if finite.size else 1.0
        scale = "Viridis"
    fmt, unit = hover_format(outcome), axis_unit(outcome, opts)
    for c, ((_, rs), vals) in enumerate(zip(runs, frames), start=1):
        if vals.empty:
            continue
        names = [county_name(code, opts.lang) for code in vals.index]
        fig.add_trace(go.Choropleth(
            geojson=geojson, featureidkey="properties.adcode", locations=[int(code) for code in vals.index],
            z=list(vals.values), zmin=zmin, zmax=zmax, colorscale=scale, text=names,
            hovertemplate=f"%{{text}}<br>%{{z:{fmt}}} {unit}<extra>{rs.label}</extra>",
            marker={"line": {"color": "white", "width": 1}}, showscale=c == n,
            colorbar={"title": {"text": unit}, "len": 0.8},
            name=rs.label, meta={"run": rs.key, "outcome": outcome, "group": group, "kind": "map"}), row=1, col=c)
    fig.update_geos(fitbounds="locations", visible=False)
    base_layout(fig, title_of(item_label((outcome, group), opts.lang), opts, f"{year}"), height=480)
    fig.update_layout(hovermode="closest", margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


def cell_text(y: pd.DataFrame, year: int, band_kind: str, fmt: str) -> str:
    """'mean  [low – high]' of one year's replicates, or '–' when there is no value."""
    if year not in y.index or y.loc[year].isna().all():
        return "–"
    v = y.loc[year].dropna()
    mean, lo, hi = (float(s.iloc[0]) + 0.0 for s in band(v.to_frame().T, band_kind))
    text = format(mean, fmt)
    if len(v) > 1:
        text += f"  [{format(lo, fmt)} – {format(hi, fmt)}]"
    return text


def summary_table(runsets: Sequence[RunSet], opts: ViewOptions) -> pd.DataFrame:
    """Outcomes of the chosen area in the chosen year: one row per outcome (per group when an
    outcome has no total), one column per run: the replicate mean with its band in brackets;
    in difference mode, the difference from the baseline."""
    year = view_year(runsets, opts)
    runs = shown(runsets, opts)
    have = present_outcomes(runsets)
    names = [o for o in sim.OUTCOMES if o in have] + sorted(have - set(sim.OUTCOMES))
    col_name, col_unit = i18n.t("indicator", opts.lang), i18n.t("unit", opts.lang)
    base = baseline_of(runsets, opts)
    diff = opts.mode == "difference"
    rows = []
    for o in names:
        fmt = hover_format(o)
        for item in outcome_items(runsets, o):
            unit = axis_unit(o, opts) if not diff else (
                i18n.t("unit_rate_diff", opts.lang) if is_fraction(o) else i18n.unit(outcome_unit(o), opts.lang))
            row = {col_name: item_label(item, opts.lang), col_unit: unit}
            columns = [(base, replace(opts, mode="levels"), f"{base.label} ({i18n.t('baseline', opts.lang)})")] \
                if diff else []
            columns += [(rs, opts, f"{rs.label} − {base.label}" if diff else rs.label) for _, rs in runs]
            for rs, o_opts, name in columns:
                y = values_for(rs, runsets, o_opts, o, opts.area, item[1])
                row[name] = cell_text(y, year, opts.band, fmt)
            rows.append(row)
    return pd.DataFrame(rows)


# --- the views --------------------------------------------------------------------------

# tab -> (title, panels); a panel lists outcome names, or (outcome, group) pairs, drawn together
TIME_VIEWS: dict[str, tuple[str, list[list]]] = {
    "population": ("tab_population", [["residents", "hukou_holders"],
                                      ["registered_outside", "residents_registered_elsewhere"],
                                      [("agents", "migrant_worker"), ("agents", "graduate"), ("agents", "household")]]),
    "statistics": ("tab_statistics", [["residents", "residents_registry_estimate", "residents_survey_estimate"]]),
    "permits": ("tab_permits", [["residence_permits"], ["residence_permits_new"]]),
    # children and places on panels of their own (10-25 thousand children beside 170-225 thousand
    # places would flatten the children's lines); the shortfall of admission drawn with them
    "schools": ("tab_schools", [["migrant_children", "migrant_children_in_public_school",
                                 "migrant_children_outside_public_school"],
                                ["school_places"],
                                [("service_congestion", "school"), ("service_congestion", "clinic")]]),
    "housing": ("tab_housing", [["public_rental_queue"], ["public_rental_stock", "public_rental_occupancy"],
                                ["homes_bought"]]),
    "money": ("tab_money", [["transfers"], ["land_quota_m2"]]),
}
TABS = ("urban", "population", "counties", "settle", "permits", "schools", "housing", "money", "budget",
        "statistics", "map", "explore", "table")


def present_items(runsets: Sequence[RunSet]) -> set[Item]:
    out: set[Item] = set()
    for rs in runsets:
        idx = rs.wide.index
        out.update(zip(idx.get_level_values("outcome"), idx.get_level_values("group")))
    out.update((name, g) for name, (a, b, _) in DERIVED.items() for (o, g) in list(out) if o == a and (b, g) in out)
    return out


def _time_view(runsets: Sequence[RunSet], opts: ViewOptions, tab: str, panels: list[list],
               title_key: str) -> list[Block]:
    have = present_items(runsets)
    items = [[(it, "all") if isinstance(it, str) else tuple(it) for it in p] for p in panels]
    kept = [[it for it in p if it in have] for p in items]
    missing = list(dict.fromkeys(o for p in items for (o, g) in p if (o, g) not in have))
    blocks = []
    if any(kept):
        fig = fig_time_panels(runsets, opts, [p for p in kept if p], title_key)
        notes = seed_notes(runsets, opts)
        if any(o == "service_congestion" for p in kept for (o, _) in p):
            notes.append(congestion_note(opts.lang))
        blocks.append(Block("graph", f"fig-{tab}", fig, notes=notes))
    if missing:
        blocks.append(missing_note(missing, opts.lang))
    return blocks


def congestion_note(lang: str) -> str:
    """What congestion 0-1 means, with the utilisation it starts at (the parameter's declared default)."""
    start = dict(sim.iter_parameters())["behaviour.services.congestion_start"].default
    return i18n.t("congestion_note", lang).format(start=f"{start:.0%}")


def outcome_items(runsets: Sequence[RunSet], outcome: str) -> list[Item]:
    """(outcome, "all") when the outcome has a total, else one item per group."""
    groups = groups_present(runsets, outcome)
    return [(outcome, "all")] if "all" in groups or not groups else [(outcome, g) for g in groups]


def _settle_view(runsets: Sequence[RunSet], opts: ViewOptions) -> list[Block]:
    if "settlements" not in present_outcomes(runsets):
        return [missing_note(["settlements"], opts.lang)]
    fams = group_families("settlements", groups_present(runsets, "settlements"))
    blocks = []
    for k, (fig_id, key) in enumerate((("fig-settle-pathway", "fig_by_pathway"), ("fig-settle-kind", "fig_by_kind"))):
        if k < len(fams):
            blocks.append(Block("graph", fig_id, fig_stacked(runsets, opts, "settlements", fams[k], key),
                                notes=seed_notes(runsets, opts) if k == 0 else []))
        else:
            blocks.append(Block("note", text=i18n.t("no_group_breakdown", opts.lang)
                                + f"{outcome_label('settlements', opts.lang)} — {i18n.t(key, opts.lang)}"))
    return blocks


def build_view(tab: str, runsets: Sequence[RunSet], opts: ViewOptions, geojson: dict | None = None) -> list[Block]:
    """The blocks of one tab for the compared runs."""
    if not runsets:
        return [Block("note", text=i18n.t("no_runs", opts.lang))]
    if opts.mode == "difference" and len(runsets) < 2:
        opts = replace(opts, mode="levels")
    have = present_outcomes(runsets)
    notes = seed_notes(runsets, opts)
    if tab == "urban":
        need = ["resident_urbanization_rate", "hukou_urbanization_rate", "urbanization_gap"]
        if not all(o in have for o in need):
            return [missing_note([o for o in need if o not in have], opts.lang)]
        return [Block("graph", "fig-urban", fig_urbanization(runsets, opts), notes=notes)]
    if tab in TIME_VIEWS:
        title_key, panels = TIME_VIEWS[tab]
        return _time_view(runsets, opts, tab, panels, title_key)
    if tab == "counties":
        need = [o for o in ("residents", "hukou_holders") if o in have]
        if not need:
            return [missing_note(["residents", "hukou_holders"], opts.lang)]
        return [Block("graph", "fig-counties", fig_county_bars(runsets, opts, need), notes=notes)]
    if tab == "settle":
        return _settle_view(runsets, opts)
    if tab == "map":
        if opts.outcome not in have:
            return [missing_note([opts.outcome], opts.lang)]
        if geojson is None:
            geojson = load_geojson(str(sim.geojson_path()))
        return [Block("graph", "fig-map", fig_map(runsets, opts, geojson), notes=notes)]
    if tab == "explore":
        if opts.outcome not in have:
            return [missing_note([opts.outcome], opts.lang)]
        return [Block("graph", "fig-explore",
                      fig_time_panels(runsets, opts, [outcome_items(runsets, opts.outcome)], "tab_explore"),
                      notes=notes)]
    if tab == "table":
        return [Block("table", "summary-table", table=summary_table(runsets, opts), notes=notes,
                      text=f"{county_name(opts.area, opts.lang)}, {view_year(runsets, opts)}")]
    if tab == "budget":
        from . import budget_tab
        if not {"budget_spending", "budget_income"} <= have:
            return [missing_note(["budget_spending", "budget_income"], opts.lang)]
        return budget_tab.build(runsets, opts, lambda panels, key: fig_time_panels(runsets, opts, panels, key))
    raise KeyError(f"unknown view {tab!r}; expected one of {', '.join(TABS)}")
