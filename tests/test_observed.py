"""Observed points (`sim.observed`): read from the data, never typed in the code; the city is the
sum of its counties; a figure missing from the data is named."""
from __future__ import annotations

import pandas as pd
import pytest

from sim import observed
from sim.places import CITY_CODE, CODES


def test_census_points_cover_both_censuses_and_the_city_is_their_sum():
    pts = observed.census_points()
    for year in (2010, 2020):
        res = pts[(pts.year == year) & (pts.outcome == "residents")].set_index("county").value
        assert set(res.index) == set(CODES) | {CITY_CODE}
        assert res[CITY_CODE] == pytest.approx(res[list(CODES)].sum())
    rates = pts[pts.outcome == "resident_urbanization_rate"].value
    assert ((rates > 0) & (rates < 1)).all()
    assert set(pts[pts.outcome == "hukou_holders"].year) == {2010}


def test_register_points_are_fitted_or_held_out():
    pts = observed.register_points()
    assert set(pts.role) == {"fit", "held_out"}
    assert pts.source.str.startswith("figures.csv").all()
    holders = pts[(pts.outcome == "hukou_holders") & (pts.county == CITY_CODE)]
    assert (holders.value > 1e6).all()             # 10,000 persons in the table, persons here


def test_a_figure_missing_from_the_data_is_named(monkeypatch):
    monkeypatch.setattr(observed, "_figures", lambda: pd.DataFrame(columns=["geography", "year", "indicator", "value"]))
    with pytest.raises(LookupError, match="figures.csv: expected one row"):
        observed.register_points()


def test_observed_points_are_both():
    assert len(observed.observed_points()) == len(observed.census_points()) + len(observed.register_points())
