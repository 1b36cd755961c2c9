"""The forecast check: do observed figures fall inside the ensemble's band of the 2020-start forecast?

The published figures after 2020 are not in the repository (they are kept aside to check the
forecast); `urbsim ensemble check FILE.csv` reads them from a CSV with the columns year, county
(a county code of sim.COUNTIES or the city's, 211200), outcome (a name of sim.OUTCOMES, e.g.
hukou_holders) and value (in the outcome's unit: persons, or a fraction for rates), runs the
forecast over K members with R seeds each, and says for each figure whether it lies inside the
band (docs/calibration.md, "Checking the forecast").

It also reads the published figures as they come, in the layout of data/figures.csv (geography,
year, indicator, value, unit, ...): each row whose geography names Tieling or one of its counties,
whose unit is persons, 10k persons or % and whose indicator is one of the outcomes below becomes a
figure; every other row is listed as skipped, with why (`load_observed`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim import CITY_CODE, COUNTIES, OUTCOMES, EnsembleError, EnsembleResult

COLUMNS = ("year", "county", "outcome", "value")
FIGURE_COLUMNS = ("geography", "year", "indicator", "value", "unit")     # data/figures.csv
CITY_ZH = "铁岭市"
UNITS = {"persons": 1.0, "10k persons": 1e4, "万人": 1e4, "万人 (10k persons)": 1e4, "%": 0.01}
HUKOU_WORDS = ("hukou", "registered", "户籍")
URBAN_WORDS = ("urban resident", ": urban", "urban population", "urban hukou", "城镇人口")   # counts
RESIDENT_WORDS = ("resident population", "常住人口")
RATE_WORDS = ("urbanization rate", "urban share", "城镇化率", "non-agricultural hukou share")
# Indicators about something else that share the words above (a part of a population, a flow, a
# rate per year): never read as one of the outcomes.
OTHER_WORDS = ("residents with", "rural resident", "rural population", "birth", "death", "aged", "districts",
               "migrant", "floating", "enrolment", "outside", "moved", "change", "minus", "college",
               "minority", "gdp", "employed")


def _cell_problem(name: str, line: int, field: str, raw: str, base_year: int, end_max: int) -> str | None:
    codes = [c.code for c in COUNTIES] + [CITY_CODE]
    names = set(OUTCOMES)
    if field == "year":
        ok = raw.isdigit() and base_year < int(raw) <= end_max
        expected = f"a year after {base_year} and at most {end_max}"
    elif field == "county":
        ok, expected = raw in codes, f"a county code ({', '.join(codes)})"
    elif field == "outcome":
        ok, expected = raw in names, "an outcome name of sim.OUTCOMES (e.g. hukou_holders, residents)"
    else:
        try:
            ok = math.isfinite(float(raw))
        except ValueError:
            ok = False
        expected = "a number (persons, or a fraction for rates)"
    return None if ok else f"{name}: line {line}, field {field}: expected {expected}, found {raw!r}"


def read_observed(path: str | Path, base_year: int = 2020, end_max: int = 2060) -> pd.DataFrame:
    """The observed figures, every cell checked (EnsembleError: file, line, field, expected, found)."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise EnsembleError(f"{path}: file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise EnsembleError(f"{path}: expected a CSV table with columns {', '.join(COLUMNS)}, found {e}") from None
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise EnsembleError(f"{path}: header: expected the columns {', '.join(COLUMNS)}, found "
                            f"{', '.join(frame.columns) or 'none'}")
    if frame.empty:
        raise EnsembleError(f"{path}: expected at least one figure, found none")
    problems = [p for i, row in enumerate(frame[list(COLUMNS)].itertuples(index=False), start=2)
                for f, raw in zip(COLUMNS, row) if (p := _cell_problem(str(path), i, f, raw.strip(), base_year,
                                                                          end_max))]
    if problems:
        raise EnsembleError(problems)
    return frame[list(COLUMNS)].assign(year=lambda d: d.year.astype(int), county=lambda d: d.county.str.strip(),
                                       outcome=lambda d: d.outcome.str.strip(),
                                       value=lambda d: d.value.astype(float))


def check_forecast(observed: pd.DataFrame, result: EnsembleResult, level: float = 0.9) -> pd.DataFrame:
    """Per observed figure: the band's mean, low and high end, and whether the figure is inside."""
    rows = []
    for (county, outcome), g in observed.groupby(["county", "outcome"], sort=False):
        band = result.bands(level, outcomes=[outcome], county=county).set_index("year")
        for r in g.itertuples():
            b = band.loc[r.year] if r.year in band.index else None
            lo, hi = (b["lo"], b["hi"]) if b is not None else (math.nan, math.nan)
            rows.append({"year": r.year, "county": county, "outcome": outcome, "observed": r.value,
                         "mean": b["mean"] if b is not None else math.nan, "lo": lo, "hi": hi,
                         "inside": bool(lo <= r.value <= hi), "level": level})
    return pd.DataFrame(rows).sort_values(["outcome", "county", "year"]).reset_index(drop=True)


@dataclass
class Observed:
    """Figures to check (COLUMNS) and the rows of the file that are not (row, reason)."""
    figures: pd.DataFrame
    skipped: list[tuple[int, str]]


def outcome_of(indicator: str, unit: str) -> tuple[str, float] | str:
    """(outcome, factor to its unit) for an indicator of data/figures.csv, or why it is none."""
    # "total (derived: urban + rural)" is a total, not the urban part
    text, unit = indicator.lower().replace("urban + rural", ""), unit.strip()
    if unit not in UNITS:
        return f"unit {unit!r} is not persons, 10k persons or %"
    if any(w in text for w in OTHER_WORDS):
        return "indicator about something else than the outcomes checked"
    hukou, urban = any(w in text for w in HUKOU_WORDS), any(w in text for w in URBAN_WORDS)
    if unit == "%":
        if not any(w in text for w in RATE_WORDS):
            return "a share that is not an urbanization rate"
        return ("hukou_urbanization_rate" if hukou else "resident_urbanization_rate"), UNITS[unit]
    if hukou:
        return ("urban_hukou_holders" if urban else "hukou_holders"), UNITS[unit]
    if any(w in text for w in RESIDENT_WORDS):
        return ("urban_residents" if urban else "residents"), UNITS[unit]
    return "indicator is not a population or an urbanization rate"


def county_of(geography: str) -> str | None:
    """The county code (or the city's) a geography of data/figures.csv names by its Chinese name."""
    for c in COUNTIES:
        if c.zh in geography:
            return c.code
    return CITY_CODE if CITY_ZH in geography else None


def _figure_row(row, base_year: int, end_max: int) -> tuple[int, str, str, float] | str:
    county = county_of(row.geography)
    if county is None:
        return "not Tieling or one of its counties"
    if not (row.year.isdigit() and base_year < int(row.year) <= end_max):
        return f"year {row.year!r} is not one after {base_year} and at most {end_max}"
    try:
        value = float(row.value)
    except ValueError:
        return f"value {row.value!r} is not a number"
    found = outcome_of(row.indicator, row.unit)
    if isinstance(found, str):
        return found
    outcome, factor = found
    return int(row.year), county, outcome, value * factor


def read_figures(path: Path, frame: pd.DataFrame, base_year: int, end_max: int) -> Observed:
    """The rows of a table in data/figures.csv's layout that are figures of the outcomes."""
    figures, skipped = [], []
    for line, row in enumerate(frame.itertuples(index=False), start=2):
        got = _figure_row(row, base_year, end_max)
        if isinstance(got, str):
            skipped.append((line, got))
        else:
            figures.append(got)
    if not figures:
        raise EnsembleError(f"{path}: expected at least one figure of Tieling's population or urbanization "
                            f"rate after {base_year}, found none among {len(frame)} rows")
    # the same figure from two pages (a census bulletin and a table) is checked once
    return Observed(pd.DataFrame(figures, columns=list(COLUMNS)).drop_duplicates(ignore_index=True), skipped)


def load_observed(path: str | Path, base_year: int = 2020, end_max: int = 2060) -> Observed:
    """The figures of a file in either layout: year, county, outcome, value (every cell checked), or
    data/figures.csv's (rows that are not figures of the outcomes skipped, each with its reason)."""
    path = Path(path)
    try:
        header = pd.read_csv(path, dtype=str, nrows=0, skipinitialspace=True).columns
    except FileNotFoundError:
        raise EnsembleError(f"{path}: file not found") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise EnsembleError(f"{path}: expected a CSV table with columns {', '.join(COLUMNS)}, found {e}") from None
    if all(c in header for c in FIGURE_COLUMNS) and "outcome" not in header:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
        return read_figures(path, frame[list(FIGURE_COLUMNS)], base_year, end_max)
    return Observed(read_observed(path, base_year, end_max), [])
