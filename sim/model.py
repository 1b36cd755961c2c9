"""UrbanizationModel: Tieling's people and institutions, one year per step.

`step()` is the ordered story of a year (docs/design.md §1), each phase a call into
`sim.population` (people as numpy columns), `sim.decisions` (pure rules) or `sim.institutions`
(governments as Mesa agents) that hands what later phases need to this year's `YearRecord`.
Draws about persons and households are keyed by (seed, stable id, year, purpose) (`sim.draws`);
`self.rng` (Mesa's) only builds the base population. Mesa's plumbing is `mesa_api.ScenarioModel`;
the outcomes are `recording`'s, the budget `budget`'s.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from . import budget as bud
from . import outcomes as oc
from . import recording
from .draws import Draws, YearDraws
from .institutions.government import CityGovernment, CountyGovernment
from .mesa_api import ScenarioModel
from .places import county_sums
from .policies.rules import Rules, rules_for, rules_known
from .population import demography, economy, education, housing, moves, registration, registry, service_users
from .population import moves_within as within
from .population.census import load_census
from .population.columns import Heads, Pathway, Population
from .population.cache import synthesize_cached
from .recording import Flows, YearRecord
from .scenario import Scenario


class UrbanizationModel(ScenarioModel):
    """Tieling from `scenario.base_year`; each `step()` is one year, until `scenario.end_year`.
    `UrbanizationModel(scenario=None, *, rng=None, overrides=None, agent_sample=None, **paths)`: the
    arguments are `mesa_api.ScenarioModel`'s (docs/mesa.md); `population` a ready base population."""

    def __init__(self, scenario: Scenario | str | Path | None = None, *, rng: int | None = None,
                 overrides: Mapping[str, Any] | None = None, population: Population | None = None,
                 agent_sample: float | None = None, **paths: Any):
        super().__init__(scenario, rng, overrides, paths, agent_sample)
        config, b = self.config, self.config.behaviour
        self.year = config.base_year
        self.rules: Rules = rules_for(config.policy, self.year)
        self.census = load_census(config.base_year)
        self.pop = population if population is not None else synthesize_cached(config, self.rng)
        self.mx = demography.death_rates(config.base_year)
        self.fertility = demography.Fertility.anchored(self.census)
        self.prices = housing.prices(b.housing)
        # Common random numbers (sim/draws.py): the draws of the year in progress.
        self.draws = Draws(config.seed)
        self.year_draws: YearDraws = self.draws.year(self.year)
        registration.seed_awareness(self.pop, self.alive(), b.settling.initial_awareness, self.year_draws)
        registration.mark_declined(self.pop, self.pop.residents(), self.year, self._rules_known(self.year))
        self.labour = economy.LabourMarket(economy.town_workers(self.pop, self.pop.residents()), b.work,
                                           b.migration.new_district_pull)
        self.counties = CountyGovernment.at_base(self, service_users.base_users(self.pop, self.alive()), b.services,
                                                 config.costs.spending)
        self.city = CityGovernment(self, b.services.transfer_pool_yuan)
        self.budget = bud.BudgetBook(config.costs, config.base_year)
        self.recorder = oc.Recorder()
        self.settled_this_year: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int8))
        self.announced: set[Pathway] = set()     # pathways whose new rules have been announced
        # The base year's record: its service stocks (pupils admitted, nobody queuing yet, flats occupied).
        self.this_year = YearRecord(Flows(self.pop), rental_occupied=recording.base_services(self.pop))
        self.this_year.migrant_children, self.this_year.migrant_admitted = self._admit_pupils()
        self.wages = self.labour.wages(economy.town_workers(self.pop, self.pop.residents()), 0)
        self._base_wage_ratio = economy.wage_ratio(self.wages)
        self.record()
        self.collect()

    # --- the year ---------------------------------------------------------

    def step(self) -> None:
        self.year += 1
        self.year_draws = self.draws.year(self.year)
        self.rules = rules_for(self.config.policy, self.year)
        y = self.this_year = YearRecord(Flows(self.pop))
        self.demography()
        y.student_settlers = self.education()
        self.work()
        heads = self.migration()
        y.new_permits = self.residence_permits()
        y.settled = self.settlement(heads)
        self.register_moves()
        y.rental_queue, y.rental_occupied = self.housing()
        y.receipts, (y.migrant_children, y.migrant_admitted) = self.institutions(y)
        self.record()
        self.collect()
        self.running = self.year < self.config.end_year
        self.pop.compact()

    def record(self) -> None:
        """Stocks at the end of the year and the year's flows into the outcomes table; the year's
        settlers by stable id (for the panels, before their rows move at compact())."""
        recording.record(self)
        self.settled_this_year = recording.settlers_by_id(self.this_year, self.pop) or self.settled_this_year

    def alive(self) -> np.ndarray:
        return self.pop.alive()

    # --- phases -----------------------------------------------------------

    def demography(self) -> None:
        """Deaths, births, household formation, ageing."""
        b, flows = self.config.behaviour.demography, self.this_year.flows
        before = registry.Snapshot(self.pop)
        dead = demography.deaths(self.pop, self.alive(), self.mx, b, self.year_draws)
        flows.count("deaths", dead)
        born = demography.births(self.pop, self.alive(), self.fertility, b, self.year - self.config.base_year,
                                 self.year_draws)
        flows.count("births", born)
        alive, residents = self.alive(), self.pop.residents()
        demography.leave_home(self.pop, residents, b, self.year_draws)
        demography.age_one_year(self.pop, alive, residents)
        demography.dissolve_empty(self.pop, alive)
        before.count(self.pop, self.this_year.ledger, "other", "other", deaths=True)

    def education(self) -> np.ndarray:
        """College entry (student hukou moves) and graduation; moves to and from college count as
        moves. Returns the persons who settled by a student hukou move."""
        b, p, flows = self.config.behaviour.education, self.pop.persons, self.this_year.flows
        alive = self.alive()
        before = p.view("res").copy()
        registered = registry.Snapshot(self.pop)
        education.progress_school(self.pop, alive, b, self.year_draws)
        _, student_settlers = education.enter_college(self.pop, alive, self.year, b, self.rules, self.year_draws)
        town_weights = self.census.urban.astype(float)
        done = education.graduate(self.pop, alive, self.year, b, self.rules, town_weights, self.year_draws)
        registration.expire_school_hukou(self.pop, alive, self.year)
        registered.count(self.pop, self.this_year.ledger, "student", "student_return")
        flows.moves(before)
        left = done[~p.alive[done]]            # graduates registered outside Tieling who leave the model
        flows.add("moved_out", before[left])
        flows.count("moved_in", education.student_arrivals(self.pop, self.year, b, self.year_draws))
        return student_settlers

    def work(self) -> None:
        """Town wages follow labour demand; incomes, savings and insurance contributions."""
        b, alive, residents = self.config.behaviour, self.alive(), self.pop.residents()
        years = self.year - self.config.base_year
        self.labour.grow()
        self.wages = self.labour.wages(economy.town_workers(self.pop, residents), years)
        economy.earn(self.pop, alive, self.wages, b.work, years, b.housing.savings_rate)
        economy.enter_work(self.pop, residents, b.work, self.year_draws)
        economy.contribute(self.pop, alive, residents, b.work, self.year_draws)

    def migration(self) -> Heads:
        """Leaving Tieling, coming back, arrivals registered elsewhere, and moves within the city.
        Returns the heads of the residents' households after the moves (for the settlement decisions)."""
        b, p, flows = self.config.behaviour.outside, self.pop.persons, self.this_year.flows
        origin, _ = moves.leave_tieling(self.pop, self.pop.residents(), b, self._outside_pull(), self.year_draws)
        flows.add("moved_out", origin)
        gone = moves.registered_elsewhere_leave(self.pop, self.pop.residents(), b, self.year_draws)
        flows.count("moved_out", gone)
        back = moves.come_back(self.pop, self.pop.outside(), b, b.return_to_town_share, self.year_draws)
        flows.count("moved_in", back)
        residents, edu = moves.arrival_pool(self.pop)
        new = moves.arrivals(self.pop, residents, b, self.census.urban / self.census.residents, edu, self.year_draws)
        flows.count("moved_in", new)
        before = p.view("res").copy()
        heads = within.move_within(self.pop, self.within_setting(), self.year_draws)
        flows.moves(before)
        return heads

    def residence_permits(self) -> np.ndarray:
        """Town residents registered elsewhere apply for permits; returns the new holders."""
        new = registration.issue_permits(self.pop, self.pop.residents(), self.rules, self.config.behaviour.settling,
                                         self.year_draws)
        self.this_year.flows.count("residence_permits_new", new, city=True)
        return new

    def settlement(self, heads: Heads) -> registration.Settled:
        """Awareness spreads; eligible town residents choose whether to settle, by pathway (`heads`:
        of the residents' households). Returns the settlers."""
        b, alive, residents = self.config.behaviour, self.alive(), self.pop.residents()
        registration.announce(self.pop, alive, self._rules_known(self.year - 1), self.rules, self.announced)
        registered = registry.Snapshot(self.pop)
        registration.spread_awareness(self.pop, alive, self.rules.publicity.reach_per_year, b.settling.word_of_mouth,
                                      self.year_draws)
        congestion = np.array([c.congestion for c in self.counties])
        settled = registration.settle(self.pop, residents, self.year, self.rules, b.settling, congestion,
                                      b.services.unregistered_access, self.year_draws, heads)
        back = registration.urban_to_rural(self.pop, residents, self.rules, b.settling, self.year_draws)
        self.this_year.flows.count("urban_to_rural_moves", back)
        registered.count(self.pop, self.this_year.ledger, "settlement", "settlement")
        return settled

    def register_moves(self) -> None:
        """Registered people living outside settle there or marry there (户籍迁出); village
        registrations turn into town registrations without a move (村改居)."""
        b, ledger = self.config.behaviour, self.this_year.ledger
        registry.leave_from_outside(self.pop, ledger, self.year, b.registry, b.outside, self.rules, self.year_draws)
        converted = registry.convert_villages(self.pop, self.alive(), b.registry, self.year_draws)
        ledger.add("hukou_converted", "all", self.pop.persons.hk[converted])

    def housing(self) -> tuple[np.ndarray, np.ndarray]:
        """Town households buy homes or queue for public rental flats. Returns the households
        queuing and those housed in public rental, by county."""
        b, h = self.config.behaviour, self.pop.households
        motive = partial(housing.purchase_motive, self.pop, self.rules)     # looked at for the candidates only
        bought = housing.buy_homes(self.pop, self.prices, b.housing, motive, self.year_draws)
        self.this_year.flows.add("homes_bought", h.county[bought])
        eligible = housing.rental_eligible(self.pop, self.pop.residents(), self.year, self.rules, b.housing)
        stock = np.array([c.rental_stock for c in self.counties])
        return housing.allocate_rental(self.pop, eligible, stock, self.year, self.year_draws)

    def institutions(self, y: YearRecord) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Schools admit pupils, clinics congest, the city pays people-linked transfers, counties
        invest them with a lag, construction land follows settlers, and the budget prices the year.
        Returns the transfers received by each county and the pupils admitted (`_admit_pupils`)."""
        p, w, r = self.pop.persons, self.pop.weight, self.rules
        settlers = county_sums(y.settled.county, w) + county_sums(p.res[y.student_settlers], w)
        permits = county_sums(p.res[y.new_permits], w)
        residents = county_sums(p.res[self.pop.residents()], w)
        general, linked = self.city.allocate(settlers, permits, residents, r.transfers.yuan_per_settler,
                                             r.transfers.yuan_per_permit, r.transfers.pool_share)
        receipts = general + linked
        for i, gov in enumerate(self.counties):
            gov.serve_year(self.year, receipts[i], r, settlers[i], residents[i])
        pupils = self._admit_pupils()
        flows = bud.YearFlows.counted(w, y.settled, settlers, permits, pupils[1], self.counties, (general, linked),
                                      r.land.m2_per_settler)
        y.budget = self.budget.price(self.pop, flows)
        return receipts, pupils

    def _admit_pupils(self) -> tuple[np.ndarray, np.ndarray]:
        """Each county admits local pupils, then eligible migrant children, up to its places.
        Returns the migrant children and those admitted to public school, by county (real persons)."""
        local, migrant, eligible = service_users.pupils(self.pop, self.pop.residents(),
                                                        self.rules.schools.migrant_children_admission)
        admitted = np.array([gov.admit_pupils(local[i], eligible[i])[1] for i, gov in enumerate(self.counties)])
        return migrant, admitted

    # --- what people know and see ---------------------------------------------

    def _rules_known(self, year: int) -> Rules:
        """The rules people knew in `year` (`rules.rules_known`)."""
        return rules_known(self.config.policy, self.config.base_year, year)

    def within_setting(self) -> within.Setting:
        """What the choice of where to live within the city sees this year."""
        return within.Setting(self.config.behaviour, self.rules.permit_access, self.wages,
                              np.array([g.congestion for g in self.counties]), self.census.urban)

    def _outside_pull(self) -> np.ndarray:
        """Per county (index 7 unused): the pull of outside wages (`economy.outside_pull`)."""
        return economy.outside_pull(self.wages, self._base_wage_ratio, self.config.behaviour.outside.wage_elasticity)
