"""Figures and tables of the comparison views, built from RunSets without a browser.

Every view takes the compared runs and the view options and returns blocks: a figure,
a table, or a note (an outcome the model does not report yet is a note, not an error).
The charts live in modules named for what they show: `time_charts` (outcomes over the years,
targets on them), `counties` (county bars and the map), `groups` (breakdowns by group),
`table` (the summary table); `base` and `drawing` hold what they share. The budget tab is
`dashboard.budget_tab`.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import sim

from .. import i18n
from ..data import RunSet
from .base import (COLORS, COUNTY_CODES, DASHES, DERIVED, FONT, Block, Item, ViewOptions, axis_unit, baseline_of,
                   band, county_name, groups_present, is_fraction, item_label, minus_baseline, missing_note,
                   outcome_items, outcome_label, outcome_unit, paired, present_items, present_outcomes, seed_notes,
                   series, shown, title_of, values_for, view_year)
from .counties import at_year, fig_county_bars, fig_map, load_geojson
from .drawing import (add_band, add_band_legend, axis_format, band_text, base_layout, hover_format, rgba,
                      year_axis)
from .groups import fig_stacked, group_families, settle_view
from .table import cell_text, summary_table
from .time_charts import TIME_VIEWS, congestion_note, fig_time_panels, fig_urbanization, time_view

TABS = ("urban", "population", "counties", "settle", "permits", "schools", "housing", "money", "budget",
        "statistics", "map", "explore", "table")

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
        return time_view(runsets, opts, tab, panels, title_key)
    if tab == "counties":
        need = [o for o in ("residents", "hukou_holders") if o in have]
        if not need:
            return [missing_note(["residents", "hukou_holders"], opts.lang)]
        return [Block("graph", "fig-counties", fig_county_bars(runsets, opts, need), notes=notes)]
    if tab == "settle":
        return settle_view(runsets, opts)
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
        from .. import budget_tab
        if not {"budget_spending", "budget_income"} <= have:
            return [missing_note(["budget_spending", "budget_income"], opts.lang)]
        return budget_tab.build(runsets, opts, lambda panels, key: fig_time_panels(runsets, opts, panels, key))
    raise KeyError(f"unknown view {tab!r}; expected one of {', '.join(TABS)}")
