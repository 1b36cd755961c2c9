"""Unit costs and people-linked income of the budget: the `costs:` block of a scenario.

Every value names its row of `data/figures.csv` (with the arithmetic when it is derived) or
says it is an assumption and why. Money is in yuan of the year the figure was published,
held constant over the run (no price trend); docs/budget.md explains each item and how the
model counts it (sim/budget.py).
"""
from __future__ import annotations

from typing import Any

from pydantic import Field

from .parameters import Block, param


class Spending(Block):
    school_place_build_yuan: float = param(
        67_500, lo=1_000, hi=500_000, unit="yuan per place",
        source="figures.csv: 武汉开发区 2018-2020, 27亿元 for 40,000 new compulsory-school places "
               "(27e8 / 40,000 = 67,500; low confidence: one district's programme, used for lack of a "
               "Liaoning figure)")
    pupil_running_yuan_per_year: float = param(
        13_083, lo=0, hi=100_000, unit="yuan per pupil per year",
        source="figures.csv: Liaoning 2021 per-pupil general public budget education expenditure, primary "
               "11,418.09 and junior secondary 16,411.90, weighted by the six primary and three junior years "
               "of ages 6-14: (6 × 11,418.09 + 3 × 16,411.90) / 9 = 13,083")
    clinic_capacity_yuan: float = param(
        3_000, lo=100, hi=100_000, unit="yuan per resident",
        source="assumption: cost of clinic capacity for one resident (no figure for Tieling or Liaoning)",
        assumption=True)
    rental_flat_build_yuan: float = param(
        150_000, lo=10_000, hi=2_000_000, unit="yuan per flat",
        source="assumption: cost of one public rental flat (no construction-cost figure in figures.csv; "
               "about 50 m² at 3,000 yuan/m² of building cost)", assumption=True)
    medical_subsidy_yuan_per_year: float = param(
        550, lo=0, hi=5_000, unit="yuan per person per year",
        source="figures.csv: minimum government subsidy for residents' basic medical insurance, 520 yuan "
               "(2019) rising 30 a year to 670 (2024); 2020 = 550")
    medical_city_share: float = param(
        0.5, lo=0, hi=1, unit="share",
        source="assumption: share of the medical subsidy paid by the city and county budgets (the central "
               "government pays a regional share; figures.csv has no split for Liaoning)", assumption=True)
    basic_pension_yuan_per_month: float = param(
        94, lo=0, hi=2_000, unit="yuan per person per month",
        source="figures.csv: minimum basic pension of the residents' pension insurance, 88 yuan (2018) and "
               "103 (2023); 2020 interpolated = 88 + 2 × 15 / 5 = 94")
    pension_city_share: float = param(
        0.5, lo=0, hi=1, unit="share",
        source="figures.csv: the central budget pays the whole minimum in central and western regions and half "
               "in eastern ones (2018 notice); Liaoning counted as eastern: assumption 0.5", assumption=True)
    pension_age: int = param(
        60, lo=50, hi=70, unit="years",
        source="residents' pension insurance pays the basic pension from age 60 (national rule)")
    employment_services_yuan: float = param(
        500, lo=0, hi=20_000, unit="yuan per person",
        source="assumption: one-off employment services (registration, training referral) per settler and "
               "per new permit holder; figures.csv has no per-person figure", assumption=True)


class Income(Block):
    central_reward_yuan_per_settler: float = param(
        4_300, lo=0, hi=50_000, unit="yuan per settler",
        source="figures.csv: central reward fund for agricultural-transfer people settling in towns "
               "(农业转移人口市民化奖励资金) 400亿元 in 2022, allocated by actual settlers; about 5,000万 "
               "settled 2019 to May 2024, ≈ 930万 a year: 400e8 / 930e4 ≈ 4,300 per settler, paid in the "
               "year of settling (the earlier cohorts' taper is not modelled)")
    land_quota_yuan_per_m2: float = param(
        0, lo=0, hi=10_000, unit="yuan per m²",
        source="assumption: net budget value of one m² of new construction-land quota granted per settler "
               "(人地挂钩). 0 by default: a quota is an allowance, worth money only when land is conveyed, which "
               "the model does not simulate, and figures.csv has no land-price or quota-value figure for Tieling; "
               "at 300 yuan/m² it would outweigh every other item", assumption=True)


class Costs(Block):
    spending: Spending = Field(default_factory=Spending)
    income: Income = Field(default_factory=Income)


def iter_costs(model: Any = Costs, prefix: str = "costs"):
    """Yield (path, FieldInfo) for every unit cost and income rate."""
    for name, info in model.model_fields.items():
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, Block):
            yield from iter_costs(ann, f"{prefix}.{name}")
        else:
            yield f"{prefix}.{name}", info
