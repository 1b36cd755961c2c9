"""What was observed: census and registered-population figures to draw next to simulated lines
and to fit and check the model against (docs/calibration.md).

Every point is read from `data/figures.csv` (one row each: geography, year, indicator) or from
the census tables, never typed here; the table says which figure is fitted and which is held out.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from .places import CITY_CODE, CODES

COLUMNS = ("year", "county", "outcome", "value", "source", "role")
TIELING_COUNTY = "211221"

# (geography, year, indicator in figures.csv, county code, outcome, multiplier to persons or fraction, role)
_REGISTER = (
    ("Tieling (铁岭市)", "2017", "hukou (registered) total population", CITY_CODE, "hukou_holders", 1e4, "fit"),
    ("Tieling (铁岭市)", "2018", "hukou (registered) total population (derived: urban + rural on the same page)",
     CITY_CODE, "hukou_holders", 1e4, "fit"),
    ("Tieling (铁岭市)", "2019", "total (hukou) population, year uncertain (page compiled early 2020)",
     CITY_CODE, "hukou_holders", 1e4, "fit"),
    ("Tieling County (铁岭县)", "2018", "hukou (registered) population, year-end", TIELING_COUNTY, "hukou_holders",
     1e4, "fit"),
    ("Tieling County (铁岭县)", "2019", "hukou (registered) population, year-end", TIELING_COUNTY, "hukou_holders",
     1e4, "fit"),
    ("Tieling (铁岭市)", "2018", "hukou population urban share (户籍口径城镇人口比重)", CITY_CODE,
     "hukou_urbanization_rate", 0.01, "fit"),
    ("Tieling County (铁岭县)", "2019", "hukou population urban share", TIELING_COUNTY, "hukou_urbanization_rate",
     0.01, "held_out"),
)


@lru_cache(maxsize=1)
def _figures() -> pd.DataFrame:
    path = resources.files("sim") / "data" / "figures.csv"
    with path.open(encoding="utf-8") as f:
        return pd.read_csv(f, dtype=str)


def register_points() -> pd.DataFrame:
    """The registered population between the censuses (figures.csv), in the outcomes' units."""
    fig = _figures()
    rows = []
    for geo, year, indicator, county, outcome, factor, role in _REGISTER:
        hit = fig[(fig.geography == geo) & (fig.year == year) & (fig.indicator == indicator)]
        if len(hit) != 1:
            raise LookupError(f"data/figures.csv: expected one row for {geo} {year} {indicator!r}, found {len(hit)}")
        rows.append((int(year), county, outcome, float(hit.value.iloc[0]) * factor,
                     f"figures.csv: {geo} {year}, {indicator}", role))
    return pd.DataFrame(rows, columns=COLUMNS)


def census_points() -> pd.DataFrame:
    """Residents, urban share and (2010) hukou holders of both censuses, per county and city."""
    from .population.census import load_census
    rows = []
    for year in (2010, 2020):
        c = load_census(year)
        residents = np.append(c.residents, c.residents.sum())
        urban = np.append(c.urban, c.urban.sum())
        for code, r, u in zip(CODES + (CITY_CODE,), residents, urban):
            src = f"census {year}"
            rows.append((year, code, "residents", float(r), src, "census"))
            rows.append((year, code, "resident_urbanization_rate", float(u / r), src, "census"))
        if year == 2010:
            hukou = np.append(c.hukou, c.hukou.sum())
            for code, v in zip(CODES + (CITY_CODE,), hukou):
                rows.append((year, code, "hukou_holders", float(v), "census 2010 (户籍人口)", "census"))
    return pd.DataFrame(rows, columns=COLUMNS)


def observed_points() -> pd.DataFrame:
    """All observed points: census 2010 and 2020, and the registered series 2017-2019."""
    return pd.concat([census_points(), register_points()], ignore_index=True)
