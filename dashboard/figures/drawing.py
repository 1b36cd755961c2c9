"""Drawing helpers shared by the charts: replicate bands around mean lines, the legend entry that
says what a band is, the layout, and number formats of axes and hover texts."""
from __future__ import annotations

from typing import Sequence

import pandas as pd
import plotly.graph_objects as go

from .. import i18n
from ..data import RunSet
from .base import FONT, ViewOptions, band, outcome_unit, shown

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
