"""Behavioural parameters of moves: leaving Tieling and coming back, arrivals registered
elsewhere (`Outside`), and moves within the city (`Migration`).
"""
from __future__ import annotations

from pydantic import ValidationInfo, field_validator

from ..blocks import Block
from .fields import at_most_one_with, param


class Outside(Block):
    """Moves between Tieling and everywhere beyond it (Shenyang, Liaoning, other provinces)."""
    out_rate_peak: float = param(
        0.060, lo=0.0, hi=0.3, unit="per year",
        source="assumption: yearly chance that a resident at the peak migration age leaves Tieling; calibrated to "
               "the 2010->2020 resident decline of 329,438 (-12.1%, figures.csv)", assumption=True)
    peak_age: float = param(
        22.0, lo=16, hi=35, unit="years",
        source="Rogers & Castro (1981) fundamental schedule, mu2=20 (demographic_schedules.csv), "
               "shifted to China's mean migrant age (figures.csv: out-migrating migrant workers avg 36 in 2019)")
    age_spread: float = param(
        9.0, lo=3, hi=25, unit="years",
        source="assumption: width of the labour-migration peak, Rogers-Castro alpha2=0.1 gives ~10 years", assumption=True)
    college_multiplier: float = param(
        1.6, lo=0.5, hi=5.0, unit="×",
        source="assumption: college-educated Northeasterners leave more often (Liaoning college share 11,965->18,216 "
               "per 100k while Tieling's stayed at 9,606, figures.csv)", assumption=True)
    rural_multiplier: float = param(
        1.3, lo=0.5, hi=5.0, unit="×",
        source="assumption: rural residents supply most out-migrating migrant workers (figures.csv: 169.6 M out-migrating "
               "of 285.6 M migrant workers in 2020)", assumption=True)
    family_share: float = param(
        0.25, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of moves outside that take the whole household (举家迁徙, clause 二)", assumption=True)
    return_rate: float = param(
        0.02, lo=0.0, hi=0.5, unit="per year",
        source="assumption: yearly chance that a registered person living outside comes back; calibrated", assumption=True)
    return_age_multiplier: float = param(
        2.0, lo=0.5, hi=10, unit="× after 45",
        source="assumption: older migrant workers return home (figures.csv: local migrant workers avg age 45.5 vs "
               "36 for out-migrating, 2019)", assumption=True)
    wage_elasticity: float = param(
        1.0, lo=0.0, hi=5.0, unit="elasticity",
        source="assumption: leaving rises with the outside wage relative to the home county's town wage, "
               "(outside/town)^e, scaled to 1 at the base year's city average", assumption=True)
    return_to_town_share: float = param(
        0.4, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of returning village-registered households who settle in their county's town "
               "rather than the village", assumption=True)
    in_rate: float = param(
        0.008, lo=0.0, hi=0.1, unit="per resident per year",
        source="assumption: arrivals registered outside Tieling per resident; 2020 stock of such residents is about "
               "155,000 (census 户口登记地在外 省外 44,220 plus part of 本省其他县 222,207)", assumption=True)
    in_leave_rate: float = param(
        0.08, lo=0.0, hi=0.6, unit="per year",
        source="assumption: yearly chance that a resident registered outside Tieling leaves again", assumption=True)
    household_single_share: float = param(
        0.5, lo=0.0, hi=1.0, unit="share of households",
        source="assumption: households of Tieling people living outside (at the base year) and of arrivals "
               "registered elsewhere are singles, couples and couples with a child; no survey of their size exists "
               "for Tieling (data/README.md); this is the share of singles", assumption=True)
    household_couple_share: float = param(
        0.3, lo=0.0, hi=1.0, unit="share of households",
        source="assumption: as household_single_share, the share of couples; the rest are couples with a child",
        assumption=True)

    @field_validator("household_couple_share")
    @classmethod
    def _shares_of_one(cls, value: float, info: ValidationInfo) -> float:
        return at_most_one_with("household_single_share", info, value)


class Migration(Block):
    """Moves within Tieling: a random-utility (logit) choice of place (clause 一)."""
    reconsider_rate: float = param(
        0.10, lo=0.0, hi=1.0, unit="per year",
        source="assumption: share of working-age households that weigh a move each year", assumption=True)
    beta_income: float = param(
        1.5, lo=0.0, hi=10, unit="per log income ratio",
        source="assumption; income gap is the first driver of rural-urban migration (Hao et al. 2020, figures.csv)",
        assumption=True)
    beta_housing: float = param(
        0.8, lo=0.0, hi=10, unit="per log rent-to-income",
        source="assumption: housing cost term", assumption=True)
    beta_services: float = param(
        1.0, lo=0.0, hi=10, unit="per unit service access",
        source="assumption: value of public services reachable with the person's status", assumption=True)
    beta_congestion: float = param(
        1.0, lo=0.0, hi=10, unit="per unit congestion",
        source="assumption: soft congestion of schools and clinics", assumption=True)
    beta_family: float = param(
        1.0, lo=0.0, hi=10, unit="utility",
        source="assumption: family ties keep people where their household and parents are", assumption=True)
    moving_cost: float = param(
        2.5, lo=0.0, hi=20, unit="utility",
        source="assumption; internal migration costs fell 45% 2000-2015 (Hao et al. 2020, figures.csv)", assumption=True)
    nearby_preference: float = param(
        1.0, lo=0.0, hi=10, unit="utility",
        source="assumption: preference for the own county town over farther towns (就地就近, clause 一)", assumption=True)
    beta_land: float = param(
        0.8, lo=0.0, hi=10, unit="per log income share",
        source="assumption: farming income forgone when leaving the village; Chen & Fan (2016, figures.csv) "
               "find rural land rights mute the demand for urban hukou", assumption=True)
    new_district_pull: float = param(
        1.0, lo=0.0, hi=1.0, unit="0-1",
        source="assumption: how far the town of Tieling County, where the new district 凡河新城 lies, belongs to "
               "the city centre (a destination of moves to the centre by its town population, the central wage "
               "premium, its town residents live in the centre already); 1 = as the central districts, since the "
               "city government moved there (data/README.md caveat); 0 = the centre is 银州区 and 清河区 only",
        assumption=True)
