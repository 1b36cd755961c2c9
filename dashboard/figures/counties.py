"""County charts of one year: bars per county with replicate error bars, and the choropleth map."""
from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..data import RunSet
from .base import (COLORS, COUNTY_CODES, ViewOptions, axis_unit, baseline_of, band, county_name, is_fraction,
                   item_label, minus_baseline, outcome_items, outcome_label, paired, shown, title_of, view_year)
from .drawing import add_band_legend, axis_format, base_layout, hover_format

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

