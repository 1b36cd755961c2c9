"""The model's inputs as DataFrames, for notebooks and scripts:

    sim.parameters_table()   one row per behavioural parameter (sim.PARAMETERS)
    sim.levers_table()       one row per policy lever (sim.LEVERS)

Both share the columns path, kind, default, low, high, unit, so that a sweep's factors can
be picked from either with the same code.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from .parameters import PARAMETERS
from .policies.levers import CLAUSES, LEVERS


def parameters_table() -> pd.DataFrame:
    """Behavioural parameters: path, block, kind, default (calibrated where fitted), declared,
    calibrated, low, high, unit, assumption, source. Parameters have no display labels; the
    source says where each value comes from or why it is an assumption."""
    rows = [{"path": p.path, "block": p.block, "kind": p.kind, "default": p.default, "declared": p.declared,
             "calibrated": p.calibrated, "low": p.lo, "high": p.hi, "unit": p.unit,
             "assumption": p.assumption, "source": p.source} for p in PARAMETERS]
    return pd.DataFrame(rows)


def levers_table() -> pd.DataFrame:
    """Policy levers: path, kind, default, low, high, options, unit, label_zh, label_en, clause
    (number and its title in Chinese and English), note. Choice and multi values are strings
    and lists of strings, as in a scenario file."""
    rows = []
    for lv in LEVERS:
        d = dataclasses.asdict(lv)
        zh, en = CLAUSES[lv.clause]
        rows.append({"path": d["path"], "kind": d["kind"], "default": d["default"], "low": d["lo"], "high": d["hi"],
                     "options": list(d["options"]), "unit": d["unit"], "label_zh": d["zh"], "label_en": d["en"],
                     "clause": lv.clause, "clause_zh": zh, "clause_en": en, "note": d["note"]})
    return pd.DataFrame(rows)
