"""The places of the model: Tieling's seven county-level units, their towns and
villages, and "outside" (everywhere beyond the city).

Codes are the 6-digit administrative codes used by the census tables and the map
(`data/geo/tieling_counties.geojson`, `properties.adcode`).
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class County:
    code: str
    zh: str
    en: str
    central: bool  # 银州区 and 清河区 are the city's central districts
    # The city's new district (凡河新城, at 凡河镇 in 铁岭县): the city government and the colleges
    # moved there (shared data notes, data/README.md); its town can join the centre
    # (`behaviour.migration.new_district_pull`, sim/decisions/centre.py).
    new_district: bool = False


COUNTIES: tuple[County, ...] = (
    County("211202", "银州区", "Yinzhou District", True),
    County("211204", "清河区", "Qinghe District", True),
    County("211221", "铁岭县", "Tieling County", False, new_district=True),
    County("211223", "西丰县", "Xifeng County", False),
    County("211224", "昌图县", "Changtu County", False),
    County("211281", "调兵山市", "Diaobingshan City", False),
    County("211282", "开原市", "Kaiyuan City", False),
)
N_COUNTIES = len(COUNTIES)
CITY_CODE = "211200"
CITY_ZH, CITY_EN = "铁岭市", "Tieling City"
# Index used in the population columns for "outside Tieling" (residence or hukou).
OUTSIDE = N_COUNTIES
CODES: tuple[str, ...] = tuple(c.code for c in COUNTIES)
CENTRAL = tuple(i for i, c in enumerate(COUNTIES) if c.central)
NEW_DISTRICT = next(i for i, c in enumerate(COUNTIES) if c.new_district)


def county_index(code: str | int) -> int:
    """Index of a county in the population columns, from its administrative code."""
    try:
        return CODES.index(str(code))
    except ValueError:
        raise KeyError(f"unknown county code {code!r}; expected one of {', '.join(CODES)}") from None


def county_sums(county: np.ndarray, weight: float | None = None, mask: np.ndarray | None = None,
                values: np.ndarray | None = None) -> np.ndarray:
    """Per county (length N_COUNTIES; codes OUTSIDE and above count nowhere): the number of rows
    (or the sum of `values`) where `mask` holds, times `weight` when given (real persons per
    simulated one). The model's one per-county sum: counts stay integers without a weight."""
    if mask is not None:
        at = np.flatnonzero(mask)       # numpy's boolean indexing is slower on dense irregular masks
        county = county[at]
        values = None if values is None else values[at]
    if values is None:
        # Seven comparisons cost less than converting millions of int8 codes to bincount's index type.
        sums = np.array([np.count_nonzero(county == c) for c in range(N_COUNTIES)])
    else:
        sums = np.bincount(county, weights=values, minlength=N_COUNTIES + 1)[:N_COUNTIES]
    return sums if weight is None else sums * weight


def county_label(code: str, lang: str = "zh") -> str:
    """'银州区 (Yinzhou District)' style label for a code, including the city code."""
    if code == CITY_CODE:
        return f"{CITY_ZH} ({CITY_EN})" if lang == "zh" else f"{CITY_EN} ({CITY_ZH})"
    c = COUNTIES[county_index(code)]
    return f"{c.zh} ({c.en})" if lang == "zh" else f"{c.en} ({c.zh})"


def geojson_path() -> Path:
    """County boundaries (properties.adcode, name); see data/geo/SOURCE.md for the source and licence."""
    return Path(str(resources.files("sim") / "data" / "geo" / "tieling_counties.geojson"))
