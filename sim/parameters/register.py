"""Behavioural parameters of the register: settling by each pathway (`Settling`) and the
register's moves of people living outside and in villages (`Registry`).
"""
from __future__ import annotations

from ..blocks import Block
from .fields import param


class Settling(Block):
    """The settlement (落户) decision and awareness of pathways."""
    asc: float = param(
        -1.5, lo=-10, hi=5, unit="utility",
        source="assumption: inertia against paperwork; Chen & Fan (2016) find muted demand for urban hukou", assumption=True)
    beta_services: float = param(
        3.0, lo=0.0, hi=20, unit="per unit service gain",
        source="assumption: value of the services town hukou adds over the current status", assumption=True)
    beta_land_loss: float = param(
        3.0, lo=0.0, hi=20, unit="utility",
        source="assumption: cost of giving up the rural land contract (Chen & Fan 2016, figures.csv)", assumption=True)
    beta_children: float = param(
        1.0, lo=0.0, hi=10, unit="utility",
        source="assumption: families with school-age children value town hukou more (school admission)", assumption=True)
    outside_land_share: float = param(
        0.5, lo=0.0, hi=1.0, unit="share",
        source="assumption: people registered outside Tieling who settle there give up a registration elsewhere, for "
               "most a village one (figures.csv: most of China's migrants are rural migrant workers); for this share "
               "it weighs like the land contract (beta_land_loss). Their home's rules are not a Tieling lever. "
               "Identified by the fit to the registered series 2017-2019 (docs/calibration.md)", assumption=True)
    initial_awareness: float = param(
        0.3, lo=0.0, hi=1.0, unit="share",
        source="assumption: share of people who know each pathway at the start", assumption=True)
    word_of_mouth: float = param(
        0.3, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly chance to learn of a pathway from a household member who knows", assumption=True)
    permit_uptake: float = param(
        0.5, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly chance that an eligible non-hukou town resident applies for a permit, times its "
               "service value", assumption=True)
    urban_to_rural_wish: float = param(
        0.02, lo=0.0, hi=1.0, unit="per year",
        source="assumption: yearly share of town-registered village residents who wish to move their hukou to the "
               "village (clause 四 allows it; no count of such moves is published)", assumption=True)
    years_in_town_unregistered: float = param(
        6.0, lo=0.5, hi=40, unit="years (mean)",
        source="assumption: at the base year, town residents without local town hukou have lived there this long on "
               "average (exponential); China's migrant workers are on average 41 and have worked away for many "
               "years (figures.csv), but no duration survey exists for Tieling", assumption=True)


class Registry(Block):
    """Moves of registration that are not settlement in Tieling's towns: registered people who
    settle where they live outside Tieling (户籍迁出), marriage moves, and village registrations
    turned into town registrations without moving (村改居, land requisition). Tieling's registered
    population fell by about 23,500 a year 2017-2019 (293.7万, 291.7万, 289万; figures.csv) while
    births fell short of deaths by only about 1,700 (2018: 5.34‰ vs 5.91‰): the rest left the
    register. docs/model.md §7.14."""
    settle_out_rate: float = param(
        0.05, lo=0.0, hi=0.5, unit="per household per year",
        source="assumption: yearly chance that a household of registered people living outside Tieling, away at "
               "least `years_to_settle` years, moves its hukou to where it lives, at the destination's openness of "
               "2018 on; calibrated to the registered population 2017-2019", assumption=True)
    openness_before_2018: float = param(
        0.5, lo=0.0, hi=2.0, unit="× the openness of 2018 on",
        source="assumption: destinations opened up in the late 2010s (State Council 2014 No. 25 relaxed medium "
               "cities; Shenyang, where most of Tieling's movers go, took in about 58,000 registrations a year "
               "2010-2016 but grew its register 1.2% (≈ 88,000) in 2018, a twenty-year high, and 8.98万 in the "
               "year to April 2020; the 2019 national guideline lifted all restrictions below 3 million urban "
               "residents; figures.csv): before 2018 the chance is this share of the later one", assumption=True)
    years_to_settle: int = param(
        2, lo=0, hi=10, unit="years away",
        source="assumption: destinations ask for some years of residence or social insurance before settling "
               "(Shenyang's points system; Dalian dropped all conditions only in June 2022, figures.csv)",
        assumption=True)
    family_multiplier: float = param(
        2.0, lo=0.5, hi=10.0, unit="× with children under 15",
        source="assumption: households with school-age children with them need a local hukou for school "
               "admission where they live (the same motive as clause 八's migrant children)", assumption=True)
    land_loss_multiplier: float = param(
        0.5, lo=0.0, hi=1.0, unit="× when settling costs the land contract",
        source="assumption: a household holding a village land contract moves its hukou out of Tieling this much "
               "less often while settling costs the contract (`policy.rural_rights.kept_after_settling` false; the "
               "Rural Land Contract Law made families moving to a city return their land until its 2018 amendment)",
        assumption=True)
    marriage_out_rate: float = param(
        0.02, lo=0.0, hi=0.2, unit="per person per year",
        source="assumption: yearly chance that a registered single aged 20-34 living outside Tieling marries "
               "there and moves the hukou to the spouse's place (China's mean age at first marriage was 28-29 in "
               "2020, demographic_schedules.csv; about half marry within those 15 years, and half of those move "
               "their hukou)", assumption=True)
    conversion_rate: float = param(
        0.01, lo=0.0, hi=0.1, unit="per year",
        source="assumption: yearly share of village-registered households whose registration turns into a town "
               "registration without moving (村改居 of villages absorbed by towns, land requisition); Liaoning "
               "abolished the agricultural/non-agricultural split in 2009 (辽政办发〔2009〕30号, figures.csv), so "
               "town registration follows the registration address; calibrated to the 2018 registered town share "
               "43.4% (figures.csv)", assumption=True)
