"""The model as Mesa's own tools use it: batch_run, the DataCollector, stepping year by year."""
from __future__ import annotations

import math

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import CITY_CODE, OUTCOMES, Scenario, ScenarioError, UrbanizationModel, run, with_overrides
from sim.mesa_api import reporter_name

from .conftest import SCENARIOS, small

LEVER = "policy.graduates.settlement"


def city_wide(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The run table's city rows as one column per reporter name, one row per year."""
    city = outcomes[outcomes.county == CITY_CODE]
    names = [reporter_name(o, g) for o, g in zip(city.outcome, city.group)]
    return city.assign(name=names).pivot(index="year", columns="name", values="value")


def test_batch_run_over_a_lever_and_seeds_gives_a_row_per_run_and_year(reform):
    sc = small(reform, scale=0.005, end_year=2022)
    rows = mesa.batch_run(UrbanizationModel, {"scenario": [sc], LEVER.replace(".", "__"): ["closed", "unrestricted"]},
                          rng=[1, 2], data_collection_period=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert len(df) == 2 * 2 * 3                         # runs x (base year + 2 years)
    assert sorted(df.groupby("RunId").year.apply(list).iloc[0]) == [2020, 2021, 2022]
    for col in ("residents", "hukou_urbanization_rate", "settlements.graduate", "agents.graduate"):
        assert col in df.columns
    # Every run's outcomes are those of sim.run on the same scenario and seed.
    for (lever, seed), one in df.groupby([LEVER.replace(".", "__"), "iteration"]):
        seed = [1, 2][seed]
        expected = city_wide(run(with_overrides(sc, {LEVER: lever, "seed": seed})).outcomes)
        got = one.set_index("year")[expected.columns]
        pd.testing.assert_frame_equal(got, expected, check_names=False, check_dtype=False)
    # The seeds make different runs; closed to graduates, nobody settles by that pathway.
    by_seed = df[df.year == 2022].groupby("iteration").residents.first()
    assert by_seed.iloc[0] != by_seed.iloc[1]
    graduates = df[df.year > 2020].groupby(LEVER.replace(".", "__"))["settlements.graduate"].sum()
    assert graduates["closed"] == 0 < graduates["unrestricted"]


def test_every_recorded_city_outcome_has_a_reporter(reform_small_result, reform):
    table = city_wide(reform_small_result.outcomes)
    model = UrbanizationModel(small(reform))
    reporters = set(model.datacollector.model_reporters) - {"year"}
    assert reporters == set(table.columns)
    assert {name.split(".")[0] for name in reporters} == set(OUTCOMES)


def test_stepping_year_by_year_reads_state_and_stops_at_the_end_year(reform):
    sc = small(reform, scale=0.005, end_year=2022)
    model = UrbanizationModel(sc)
    assert model.running and model.year == 2020
    seen = []
    while model.running:
        model.step()
        frame = model.datacollector.get_model_vars_dataframe()
        seen.append((model.year, len(frame), frame.year.iloc[-1], frame.residents.iloc[-1]))
    assert [s[:3] for s in seen] == [(2021, 2, 2021), (2022, 3, 2022)]
    assert model.steps == 2
    with pytest.raises(RuntimeError, match="end_year"):
        model.step()
    assert model.steps == 2 and model.year == 2022          # the refused step counted nothing
    with pytest.raises(RuntimeError, match="end_year"):
        model.step()
    # The collector's values are the run's.
    frame = model.datacollector.get_model_vars_dataframe().set_index("year")
    expected = city_wide(run(sc).outcomes)
    pd.testing.assert_frame_equal(frame[expected.columns], expected, check_names=False)
    assert math.isnan(frame.loc[2020, "births"]) and frame.loc[2021, "births"] > 0   # flows start after the base year


def test_mesa_run_model_equals_sim_run(reform):
    sc = small(reform, scale=0.005, end_year=2022)
    model = UrbanizationModel(sc)
    model.run_model()
    assert model.year == 2022
    pd.testing.assert_frame_equal(model.recorder.table(), run(sc).outcomes)


def test_overrides_as_keywords_dict_or_file(reform):
    sc = small(reform, scale=0.005)
    a = UrbanizationModel(sc, policy__purchase__enabled=False, rng=4).config
    b = UrbanizationModel(sc, overrides={"policy.purchase.enabled": False, "seed": 4}).config
    assert a == b == with_overrides(sc, {"policy.purchase.enabled": False, "seed": 4})
    from_file = UrbanizationModel(str(SCENARIOS / "tieling_reform_2020.yaml"), scale=0.005, end_year=2021).config
    assert from_file.name == reform.name and from_file.scale == 0.005
    default = UrbanizationModel(scale=0.005, end_year=2021, rng=np.int64(9)).config
    assert default == Scenario(name="default", scale=0.005, end_year=2021, seed=9)


@pytest.mark.parametrize("kwargs, message", [
    ({"rng": np.random.default_rng(1)}, "rng: expected an integer seed"),
    ({"rng": 1, "seed": 2}, "disagree"),
    ({"policy__no_such_lever": 1}, "no field policy.no_such_lever"),
    ({"scale": 2.0}, "scale"),
])
def test_bad_arguments_are_refused_with_the_field(reform, kwargs, message):
    with pytest.raises(ScenarioError, match=message):
        UrbanizationModel(small(reform), **kwargs)


def test_a_scenario_given_bare_to_batch_run_gets_a_hint(reform):
    with pytest.raises(ScenarioError, match=r"in a list"):
        mesa.batch_run(UrbanizationModel, {"scenario": small(reform)}, rng=[1], display_progress=False)
