"""The document's targets on the time charts: where `sim.targets()` (data/targets.csv) names a
level for an outcome a chart draws, a dotted line at that level across the chart's years, a
star at the year it is due, and the target's words and source on hover. Whether and when each
scenario meets it is the scorecard's job (`sim.scorecard`, the budget tab's targets table).

Targets judged by direction ("rising", "falling") have no level to draw and are left to the
scorecard. The Chinese view names the plan that set a target (`basis_zh`); the English view
adds the row of the source table it was read from.
"""
from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go

import sim

from .. import i18n

COLOUR = "#444"
DRAWN = ("at_least", "at_most")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@lru_cache(maxsize=1)
def levels() -> pd.DataFrame:
    """The targets with a level to draw (read once; the table ships with the model)."""
    t = sim.targets()
    return t[t.comparison.isin(DRAWN) & t.value.notna()].reset_index(drop=True)


def hover_text(target, lang: str) -> str:
    if lang == "zh":
        return f"{target.zh}<br>{i18n.t('target_source', lang)}{target.basis_zh}"
    source = f"; {target.source}" if not CJK.search(str(target.source)) else ""   # no Chinese in the English view
    return f"{target.en}<br>{i18n.t('target_source', lang)}{target.basis_en}{source}"


def add_targets(fig: go.Figure, outcome: str, area: str, years: tuple[int, int], lang: str, row: int,
                factor: float = 1.0) -> int:
    """Target lines of `outcome` in `area` across `years` (first, last), levels times `factor`
    (100 where the chart shows a share in %); returns how many were drawn."""
    rows = levels()
    rows = rows[(rows.measure == outcome) & (rows.county == area)]
    first, last = years
    for t in rows.itertuples():
        level = float(t.value) * factor
        name = i18n.t("target_prefix", lang) + (t.zh if lang == "zh" else t.en)
        text = hover_text(t, lang)
        fig.add_trace(go.Scatter(
            x=[first, last], y=[level, level], mode="lines", name=name, legendgroup=f"target-{t.id}",
            line={"color": COLOUR, "width": 1.5, "dash": "dot"}, hovertemplate=f"{text}<extra></extra>",
            meta={"kind": "target", "target": t.id, "outcome": outcome}), row=row, col=1)
        if pd.notna(t.by_year) and first <= int(t.by_year) <= last:
            fig.add_trace(go.Scatter(
                x=[int(t.by_year)], y=[level], mode="markers", name=name, legendgroup=f"target-{t.id}",
                showlegend=False, marker={"symbol": "star", "size": 12, "color": COLOUR},
                hovertemplate=f"{text}<extra></extra>",
                meta={"kind": "target-due", "target": t.id, "outcome": outcome}), row=row, col=1)
    return len(rows)
