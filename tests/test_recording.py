"""The named reporters of the outcomes table (sim/recording.py): one per declared outcome and group,
stocks every year, flows from the first simulated year, and the DataCollector reading them back."""
from __future__ import annotations

import numpy as np

from sim.model import UrbanizationModel
from sim.outcomes import OUTCOMES
from sim.places import CITY_CODE
from sim.recording import REPORTERS, declared_names, is_flow, reporter_name, split_name
from tests.conftest import small


def test_a_reporter_for_every_declared_outcome_and_group():
    assert sorted(REPORTERS) == sorted(declared_names())
    assert len(set(declared_names())) == len(declared_names())
    for name in REPORTERS:
        outcome, group = split_name(name)
        assert outcome in OUTCOMES and reporter_name(outcome, group) == name


def test_stocks_every_year_flows_after_the_base_year(reform):
    model = UrbanizationModel(small(reform, scale=0.005, end_year=2021))
    first = model.recorder.table()
    recorded = {reporter_name(o, g) for o, g in zip(first.outcome, first.group)}
    assert recorded == {n for n in REPORTERS if not is_flow(split_name(n)[0])}
    model.step()
    table = model.recorder.table()
    year = table[table.year == 2021]
    assert [reporter_name(o, g) for o, g in zip(year.outcome[::8], year.group[::8])] == list(REPORTERS)
    # The DataCollector's columns are the reporters' names, valued at the city's recorded value.
    frame = model.datacollector.get_model_vars_dataframe().set_index("year")
    assert set(frame.columns) == set(REPORTERS)
    city = year[year.county == CITY_CODE].set_index(["outcome", "group"]).value
    for name in REPORTERS:
        assert np.isclose(frame.loc[2021, name], city.loc[split_name(name)], equal_nan=True), name
