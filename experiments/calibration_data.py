"""Census targets and simulated summaries for the 2010 -> 2020 backtest and calibration.

The targets are the 7th census (2020-11-01) per county, read from the census table
packaged with `sim` (`sim/data/tieling_census_2020_counties.csv`):

- residents: 人口数_合计;
- urban share: 城镇人口 / 人口数_合计;
- age shares 0-14, 15-64, 65+: the 38 sex x age-group columns (they add up to the
  residents in every row, checked on load);
- household size: 家庭户人口数 / 家庭户数 (family households, as the model's
  `household_size`);
- residents registered elsewhere: 户口登记地在外乡镇街道人口_本省其他县 + _省外. The
  census's _本县 column (registered in another township or street of the *same*
  county) is left out: the model's `residents_registered_elsewhere` counts persons
  whose hukou county differs from their county of residence, so a move within a
  county never counts. _本省其他县 does include people registered in another county of
  Tieling itself, which the model also counts (hukou county != residence county).

The census's state on 2020-11-01 is compared with the model's end of year 2020.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from sim import CITY_CODE, COUNTIES, Scenario, load_census, register_points
from sim import run as run_scenario

CODES = tuple(c.code for c in COUNTIES)
AGE_GROUPS = ("age_0_14", "age_15_64", "age_65_plus")
# Columns of a summary or target table (one row per county, plus the city).
MEASURES = ("residents", "urban_share", *AGE_GROUPS, "household_size", "registered_elsewhere")
FIT_MEASURES = ("residents", "urban_share")
HELD_OUT = ("age_0_14", "age_15_64", "age_65_plus", "household_size", "registered_elsewhere")
LABELS = {   # English only: plots must render without CJK fonts
    "residents": "Residents",
    "urban_share": "Urban share of residents",
    "age_0_14": "Share aged 0-14",
    "age_15_64": "Share aged 15-64",
    "age_65_plus": "Share aged 65+",
    "household_size": "Family-household size",
    "registered_elsewhere": "Residents registered in another county or province",
}


def census_targets(year: int = 2020) -> pd.DataFrame:
    """Per-county census values (index: county code, the 7 counties then the city), columns
    `MEASURES` plus `registered_same_county` (the census's 本县 column, for reference), from the
    census tables as `sim.load_census` reads them; the city's row is the sum of its counties'
    counts (as in the census table, where every count column adds up)."""
    c = load_census(year)

    def counts(values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, float)
        return np.append(values, values.sum())

    residents = counts(c.residents)
    if not np.allclose(c.age_sex.sum(axis=(1, 2)), c.residents, rtol=1e-6):
        raise ValueError(f"census {year}: age groups do not add up to the residents")
    out = pd.DataFrame(index=pd.Index(list(CODES) + [CITY_CODE], name="county"))
    out["residents"] = residents
    out["urban_share"] = counts(c.urban) / residents
    for name, lo, hi in (("age_0_14", 0, 14), ("age_15_64", 15, 64), ("age_65_plus", 65, 999)):
        out[name] = counts(c.persons_aged(lo, hi)) / residents
    out["household_size"] = counts(c.household_persons) / counts(c.households)
    out["registered_elsewhere"] = counts(c.elsewhere_other_county + c.elsewhere_province)
    out["registered_same_county"] = counts(c.elsewhere_same_county)
    return out


# --- a simulated summary --------------------------------------------------------

def summarize(outcomes: pd.DataFrame, year: int) -> pd.DataFrame:
    """The model's values of `MEASURES` at the end of `year`, in the shape of `census_targets`."""
    o = outcomes[outcomes["year"] == year]

    def get(name: str, group: str = "all") -> pd.Series:
        s = o[(o["outcome"] == name) & (o["group"] == group)].set_index("county")["value"]
        return s.reindex(list(CODES) + [CITY_CODE]).astype(float)

    residents = get("residents")
    out = pd.DataFrame(index=pd.Index(list(CODES) + [CITY_CODE], name="county"))
    out["residents"] = residents
    out["urban_share"] = get("urban_residents") / residents
    for g in AGE_GROUPS:
        out[g] = get("residents", g) / residents
    out["household_size"] = get("household_size")
    out["registered_elsewhere"] = get("residents_registered_elsewhere")
    return out


def city_series(outcomes: pd.DataFrame) -> pd.DataFrame:
    """City-level yearly series: residents, hukou holders, resident and hukou urbanization rates."""
    names = ["residents", "hukou_holders", "registered_outside", "resident_urbanization_rate",
             "hukou_urbanization_rate", "urbanization_gap"]
    o = outcomes[(outcomes["county"] == CITY_CODE) & (outcomes["group"] == "all") & outcomes["outcome"].isin(names)]
    return o.pivot_table(index="year", columns="outcome", values="value").reindex(columns=names)


def register_values(outcomes: pd.DataFrame) -> list[float]:
    """The model's values at the observed points of the register (`sim.observed.register_points`,
    in its order); NaN where the run does not reach the point's year."""
    o = outcomes.set_index(["year", "county", "group", "outcome"])["value"]
    out = []
    for row in register_points().itertuples():
        out.append(float(o.get((row.year, row.county, "all", row.outcome), float("nan"))))
    return out


def register_table(per_seed: list[list[float]]) -> pd.DataFrame:
    """The register's observed points with the model's mean, seed s.d. and error (relative for
    counts, a difference for rates)."""
    table = register_points()
    values = np.array(per_seed, float)
    table["sim_mean"] = values.mean(axis=0)
    table["sim_sd"] = values.std(axis=0, ddof=1) if len(values) > 1 else 0.0
    rate = table.outcome.str.endswith("_rate")
    table["error"] = np.where(rate, table.sim_mean - table.value, table.sim_mean / table.value - 1)
    table["error_kind"] = np.where(rate, "difference", "relative")
    return table


def simulate(scenario: dict) -> dict:
    """One run of a resolved scenario (as JSON data); returns its summary at the end year and
    its city series, as plain data (picklable, JSON-able). Executed in worker processes."""
    sc = Scenario.model_validate(scenario)
    fingerprint = code_fingerprint()
    result = run_scenario(sc)
    summary = summarize(result.outcomes, sc.end_year)
    series = city_series(result.outcomes)
    return {
        "summary": {m: summary[m].tolist() for m in MEASURES},
        "register": register_values(result.outcomes),
        "series": {"year": series.index.tolist(), **{c: series[c].tolist() for c in series.columns}},
        "wall_time_s": result.manifest.get("wall_time_s"),
        "code_version": result.manifest.get("code_version"),
        "code_fingerprint": fingerprint,
    }


def summary_frame(data: dict) -> pd.DataFrame:
    """`simulate()['summary']` back as a table indexed by county."""
    return pd.DataFrame(data["summary"], index=pd.Index(list(CODES) + [CITY_CODE], name="county"))


def series_frame(data: dict) -> pd.DataFrame:
    s = dict(data["series"])
    return pd.DataFrame(s).set_index("year")


# Files written by the fits themselves: their values are passed to runs explicitly.
FITTED = ("data/calibration.json", "data/ensemble.csv", "data/ensemble.json")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the model's code and data as installed (every file of the `sim` package except
    the fits' own files, `FITTED`, whose values are passed to runs explicitly): cached results are
    reused only while this is unchanged."""
    h = hashlib.sha256()
    root = resources.files("sim")

    def walk(node, prefix: str):
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            name = f"{prefix}{child.name}"
            if child.is_dir():
                if child.name != "__pycache__":
                    walk(child, name + "/")
            elif child.name.endswith((".py", ".csv", ".json", ".geojson", ".md")) and name not in FITTED:
                h.update(name.encode())
                h.update(child.read_bytes())

    walk(root, "")
    return h.hexdigest()[:16]
