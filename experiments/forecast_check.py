"""The forecast check: do observed figures fall inside the ensemble's band of the 2020-start forecast?

The published figures after 2020 are not in the repository (they are kept aside to check the
forecast); `urbsim ensemble check FILE.csv` reads them from a CSV with the columns year, county
(a county code of sim.COUNTIES or the city's, 211200), outcome (a name of sim.OUTCOMES, e.g.
hukou_holders) and value (in the outcome's unit: persons, or a fraction for rates), runs the
forecast over K members with R seeds each, and says for each figure whether it lies inside the
band (docs/calibration.md, "Checking the forecast").
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim import CITY_CODE, COUNTIES, OUTCOMES, EnsembleError, EnsembleResult

COLUMNS = ("year", "county", "outcome", "value")
DEFAULT_FORECAST = Path("scenarios/tieling_reform_2020.yaml")


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
