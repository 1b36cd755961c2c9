"""Named outcomes recorded each year: the outcomes table contract.

The table is tidy: columns `year` (int), `county` (6-digit code as text, `211200` for
the whole city), `group` (`all` unless broken down), `outcome`, `value` (float, real
persons unless the unit says otherwise). The state recorded for year Y is the end of
year Y; flows (births, moves, settlements, ...) are those during year Y and are not
recorded for the base year. Documented in docs/outcomes.md; keep both in step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .places import CITY_CODE, CODES, county_sums

COLUMNS = ("year", "county", "group", "outcome", "value")
AREAS = CODES + (CITY_CODE,)   # row order of every recorded array: 7 counties, then the city


@dataclass(frozen=True)
class OutcomeInfo:
    zh: str
    en: str
    unit: str
    groups: str = "all"

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


OUTCOMES: dict[str, OutcomeInfo] = {
    "residents": OutcomeInfo("常住人口", "Residents", "persons",
                             "all; age_0_14, age_15_64, age_65_plus"),
    "urban_residents": OutcomeInfo("城镇常住人口", "Urban residents", "persons"),
    "hukou_holders": OutcomeInfo("户籍人口", "Hukou holders", "persons"),
    "urban_hukou_holders": OutcomeInfo("城镇户籍人口", "Urban hukou holders", "persons"),
    "resident_urbanization_rate": OutcomeInfo("常住人口城镇化率", "Resident urbanization rate", "fraction"),
    "hukou_urbanization_rate": OutcomeInfo("户籍人口城镇化率", "Hukou urbanization rate", "fraction"),
    "urbanization_gap": OutcomeInfo("两率差距", "Gap between the two rates", "fraction"),
    "registered_outside": OutcomeInfo("户籍在本地、居住在市外", "Registered here, living outside Tieling", "persons"),
    "residents_registered_elsewhere": OutcomeInfo("户籍在外的常住人口", "Residents registered elsewhere", "persons"),
    "births": OutcomeInfo("出生人口", "Births", "persons/year"),
    "deaths": OutcomeInfo("死亡人口", "Deaths", "persons/year"),
    "moved_in": OutcomeInfo("迁入（常住）", "Moved in", "persons/year"),
    "moved_out": OutcomeInfo("迁出（常住）", "Moved out", "persons/year"),
    "hukou_births": OutcomeInfo("户籍出生人口", "Births to the register", "persons/year"),
    "hukou_deaths": OutcomeInfo("户籍死亡人口", "Deaths on the register", "persons/year"),
    "hukou_moved_in": OutcomeInfo("户籍迁入", "Hukou moved in", "persons/year",
                                  "all; settlement, student_return"),
    "hukou_moved_out": OutcomeInfo("户籍迁出", "Hukou moved out", "persons/year",
                                   "all; settled_elsewhere, marriage, student, settlement"),
    "hukou_converted": OutcomeInfo("村改居等就地转为城镇户籍", "Village hukou turned town hukou in place",
                                   "persons/year"),
    "households": OutcomeInfo("家庭户数", "Family households", "households"),
    "household_size": OutcomeInfo("平均家庭户规模", "Average family-household size", "persons/household"),
    "agents": OutcomeInfo("按类型的常住人口", "Residents by agent kind", "persons",
                          "migrant_worker, graduate, household"),
    "settlements": OutcomeInfo("落户人数", "Settlements (落户)", "persons/year",
                               "all; graduate, purchase, insurance, residence_years, three_dependents, student; "
                               "kind_migrant_worker, kind_graduate, kind_household"),
    "residence_permits": OutcomeInfo("持居住证人数", "Residence-permit holders", "persons"),
    "residence_permits_new": OutcomeInfo("新发居住证", "New residence permits", "persons/year"),
    "urban_to_rural_moves": OutcomeInfo("城镇户口迁往农村", "Hukou moves from town to village", "persons/year"),
    "homes_bought": OutcomeInfo("购房户数", "Homes bought", "households/year"),
    "migrant_children": OutcomeInfo("随迁子女（6-14岁）", "Migrant children aged 6-14", "persons"),
    "migrant_children_in_public_school": OutcomeInfo("公办学校就读随迁子女", "Migrant children in public school",
                                                     "persons"),
    "school_places": OutcomeInfo("义务教育学位", "Compulsory-school places", "places"),
    "service_congestion": OutcomeInfo("公共服务拥挤度", "Public-service congestion", "0-1", "school, clinic"),
    "public_rental_stock": OutcomeInfo("公租房房源", "Public rental flats", "flats"),
    "public_rental_queue": OutcomeInfo("公租房轮候户数", "Households waiting for public rental", "households"),
    "public_rental_occupancy": OutcomeInfo("公租房在住户数", "Public rental flats occupied", "households"),
    "transfers": OutcomeInfo("市对县转移支付", "City-to-county transfers", "yuan/year"),
    "budget_spending": OutcomeInfo("财政支出（与人口挂钩）", "Budget spending (people-linked)", "yuan/year",
                                   "all; school_build, school_running, clinic_build, public_rental_build, "
                                   "medical_insurance, pension, employment_services"),
    "budget_income": OutcomeInfo("财政收入（与人口挂钩）", "Budget income (people-linked)", "yuan/year",
                                 "all; general_transfers, linked_transfers, central_reward, land_quota"),
    "land_quota_m2": OutcomeInfo("新增建设用地指标（累计）", "Construction-land quota (cumulative)", "m²"),
    "residents_registry_estimate": OutcomeInfo("登记口径常住人口估计", "Residents estimated from registers",
                                               "persons"),
    "residents_survey_estimate": OutcomeInfo("抽样调查常住人口估计", "Residents estimated by sample survey",
                                             "persons"),
}


def by_county(index: np.ndarray, weight: float, mask: np.ndarray | None = None,
              values: np.ndarray | None = None) -> np.ndarray:
    """Weighted sums per county (entries 0-6) and for the city (entry 7) of `values`
    (or counts) over rows whose county `index` is 0..6 and `mask` holds."""
    sums = county_sums(index, weight, mask, values)
    return np.append(sums, sums.sum())


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


class Recorder:
    """Collects (year, area array, group, outcome) records and builds the tidy table once."""

    def __init__(self) -> None:
        self._years: list[int] = []
        self._groups: list[str] = []
        self._outcomes: list[str] = []
        self._values: list[np.ndarray] = []
        self._latest: dict[tuple[str, str], tuple[int, np.ndarray]] = {}

    def add(self, year: int, outcome: str, values: np.ndarray, group: str = "all") -> None:
        if outcome not in OUTCOMES:
            raise KeyError(f"outcome {outcome!r} is not declared in sim.outcomes.OUTCOMES")
        values = np.asarray(values, dtype=float)
        if values.shape != (len(AREAS),):
            raise ValueError(f"{outcome}: expected {len(AREAS)} values (7 counties + city), got {values.shape}")
        self._years.append(year)
        self._groups.append(group)
        self._outcomes.append(outcome)
        self._values.append(values)
        self._latest[(outcome, group)] = (year, values)

    def latest(self, outcome: str, group: str, year: int) -> float:
        """The city's value (the last area) of an outcome recorded for `year`, NaN if it was not."""
        if outcome not in OUTCOMES:
            raise KeyError(f"outcome {outcome!r} is not declared in sim.outcomes.OUTCOMES")
        at, values = self._latest.get((outcome, group), (None, None))
        return float(values[-1]) if at == year else float("nan")

    def table(self) -> pd.DataFrame:
        k = len(AREAS)
        n = len(self._values)
        if n == 0:
            return pd.DataFrame({c: [] for c in COLUMNS})
        return pd.DataFrame({
            "year": np.repeat(np.array(self._years, dtype=np.int64), k),
            "county": np.tile(np.array(AREAS, dtype=object), n),
            "group": np.repeat(np.array(self._groups, dtype=object), k),
            "outcome": np.repeat(np.array(self._outcomes, dtype=object), k),
            "value": np.concatenate(self._values),
        })


def headline(outcomes: pd.DataFrame, years: list[int] | None = None) -> pd.DataFrame:
    """City-level headline outcomes by year (rows) for printing and comparison."""
    names = ["residents", "hukou_holders", "resident_urbanization_rate", "hukou_urbanization_rate",
             "urbanization_gap"]
    city = outcomes[(outcomes.county == CITY_CODE) & (outcomes.group == "all") & outcomes.outcome.isin(names)]
    wide = city.pivot_table(index="year", columns="outcome", values="value", aggfunc="mean")
    wide = wide[[n for n in names if n in wide.columns]]
    if years is not None:
        wide = wide.loc[[y for y in years if y in wide.index]]
    return wide
