"""Breakdowns by group: stacked bars of an outcome's groups (pathway, kind of person) over the years."""
from __future__ import annotations

from typing import Iterable, Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

import sim

from .. import i18n
from ..data import RunSet
from .base import (Block, ViewOptions, county_name, groups_present, missing_note, outcome_label, present_outcomes,
                   seed_notes, shown, title_of, values_for)
from .drawing import axis_format, base_layout, hover_format, year_axis

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


def settle_view(runsets: Sequence[RunSet], opts: ViewOptions) -> list[Block]:
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

