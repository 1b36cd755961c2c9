"""The inputs as DataFrames (`sim.tables`): one row per declared parameter and lever, with the
same columns for picking sweep factors, defaults inside their bounds."""
from __future__ import annotations

from sim.parameters import PARAMETERS
from sim.policies.levers import CLAUSES, LEVERS
from sim.tables import levers_table, parameters_table

SHARED = ["path", "kind", "default", "low", "high", "unit"]


def test_one_row_per_parameter_with_its_bounds():
    t = parameters_table()
    assert list(t.path) == [p.path for p in PARAMETERS]
    assert set(SHARED) <= set(t.columns)
    numeric = t[t.low.notna() & t.high.notna()]
    assert ((numeric.low <= numeric.default) & (numeric.default <= numeric.high)).all()


def test_one_row_per_lever_with_its_clause():
    t = levers_table()
    assert list(t.path) == [lv.path for lv in LEVERS]
    assert set(SHARED) <= set(t.columns)
    assert all(t.clause_zh[i] == CLAUSES[c][0] for i, c in enumerate(t.clause))
    bounded = t[t.kind.isin(["int", "float"])]
    assert len(bounded) and ((bounded.low <= bounded.default.astype(float))
                             & (bounded.default.astype(float) <= bounded.high)).all()
