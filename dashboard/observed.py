"""The record beside the simulated lines: census counts (2010, 2020) and the published registered
population (2017-2019), from `sim.observed_points()`, drawn as markers on the time charts so that
anyone sees where the model meets the record and where it does not (docs/calibration.md says which
points the calibration fitted and which it held out)."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

import sim

from . import i18n

# role -> (marker symbol, translation key): filled where the calibration fitted the point, open
# where it was held out; census counts as squares.
STYLE = {"census": ("square", "observed_census"), "fit": ("diamond", "observed_fit"),
         "held_out": ("diamond-open", "observed_held_out")}


@lru_cache(maxsize=1)
def points() -> pd.DataFrame:
    return sim.observed_points()


def hover_source(rows: pd.DataFrame, role: str, lang: str) -> list[str]:
    """Where each point comes from: the record's own words in English; in Chinese the place, the
    year and what kind of record it is (the sources are English rows of figures.csv)."""
    if lang != "zh":
        return list(rows.source)
    kind = i18n.t(STYLE[role][1], lang)
    return [f"{sim.county_label(c, lang)}，{y} 年 · {kind}" for c, y in zip(rows.county, rows.year)]


def add_observed(fig: go.Figure, outcome: str, area: str, years: tuple[int, int], lang: str, row: int,
                 shown: set[str], factor: float = 1.0) -> None:
    """Markers of the record for `outcome` in `area` within `years` (first, last), values times
    `factor` (100 where the chart shows a share in %); one legend entry per role (`shown` collects
    those already in the legend)."""
    p = points()
    p = p[(p.outcome == outcome) & (p.county == area) & p.year.between(*years)]
    for role, rows in p.groupby("role", sort=False):
        symbol, key = STYLE[role]
        fig.add_trace(go.Scatter(
            x=rows.year, y=rows.value * factor, mode="markers", name=i18n.t(key, lang),
            meta={"kind": "observed", "role": role, "outcome": outcome}, legendgroup=f"observed-{role}",
            showlegend=role not in shown, marker={"symbol": symbol, "size": 10, "color": "#222",
                                                  "line": {"width": 1.5, "color": "#222"}},
            customdata=hover_source(rows, role, lang), hovertemplate="%{x}: %{y:,.4~g}<br>%{customdata}<extra></extra>"),
            row=row, col=1)
        shown.add(role)
