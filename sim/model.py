"""UrbanizationModel: Tieling's people and institutions, one year per step.

The step reads as the ordered story of a year (DESIGN.md §1): demography ->
education -> work -> migration -> residence permits -> settlement -> housing ->
institutions -> record. People are numpy columns (`sim.population`); county and city
governments are Mesa agents (`sim.institutions`); choices are pure rules
(`sim.decisions`). Only `self.rng` (Mesa's, seeded from the scenario) is drawn from.
"""
from __future__ import annotations

import mesa
import numpy as np

from . import outcomes as oc
from .institutions.government import CityGovernment, CountyGovernment
from .places import COUNTIES, N_COUNTIES, OUTSIDE
from .population import demography, moves
from .population.census import load_census
from .population.columns import Population
from .population.synthesis import synthesize
from .scenario import Scenario


class UrbanizationModel(mesa.Model):
    def __init__(self, config: Scenario, population: Population | None = None):
        super().__init__(rng=config.seed)
        self.config = config                  # Mesa owns `self.scenario`
        self.year = config.base_year
        self.census = load_census(config.base_year)
        self.pop = population if population is not None else synthesize(config, self.rng)
        self.mx = demography.death_rates(config.base_year)
        self.fertility = demography.Fertility.anchored(self.census)
        self.counties = [CountyGovernment(self, i) for i in range(N_COUNTIES)]
        self.city = CityGovernment(self)
        self.recorder = oc.Recorder()
        self.events: dict[str, np.ndarray] = {}
        self.record()

    # --- the year ---------------------------------------------------------

    def step(self) -> None:
        self.year += 1
        self.events = {k: np.zeros(N_COUNTIES + 1) for k in ("births", "deaths", "moved_in", "moved_out")}
        self.demography()
        self.outside_moves()
        self.record()
        self.pop.compact()

    def run(self) -> None:
        while self.year < self.config.end_year:
            self.step()

    # --- phases -----------------------------------------------------------

    def alive(self) -> np.ndarray:
        return self.pop.alive()

    def demography(self) -> None:
        """Deaths, births, household formation, ageing."""
        b = self.config.behaviour.demography
        alive = self.alive()
        dead = demography.deaths(self.pop, alive, self.mx, b, self.rng)
        self._count("deaths", dead)
        alive = self.alive()
        born = demography.births(self.pop, alive, self.fertility, b, self.year - self.config.base_year, self.rng)
        self._count("births", born)
        alive = self.alive()
        demography.leave_home(self.pop, alive, b, self.rng)
        demography.age_one_year(self.pop, alive)
        demography.dissolve_empty(self.pop, alive)

    def outside_moves(self) -> None:
        """Moves to and back from outside Tieling, and arrivals registered elsewhere."""
        b = self.config.behaviour.outside
        p = self.pop.persons
        alive = self.alive()
        origin, _ = moves.leave_tieling(self.pop, alive, b, 1.0, self.rng)
        self._add("moved_out", origin)
        alive = self.alive()
        gone = moves.registered_elsewhere_leave(self.pop, alive, b, self.rng)
        self._count("moved_out", gone)
        alive = self.alive()
        back = moves.come_back(self.pop, alive, b, 0.4, self.rng)
        self._count("moved_in", back)
        residents = np.bincount(p.res[alive], minlength=N_COUNTIES + 1)[:N_COUNTIES]
        urban_share = self.census.urban / self.census.residents
        adults = alive[(p.age[alive] >= 20) & (p.age[alive] < 50)]
        new = moves.arrivals(self.pop, residents, b, urban_share, p.edu[adults], self.rng)
        self._count("moved_in", new)

    def _count(self, event: str, idx: np.ndarray, city: bool = True) -> None:
        """Add persons to a flow by their county of residence; persons living outside count nowhere."""
        self._add(event, self.pop.persons.res[idx], city)

    def _add(self, event: str, county: np.ndarray, city: bool = True) -> None:
        """Add a flow by county (entries 0-6); `city` also adds it to the city's total (entry 7),
        which moves within Tieling must not."""
        v = np.bincount(county, minlength=N_COUNTIES + 1)[:N_COUNTIES] * self.pop.weight
        self.events[event][:N_COUNTIES] += v
        if city:
            self.events[event][N_COUNTIES] += v.sum()

    # --- recording ----------------------------------------------------------

    def record(self) -> None:
        """Stocks at the end of the year, and the year's flows (not for the base year)."""
        p, h, w, y, add = self.pop.persons, self.pop.households, self.pop.weight, self.year, self.recorder.add
        alive = self.alive()
        res, hk = p.res[alive], p.hk[alive]
        in_city = res != OUTSIDE
        residents = oc.by_county(res, w, in_city)
        urban = oc.by_county(res, w, in_city & p.res_urban[alive])
        holders = oc.by_county(hk, w, hk != OUTSIDE)
        urban_holders = oc.by_county(hk, w, (hk != OUTSIDE) & p.hk_urban[alive])
        r_rate, h_rate = oc.ratio(urban, residents), oc.ratio(urban_holders, holders)
        add(y, "residents", residents)
        add(y, "urban_residents", urban)
        add(y, "hukou_holders", holders)
        add(y, "urban_hukou_holders", urban_holders)
        add(y, "resident_urbanization_rate", r_rate)
        add(y, "hukou_urbanization_rate", h_rate)
        add(y, "urbanization_gap", r_rate - h_rate)
        add(y, "registered_outside", oc.by_county(hk, w, (hk != OUTSIDE) & ~in_city))
        add(y, "residents_registered_elsewhere", oc.by_county(res, w, in_city & (hk != res)))
        age = p.age[alive]
        for group, lo, hi in (("age_0_14", 0, 14), ("age_15_64", 15, 64), ("age_65_plus", 65, 200)):
            add(y, "residents", oc.by_county(res, w, in_city & (age >= lo) & (age <= hi)), group)
        fam = np.flatnonzero(h.view("alive") & ~h.view("collective") & (h.view("county") != OUTSIDE))
        households = oc.by_county(h.county[fam], w)
        in_fam = in_city & ~h.collective[p.hh[alive]]
        add(y, "households", households)
        add(y, "household_size", oc.ratio(oc.by_county(res, w, in_fam), households))
        if y > self.config.base_year:
            for name in ("births", "deaths", "moved_in", "moved_out"):
                add(y, name, self.events[name])


__all__ = ["UrbanizationModel", "COUNTIES"]
