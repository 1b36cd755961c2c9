"""The public `sim` namespace: every exported name resolves, `import sim` alone stays light,
and the parameter and lever tables carry what the schema declares."""
from __future__ import annotations

import subprocess
import sys
import types

import pytest

import sim
from sim.parameters import Behaviour


def test_every_exported_name_resolves_and_is_listed():
    for name in sim.__all__:
        value = getattr(sim, name)
        assert value is not None and not isinstance(value, types.ModuleType), name
        assert name in dir(sim)
    with pytest.raises(AttributeError, match="no attribute 'not_a_name'"):
        sim.not_a_name


def test_import_sim_loads_neither_mesa_nor_pandas_nor_the_model():
    code = ("import sys, sim; heavy = [m for m in ('mesa', 'pandas', 'pydantic', 'sim.model', 'sim.reference') "
            "if m in sys.modules]; print(heavy); sim.load_scenario; print('mesa' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"          # nothing heavy at `import sim`
    assert out[1] == "False"       # reading scenarios does not need Mesa either


def test_a_public_name_shared_with_a_submodule_stays_the_public_object():
    # sim/scorecard.py defines scorecard(); importing the submodule first must not hide the function
    code = ("import sim.scorecard, sim.runner, types; import sim; "
            "print(isinstance(sim.scorecard, types.FunctionType), sim.run.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "sim.runner"]


def test_parameters_table_matches_the_schema():
    table = sim.parameters_table()
    paths = [p for p, _ in sim.iter_parameters()]
    assert list(table.path) == paths and table.path.is_unique
    assert {"path", "kind", "default", "low", "high", "unit", "source", "assumption", "calibrated"} <= set(table.columns)
    assert (table.low <= table.default).all() and (table.default <= table.high).all()
    # the defaults are those a scenario gets when it leaves the behaviour block out
    scenario_defaults = sim.parse_scenario("name: x\n").behaviour
    for row in table.itertuples():
        _, block, name = row.path.split(".")
        assert getattr(getattr(scenario_defaults, block), name) == pytest.approx(row.default), row.path
        assert row.kind == ("int" if Behaviour.model_fields[block].annotation.model_fields[name].annotation is int
                            else "float")
    # an assumption says so in its source
    assert table[table.assumption].source.str.contains("assum").all() and table.source.str.len().gt(0).all()
    info = sim.PARAMETERS[0]
    assert isinstance(info, sim.ParameterInfo) and info.block == info.path.split(".")[1]


def test_levers_table_matches_levers():
    table = sim.levers_table()
    assert list(table.path) == [lv.path for lv in sim.LEVERS]
    row = table.set_index("path").loc["policy.graduates.settlement"]
    assert row.kind == "choice" and row.default == "unrestricted" and "closed" in row.options
    assert row.label_zh and row.label_en and row.clause == "五" and row.clause_zh.startswith("(五)")
    numeric = table[table.kind.isin(["int", "float"])]
    assert (numeric.low.astype(float) <= numeric.default.astype(float)).all()
    assert (numeric.default.astype(float) <= numeric.high.astype(float)).all()
