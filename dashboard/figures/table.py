"""The summary table: every outcome of one area in one year, a column per run, mean [band]."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import pandas as pd

import sim

from .. import i18n
from ..data import RunSet
from .base import (ViewOptions, axis_unit, band, baseline_of, is_fraction, item_label, outcome_items,
                   outcome_unit, present_outcomes, shown, values_for, view_year)
from .drawing import hover_format

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

