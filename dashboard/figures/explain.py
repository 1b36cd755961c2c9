"""Why the last compared run differs from the baseline, part by part (`sim.explain_breakdown`):
three panels of horizontal bars, each bar a part's paired difference over the period with its
interval as an error bar, the total on top and the parts below it adding up to it:
settlements (by pathway, agent kind, county), the change of hukou holders (by flow of the
register, by county) and the net people-linked budget (income items, spending items counted
negative, by county). Drawn in the budget tab."""
from __future__ import annotations

from typing import Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import sim

from .. import i18n
from ..data import RunSet
from ..i18n.budget import term
from .base import FONT

LEVEL = 0.9
YI = 1e8
# panel -> (measure, unit, [(measure, by, sign)]): the parts drawn under the panel's total
PANELS = (
    ("settlements", "persons", [("settlements", "pathway", 1), ("settlements", "kind", 1),
                                ("settlements", "county", 1)]),
    ("hukou_holders", "persons", [("hukou_holders", "flow", 1), ("hukou_holders", "county", 1)]),
    ("budget_net", "yuan", [("budget_income", "item", 1), ("budget_spending", "item", -1),
                            ("budget_net", "county", 1)]),
)
COLOURS = {"total": "#222222", "pathway": "#0072B2", "kind": "#E69F00", "county": "#009E73", "flow": "#CC79A7",
           "item": "#56B4E9", "spending_item": "#D55E00"}
COUNTY_NAMES = {c.code: (c.zh, c.en) for c in sim.COUNTIES}

_CACHE: dict[tuple, tuple] = {}     # the results behind run keys never change: compute once


def breakdown(runsets: Sequence[RunSet], baseline_key: str | None):
    """(breakdown of the last run against the baseline, baseline label, other label, start, end),
    or None with fewer than two runs."""
    from ..budget_tab import baseline_label, period, runs_by_label
    base = baseline_label(runsets, baseline_key)
    others = [rs.label for rs in runsets if rs.label != base]
    if not others:
        return None
    key = (tuple((rs.key, rs.label) for rs in runsets), baseline_key)
    if key not in _CACHE:
        if len(_CACHE) >= 16:
            _CACHE.pop(next(iter(_CACHE)))
        runs = runs_by_label(runsets)
        start, end = period(runsets)
        b = sim.explain_breakdown(runs[base], runs[others[-1]], start, end, level=LEVEL)
        _CACHE[key] = (b, base, others[-1], start, end)
    return _CACHE[key]


def component_label(by: str, component: str, lang: str, key: str | None = None) -> str:
    """'县区：银州区', 'Pathway: home purchase', ...; `key` names the prefix when it is not `by`."""
    if component == "total":
        return i18n.t("explain_total", lang)
    if by == "county":
        name = COUNTY_NAMES[component][0 if lang == "zh" else 1]
    elif by in ("pathway", "kind"):
        name = i18n.option(component, lang)
    else:
        name = term(component, lang)
    sep = "：" if lang == "zh" else ": "
    return f"{i18n.t('explain_short_' + (key or by), lang)}{sep}{name}"


def panel_rows(b: pd.DataFrame, measure: str, parts: list, lang: str) -> list[tuple]:
    """(label, colour key, diff, low, high) of the panel's total and its parts, signed."""
    total = b[(b.measure == measure) & (b.component == "total")].iloc[0]
    rows = [(i18n.t("explain_total", lang), "total", total["diff"], total["low"], total["high"])]
    for m, by, sign in parts:
        part = b[(b.measure == m) & (b.by == by) & (b.component != "total")]
        colour = "spending_item" if sign < 0 else by
        for r in part.itertuples():
            label = component_label(by, r.component, lang, colour)
            lo, hi = (r.low, r.high) if sign > 0 else (-r.high, -r.low)
            rows.append((label, colour, sign * r.diff, lo, hi))
    return rows


def figure_for(runsets: Sequence[RunSet], baseline_key: str | None, lang: str) -> go.Figure:
    """The breakdown of the last run against the baseline (at least two runs)."""
    b, base, other, start, end = breakdown(runsets, baseline_key)
    key = next(rs.key for rs in runsets if rs.label == other)
    return fig_explain(b, base, other, start, end, lang, key)


def fig_explain(b: pd.DataFrame, base: str, other: str, start: int, end: int, lang: str,
                run_key: str = "") -> go.Figure:
    """The three panels; bars of one colour per kind of split, legend entries in `lang`;
    `run_key` marks the bars as the differences of that run."""
    titles = [f"{i18n.t('explain_panel_' + m, lang)} ({i18n.t('yi_yuan', lang) if u == 'yuan' else i18n.unit(u, lang)})"
              for m, u, _ in PANELS]
    fig = make_subplots(rows=1, cols=len(PANELS), subplot_titles=titles, horizontal_spacing=0.17)
    in_legend: set[str] = set()
    n = int(b.n.iloc[0])
    for c, (measure, unit, parts) in enumerate(PANELS, start=1):
        scale = YI if unit == "yuan" else 1.0
        fmt = ",.2f" if unit == "yuan" else ",.0f"
        rows = panel_rows(b, measure, parts, lang)
        for colour in dict.fromkeys(r[1] for r in rows):
            sel = [r for r in rows if r[1] == colour]
            diff = [r[2] / scale for r in sel]
            lo = [r[3] / scale for r in sel]
            hi = [r[4] / scale for r in sel]
            fig.add_trace(go.Bar(
                y=[r[0] for r in sel], x=diff, orientation="h", name=i18n.t("explain_by_" + colour, lang),
                legendgroup=colour, showlegend=colour not in in_legend, marker_color=COLOURS[colour],
                error_x={"type": "data", "symmetric": False, "thickness": 1, "width": 3, "color": "#333",
                         "array": [h - d if pd.notna(h) else 0 for d, h in zip(diff, hi)],
                         "arrayminus": [d - lw if pd.notna(lw) else 0 for d, lw in zip(diff, lo)]},
                customdata=[[lw, h] for lw, h in zip(lo, hi)],
                hovertemplate=f"%{{y}}: %{{x:{fmt}}} [%{{customdata[0]:{fmt}}}, %{{customdata[1]:{fmt}}}]<extra></extra>",
                meta={"kind": "explain", "run": run_key or other, "measure": measure, "split": colour}),
                row=1, col=c)
            in_legend.add(colour)
        fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=[r[0] for r in rows],
                         row=1, col=c)
        fig.add_vline(x=0, line={"color": "#888", "width": 1}, row=1, col=c)
    height = 160 + 22 * max(len(panel_rows(b, m, p, lang)) for m, _, p in PANELS)
    fig.update_layout(
        title={"text": i18n.t("explain_fig_title", lang).format(a=base, b=other, start=start, end=end, n=n,
                                                                 level=f"{LEVEL:.0%}"),
               "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        template="plotly_white", font={"family": FONT, "size": 11}, height=height, barmode="overlay",
        margin={"l": 10, "r": 20, "t": 90, "b": 60}, hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.04, "xanchor": "left", "x": 0})
    fig.update_yaxes(automargin=True)
    fig.update_xaxes(tickformat=",.2~f")
    return fig
