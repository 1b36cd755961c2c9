"""Build the base-year population of Tieling from the census, at any scale.

Steps (each reproduces census marginals by county; see docs/model.md):
1. residents by county x sex x 5-year age group, rounded so county totals hold;
2. the urban (城镇) part of each county;
3. family households by size and generations, filled by matching age slots;
4. education by sex, employment and farming share;
5. hukou: residents registered elsewhere (census), the town/village split of
   hukou, and the registered people living outside Tieling.
Steps 1-4 are `synthesis_residents.py`, step 5 `synthesis_hukou.py`; the households' land,
tenure, floor area and savings, and the years lived in town, are finished here.
"""
from __future__ import annotations

import numpy as np

from ..constants import RURAL_RENT_ODDS, SAVINGS_MONTHS_SHAPE
from ..places import N_COUNTIES, OUTSIDE, county_sums
from ..scenario import Scenario
from .census import CensusYear, load_census
from .columns import Population, Tenure
from .synthesis_hukou import add_outside, assign_hukou, estimate_hukou, registered_residents, urban_hukou
from .synthesis_residents import add_residents, round_preserving

__all__ = ["estimate_hukou", "registered_residents", "round_preserving", "synthesize"]


def synthesize(sc: Scenario, rng: np.random.Generator) -> Population:
    """The base-year population of `sc` at its scale, every draw from `rng`."""
    census = load_census(sc.base_year)
    s = sc.scale
    hukou, urban_share = estimate_hukou(census, sc)
    within = sc.initial.within_city_share
    # Registered in Tieling but living outside: hukou holders minus those living in the city.
    elsewhere_city = census.elsewhere_other_county * within
    from_outside = census.elsewhere_other_county * (1 - within) + census.elsewhere_province
    n_res = round_preserving(census.residents * s, rng)
    n_hukou = round_preserving(hukou * s, rng)
    pop = Population(int(n_res.sum()), int((census.households * s).sum()), 1.0 / s,
                     headroom=0.3 + max(n_hukou.sum() - n_res.sum(), 0) / max(n_res.sum(), 1))
    for c in range(N_COUNTIES):
        add_residents(pop, c, census, n_res[c], rng, s, sc.behaviour.work.flexible_share)
    village_hh = assign_hukou(pop, census, s, from_outside, elsewhere_city, urban_share, rng)
    # Registered here but living outside Tieling: the hukou stock minus those drawn as living in the city.
    p = pop.persons
    live_hk = p.view("hk")[p.view("alive")]
    registered_in_city = county_sums(live_hk)
    n_out = np.maximum(n_hukou - registered_in_city, 0)
    for c in range(N_COUNTIES):
        add_outside(pop, c, census, n_out[c], sc.behaviour.outside, rng)
    urban_hukou(pop, urban_share, village_hh, rng)
    _finish_households(pop, census, sc, rng)
    _years_in_town(pop, sc.behaviour.settling.years_in_town_unregistered, rng)
    return pop


def _years_in_town(pop: Population, mean_unregistered: float, rng) -> None:
    """Years lived in the current town (or away, outside Tieling) at the base year: a lifetime for
    local town-hukou holders, an exponential draw with mean `mean_unregistered` for everyone else
    (`behaviour.settling.years_in_town_unregistered`)."""
    p = pop.persons
    idx = np.flatnonzero(p.view("alive") & p.view("res_urban") & (p.view("res") != OUTSIDE))
    local = (p.hk[idx] == p.res[idx]) & p.hk_urban[idx]
    years = np.where(local, p.age[idx], rng.exponential(mean_unregistered, len(idx)))
    p.town_years[idx] = np.minimum(years, p.age[idx]).astype(np.int16)
    # Registered people living outside: years away, drawn the same way (no survey of how long
    # Tieling's people have been away exists; the same assumption as for unregistered town residents).
    out = np.flatnonzero(p.view("alive") & (p.view("res") == OUTSIDE))
    years = rng.exponential(mean_unregistered, len(out))
    p.town_years[out] = np.minimum(years, p.age[out]).astype(np.int16)


def _finish_households(pop: Population, census: CensusYear, sc: Scenario, rng) -> None:
    """Land contract, housing tenure, floor area, income and savings of each household."""
    p, h = pop.persons, pop.households
    live = p.view("alive")
    hh_of = p.view("hh")[live]
    n_h = h.n
    rural_hukou = np.bincount(hh_of, weights=((p.view("hk")[live] < OUTSIDE) & ~p.view("hk_urban")[live]),
                              minlength=n_h) > 0
    h.land[:n_h] = rural_hukou
    size = np.bincount(hh_of, minlength=n_h)
    county, urban = h.view("county"), h.view("urban")
    tenure = np.full(n_h, Tenure.owned, np.uint8)
    tenure[~urban] = Tenure.self_built
    for c in range(N_COUNTIES):
        t = census.tenure[c]          # rented, self-built, bought, other
        town = np.flatnonzero((county == c) & urban & ~h.view("collective"))
        rent_p = t[0] / (t[0] + t[2] + t[3]) * np.where(rural_hukou[town], RURAL_RENT_ODDS, 1.0)
        u = rng.random(len(town))
        tenure[town[u < rent_p]] = Tenure.rented
        pub = town[(u >= rent_p) & (u < rent_p + sc.behaviour.housing.public_rental_initial_share)]
        tenure[pub] = Tenure.public_rental
        h.floor_m2[np.flatnonzero(county == c)] = census.floor_area_pc[c] * np.maximum(size[county == c], 1)
    tenure[county == OUTSIDE] = Tenure.rented
    tenure[h.view("collective")] = Tenure.rented
    h.tenure[:n_h] = tenure
    h.savings[:n_h] = (rng.gamma(SAVINGS_MONTHS_SHAPE, 1.0, n_h) * 12 * sc.behaviour.work.town_wage * sc.behaviour.housing.savings_rate
                       * np.maximum(size, 1)).astype(np.float32)
