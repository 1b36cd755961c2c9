"""The outcomes table's machinery (`sim.outcomes`): per-county sums with the city, the Recorder's
tidy table, and the headline view; and the one per-county sum (`sim.places.county_sums`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.outcomes import AREAS, COLUMNS, Recorder, by_county, headline
from sim.places import CITY_CODE, CODES, N_COUNTIES, OUTSIDE, county_sums


def test_county_sums_count_or_sum_by_county_and_leave_outside_out():
    county = np.array([0, 0, 3, OUTSIDE, 6, 3], np.int8)
    np.testing.assert_array_equal(county_sums(county), [2, 0, 0, 2, 0, 0, 1])
    assert county_sums(county).dtype.kind == "i"              # counts stay whole numbers
    np.testing.assert_allclose(county_sums(county, 10.0), [20, 0, 0, 20, 0, 0, 10])
    mask = np.array([True, False, True, True, True, False])
    np.testing.assert_array_equal(county_sums(county, mask=mask), [1, 0, 0, 1, 0, 0, 1])
    values = np.array([1.5, 2.0, 3.0, 100.0, 4.0, 0.5])
    np.testing.assert_allclose(county_sums(county, 2.0, mask, values), [3.0, 0, 0, 6.0, 0, 0, 8.0])
    assert county_sums(np.zeros(0, np.int8)).shape == (N_COUNTIES,)


def test_by_county_adds_the_city_as_the_sum_of_its_counties():
    county = np.array([1, 1, 2, OUTSIDE], np.int8)
    out = by_county(county, 5.0)
    assert out.shape == (len(AREAS),) and AREAS[-1] == CITY_CODE
    np.testing.assert_allclose(out, [0, 10, 5, 0, 0, 0, 0, 15])


def test_the_recorder_builds_one_tidy_row_per_area():
    rec = Recorder()
    rec.add(2020, "residents", np.arange(8.0))
    rec.add(2021, "settlements", np.ones(8), "graduate")
    table = rec.table()
    assert tuple(table.columns) == COLUMNS and len(table) == 16
    assert list(table.county[:8]) == list(CODES) + [CITY_CODE]
    assert rec.latest("residents", "all", 2020) == 7.0
    assert np.isnan(rec.latest("residents", "all", 2021))
    with pytest.raises(KeyError, match="not declared"):
        rec.add(2020, "happiness", np.zeros(8))
    with pytest.raises(ValueError, match="7 counties"):
        rec.add(2020, "residents", np.zeros(7))
    assert list(Recorder().table().columns) == list(COLUMNS)


def test_the_headline_is_the_city_by_year():
    rows = [(y, c, "all", o, float(y - 2000)) for y in (2020, 2021) for c in (CITY_CODE, CODES[0])
            for o in ("residents", "hukou_holders")]
    table = pd.DataFrame(rows, columns=COLUMNS)
    wide = headline(table, [2021])
    assert list(wide.index) == [2021] and list(wide.columns) == ["residents", "hukou_holders"]
    assert wide.loc[2021, "residents"] == 21.0
