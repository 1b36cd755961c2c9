"""The census tables of Tieling's seven county-level units, read into one shape.

Sources: `sim/data/tieling_census_2010_counties.csv` (6th census, 2010-11-01) and
`tieling_census_2020_counties.csv` (7th census, 2020-11-01), compiled from the
official bulletins (dataset leiii/census; see `sim/data/README.md`). The two years
name their columns differently; this module maps both to `CensusYear`, one row per
county in the order of `sim.places.COUNTIES`. Long-form columns (industry, housing
source) are 10% samples and are used only as shares.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from ..places import CODES, CITY_CODE

# Lower bounds of the census's 19 age groups: 0, 1-4, 5-9, ..., 80-84, 85+.
AGE_LOWER = np.array([0, 1] + list(range(5, 90, 5)), dtype=np.int16)
AGE_UPPER = np.append(AGE_LOWER[1:] - 1, 99).astype(np.int16)


@dataclass(frozen=True)
class CensusYear:
    year: int
    residents: np.ndarray          # (7,)
    urban: np.ndarray              # (7,) urban (城镇) residents
    age_sex: np.ndarray            # (7, 2, 19) persons; sex 0 male, 1 female
    households: np.ndarray         # (7,) family households
    household_persons: np.ndarray  # (7,) persons in family households
    one_person: np.ndarray         # (7,) one-person households (a subset of one-generation)
    generations: np.ndarray        # (7, 4) households of 1, 2, 3, 4+ generations
    education: np.ndarray          # (7, 2, 6) persons by sex and level (columns.Edu; ages 6+ in 2010, 3+ in 2020)
    farm_share: np.ndarray         # (7,) share of the employed in farming (long form)
    employed_per_adult: np.ndarray  # (7,) employed (long form x10) per resident aged 16-64
    elsewhere_same_county: np.ndarray   # (7,) residents registered in another township of the county
    elsewhere_other_county: np.ndarray  # (7,) registered in another county of Liaoning
    elsewhere_province: np.ndarray      # (7,) registered in another province
    hukou: np.ndarray | None       # (7,) hukou holders (2010 only)
    nonagri_share: np.ndarray | None    # (7,) share of hukou holders with non-agricultural hukou (2010 only)
    tenure: np.ndarray             # (7, 4) household shares: rented, self-built, bought, other
    floor_area_pc: np.ndarray      # (7,) m² per person

    @property
    def births_proxy(self) -> np.ndarray:
        """Persons aged 0 at the census: the level that anchors fertility."""
        return self.age_sex[:, :, 0].sum(axis=1)

    def persons_aged(self, lo: int, hi: int) -> np.ndarray:
        """(7,) persons of both sexes in the age groups starting at lo..hi (whole groups)."""
        groups = (AGE_LOWER >= lo) & (AGE_LOWER <= hi)
        return self.age_sex[:, :, groups].sum(axis=(1, 2))


def _read(year: int) -> pd.DataFrame:
    path = resources.files("sim") / "data" / f"tieling_census_{year}_counties.csv"
    with path.open("rb") as f:
        df = pd.read_csv(f, dtype={"区划代码": str})
    df.columns = [re.sub(r"\s+", "", c).replace("(", "（").replace(")", "）") for c in df.columns]
    df = df.set_index("区划代码")
    missing = [c for c in CODES + (CITY_CODE,) if c not in df.index]
    if missing:
        raise ValueError(f"{path}: rows missing for codes {missing}")
    return df.loc[list(CODES)]


def _cols(df: pd.DataFrame, names: list[str]) -> np.ndarray:
    return df[names].to_numpy(dtype=np.float64)


def _age_columns(year: int) -> list[list[str]]:
    labels_2010 = ["0岁", "1-4岁"] + [f"{a}-{a + 4}岁" for a in range(5, 85, 5)] + ["85岁及以上"]
    labels_2020 = ["0岁", "1到4岁"] + [f"{a}到{a + 4}岁" for a in range(5, 85, 5)] + ["85岁以上"]
    if year == 2010:
        return [[f"{lab}（{s}）" for lab in labels_2010] for s in ("男", "女")]
    return [[f"{s}_{lab}" for lab in labels_2020] for s in ("男", "女")]


@lru_cache(maxsize=2)
def load_census(year: int) -> CensusYear:
    if year not in (2010, 2020):
        raise ValueError(f"no census for {year}; expected 2010 or 2020")
    df = _read(year)
    age_sex = np.stack([_cols(df, cols) for cols in _age_columns(year)], axis=1)
    if year == 2010:
        edu_names = ["未上过学", "小学", "初中", "高中", "大学专科", "大学本科及以上"]
        education = np.stack([_cols(df, [f"{e}-{s}" for e in edu_names]) for s in ("男", "女")], axis=1)
        residents, hh, hh_p, one = (df[c].to_numpy(float) for c in ("合计", "户数", "人口数", "一人户"))
        gens = _cols(df, ["一代户", "二代户", "三代户", "四代以上户"])
        industry_total, farm = df["各种行业人口总计"].to_numpy(float), df["农林牧渔业"].to_numpy(float)
        elsewhere = _cols(df, ["迁入人口（人）-本县（市）/本市市区", "迁入人口（人）-本省其他县（市）、市区",
                               "迁入人口（人）-外省"])
        hukou = df["户籍人口"].to_numpy(float)
        nonagri = df["非农业户口人口比重（%）"].to_numpy(float) / 100
        tenure = _cols(df, ["住房来源-租赁", "住房来源-自建", "住房来源-购买", "住房来源-其他"])
        floor = df["人均住房建筑面积（平方米/人）"].to_numpy(float)
    else:
        edu_names = ["未上过学", "学前教育", "小学", "初中", "高中", "大学专科", "本科及以上"]
        raw = np.stack([_cols(df, [f"{e}_{s}" for e in edu_names]) for s in ("男", "女")], axis=1)
        education = np.concatenate([raw[:, :, :2].sum(axis=2, keepdims=True), raw[:, :, 2:]], axis=2)
        residents, hh, hh_p, one = (df[c].to_numpy(float) for c in ("人口数_合计", "家庭户数", "家庭户人口数", "一人户数"))
        gens = _cols(df, ["一代户数", "二代户数", "三代户数", "四代以上户数"])
        industry_total, farm = df["各种行业人口总计"].to_numpy(float), df["农林牧渔业"].to_numpy(float)
        elsewhere = _cols(df, ["户口登记地在外乡镇街道人口_本县", "户口登记地在外乡镇街道人口_本省其他县",
                               "户口登记地在外乡镇街道人口_省外"])
        hukou = nonagri = None
        t = _cols(df, ["住房来源_租赁", "住房来源_自建", "住房来源_购买", "住房来源_继承或赠予", "住房来源_其他"])
        tenure = np.column_stack([t[:, 0], t[:, 1], t[:, 2] + t[:, 3], t[:, 4]])
        floor = df["人均住房建筑面积"].to_numpy(float)
    adults = _ages_between(age_sex.sum(axis=1), 16, 64)
    return CensusYear(
        year=year, residents=residents, urban=df["城镇人口"].to_numpy(float), age_sex=age_sex,
        households=hh, household_persons=hh_p, one_person=one, generations=gens, education=education,
        farm_share=farm / industry_total, employed_per_adult=np.minimum(industry_total * 10 / adults, 0.95),
        elsewhere_same_county=elsewhere[:, 0], elsewhere_other_county=elsewhere[:, 1],
        elsewhere_province=elsewhere[:, 2], hukou=hukou, nonagri_share=nonagri,
        tenure=tenure / tenure.sum(axis=1, keepdims=True), floor_area_pc=floor,
    )


def _ages_between(groups: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Persons aged lo..hi from 19 age-group counts, spreading each group evenly over its ages."""
    width = (AGE_UPPER - AGE_LOWER + 1).astype(float)
    overlap = np.clip(np.minimum(AGE_UPPER, hi) - np.maximum(AGE_LOWER, lo) + 1, 0, None)
    return (groups * (overlap / width)).sum(axis=-1)
