"""Time charts: outcomes of one area over the years, one panel per unit, runs by colour, items by
line style, the record (census and registered points) beside the lines; and the tabs drawn so."""
from __future__ import annotations

from typing import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

import sim

from .. import i18n
from ..data import RunSet
from ..observed import add_observed
from .base import (COLORS, DASHES, Block, Item, ViewOptions, axis_unit, county_name, is_fraction, item_label,
                   missing_note, present_items, seed_notes, shown, title_of, values_for)
from .targets import add_targets
from .drawing import add_band, add_band_legend, axis_format, base_layout, hover_format, year_axis


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
            if opts.mode == "levels" and group == "all" and years:   # the record and the targets beside the lines
                span, factor = (min(years), max(years)), 100.0 if is_fraction(outcome) else 1.0
                add_observed(fig, outcome, area, span, opts.lang, r, in_legend, factor)
                add_targets(fig, outcome, area, span, opts.lang, r, factor)
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
                                ["migrant_public_school_share"],
                                ["school_places"],
                                [("service_congestion", "school"), ("service_congestion", "clinic")]]),
    "housing": ("tab_housing", [["public_rental_queue"], ["public_rental_stock", "public_rental_occupancy"],
                                ["homes_bought"]]),
    "money": ("tab_money", [["transfers"], ["land_quota_m2"]]),
}



def time_view(runsets: Sequence[RunSet], opts: ViewOptions, tab: str, panels: list[list],
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

