"""UrbanizationModel: Tieling's people and institutions, one year per step.

The step reads as the ordered story of a year (docs/design.md §1): demography ->
education -> work -> migration -> residence permits -> settlement -> housing ->
institutions -> record. People are numpy columns (`sim.population`); county and city
governments are Mesa agents (`sim.institutions`); choices are pure rules
(`sim.decisions`). Draws about persons and households are keyed by (seed, stable id, year,
purpose) (`sim.draws`, common random numbers); `self.rng` (Mesa's, seeded from the scenario)
only builds the base population.
Each phase hands what later phases and the record need to this year's `YearRecord`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import mesa
import numpy as np

from . import budget as bud
from . import outcomes as oc
from . import panel, recording
from .constants import ARRIVAL_EDUCATION_AGES, SCHOOL_AGES
from .draws import Draws, YearDraws
from .institutions.government import CityGovernment, CountyGovernment
from .mesa_api import AGENT_REPORTERS, SampledPerson, data_collector, follow, scenario_for
from .places import N_COUNTIES, OUTSIDE
from .policies.rules import Rules, rules_for
from .population import demography, economy, education, housing, moves, registration, registry
from .population import moves_within as within
from .population.census import load_census
from .population.columns import Heads, Pathway, Population, Tenure, any_member, county_counts, members_of, select
from .population.cache import synthesize_cached
from .recording import Flows, YearRecord
from .scenario import Scenario


def _school_age(age: np.ndarray) -> np.ndarray:
    return (age >= SCHOOL_AGES[0]) & (age <= SCHOOL_AGES[1])


class UrbanizationModel(mesa.Model):
    """Tieling from `scenario.base_year`; each `step()` is one year, until `scenario.end_year`.

    `UrbanizationModel(scenario=None, *, rng=None, overrides=None, agent_sample=None, **paths)`:
    `scenario` is a Scenario, a scenario YAML file or None (the defaults: the document as written);
    `rng` an integer seed that replaces the scenario's (what `mesa.batch_run` passes); `paths`
    scenario overrides with `__` for the dots (`scale=0.01`, `policy__purchase__enabled=False`)
    and `overrides` the same as a dict of dotted paths; `agent_sample` a share of persons followed as
    Mesa agents. `running` turns False at `end_year`; `datacollector` holds the city's outcomes of
    every year (docs/mesa.md).
    """

    def __init__(self, scenario: Scenario | str | Path | None = None, *, rng: int | None = None,
                 overrides: Mapping[str, Any] | None = None, population: Population | None = None,
                 agent_sample: float | None = None, **paths: Any):
        config = scenario_for(scenario, rng, overrides, paths)
        super().__init__(rng=config.seed)
        self.config = config                  # Mesa owns `self.scenario`
        self.year = config.base_year
        self.rules: Rules = rules_for(config.policy, self.year)
        self.census = load_census(config.base_year)
        self.pop = population if population is not None else synthesize_cached(config, self.rng)
        self.mx = demography.death_rates(config.base_year)
        self.fertility = demography.Fertility.anchored(self.census)
        self.prices = housing.prices(config.behaviour.housing)
        # Common random numbers (sim/draws.py): the draws of the year in progress.
        self.draws = Draws(config.seed)
        self.year_draws: YearDraws = self.draws.year(self.year)
        self._seed_awareness()
        registration.mark_declined(self.pop, self.pop.residents(), self.year, self._rules_known(self.year))
        alive = self.alive()
        self.labour = economy.LabourMarket(economy.town_workers(self.pop, self.pop.residents()), config.behaviour.work,
                                           config.behaviour.migration.new_district_pull)
        self.counties = self._make_counties(alive)
        self.city = CityGovernment(self, config.behaviour.services.transfer_pool_yuan)
        self.budget = bud.BudgetBook(config.costs)
        self.recorder = oc.Recorder()
        # Persons followed as Mesa agents for the DataCollector's agent reporters (sim/mesa_api.py).
        self.agent_sample = agent_sample
        self.followed: dict[int, SampledPerson] = {}
        self.datacollector = data_collector(AGENT_REPORTERS if agent_sample else None, SampledPerson)
        self.settled_this_year: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int8))
        self.announced: set[Pathway] = set()     # pathways whose new rules have been announced
        # The base year's record: its service stocks (pupils admitted, nobody queuing yet, flats occupied).
        self.this_year = YearRecord(Flows(self.pop), rental_occupied=recording.base_services(self.pop))
        self.this_year.migrant_children, self.this_year.migrant_admitted = self._admit_pupils()
        self.wages = self.labour.wages(economy.town_workers(self.pop, self.pop.residents()), 0)
        self._base_wage_ratio = float(self.wages[OUTSIDE] / self.wages[:N_COUNTIES].mean())
        self.record()
        self.collect()

    # --- the year ---------------------------------------------------------

    def _wrapped_step(self) -> None:
        """Mesa calls this for `model.step()` (its __init__ binds `step` to it, then it runs ours):
        refused past the end year here, before Mesa counts a step or advances its clock."""
        if self.year >= self.config.end_year:
            raise RuntimeError(f"the run ends in {self.config.end_year} (the scenario's end_year) and "
                               f"{self.year} is done; build the model with a later end_year to go on")
        super()._wrapped_step()

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
        """Stocks at the end of the year and the year's flows into the outcomes table."""
        recording.record(self)

    def collect(self) -> None:
        """The year's settlers by stable id (their rows move at compact()), then the DataCollector."""
        y, p = self.this_year, self.pop.persons
        if y.settled is not None:
            settled, student = y.settled, y.student_settlers
            self.settled_this_year = (np.concatenate([p.id[student], p.id[settled.persons]]),
                                      np.concatenate([np.full(len(student), Pathway.student, np.int8),
                                                      settled.pathway.astype(np.int8)]))
        if self.agent_sample:
            follow(self, self.agent_sample, self.followed)
        self.datacollector.collect(self)

    def persons_frame(self, sample: float = 1.0):
        """The living persons now as a pandas DataFrame with readable columns (or a `sample` of
        them by stable id); see sim/panel.py and docs/outcomes.md."""
        return panel.persons_frame(self, sample)

    def households_frame(self, sample: float = 1.0):
        """The households with living members now as a pandas DataFrame (or a `sample` by id)."""
        return panel.households_frame(self, sample)

    def run(self) -> None:
        while self.year < self.config.end_year:
            self.step()

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
        alive = self.alive()
        residents = county_counts(p.res[self.pop.residents()])
        age = p.age[alive]
        adults = select(alive, (age >= ARRIVAL_EDUCATION_AGES[0]) & (age <= ARRIVAL_EDUCATION_AGES[1]))
        new = moves.arrivals(self.pop, residents, b, self.census.urban / self.census.residents, p.edu[adults],
                             self.year_draws)
        flows.count("moved_in", new)
        before = p.view("res").copy()
        heads = within.move_within(self.pop, self.within_setting(), self.year_draws)
        flows.moves(before)
        return heads

    def within_setting(self) -> within.Setting:
        """What the choice of where to live within the city sees this year."""
        return within.Setting(self.config.behaviour, self.rules.permit_access, self.wages,
                              np.array([g.congestion for g in self.counties]), self.census.urban)

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
        self._announce(alive)
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
        b, y, ledger = self.config.behaviour, self.year, self.this_year.ledger
        for reason in ("settled_elsewhere", "marriage"):
            before = registry.Snapshot(self.pop)
            outside = self.pop.outside()
            if reason == "settled_elsewhere":
                registry.settle_outside(self.pop, outside, y, b.registry, b.outside, self.rules, self.year_draws)
            else:
                registry.marry_out(self.pop, outside, b.registry, self.year_draws)
            before.count(self.pop, ledger, reason, reason)
        converted = registry.convert_villages(self.pop, self.alive(), b.registry, self.year_draws)
        ledger.add("hukou_converted", "all", self.pop.persons.hk[converted])

    def _rules_known(self, year: int) -> Rules:
        """The rules people knew in `year`: in the base year, the rules before the reform (the base
        population's awareness and choices are of those), else the rules of the year."""
        policy, base = self.config.policy, self.config.base_year
        return rules_for(policy, year if year > base else min(base, policy.start_year - 1))

    def _announce(self, alive: np.ndarray) -> None:
        """News of a pathway's new rules (clause 十二): in the first year a pathway's rules differ
        from the year before, nobody knows them yet; publicity and word of mouth spread them
        (docs/model.md §7.8). Each pathway is announced once."""
        before = self._rules_known(self.year - 1)
        registration.reopen_declined(self.pop, alive, before, self.rules)
        changed = [k for k in registration.changed_pathways(before, self.rules) if k not in self.announced]
        if changed:
            registration.forget(self.pop, alive, changed)
            self.announced.update(changed)

    def housing(self) -> tuple[np.ndarray, np.ndarray]:
        """Town households buy homes or queue for public rental flats. Returns the households
        queuing and those housed in public rental, by county."""
        b, h = self.config.behaviour, self.pop.households
        bought = housing.buy_homes(self.pop, self.prices, b.housing, self._purchase_motive, self.year_draws)
        self.this_year.flows.add("homes_bought", h.county[bought])
        eligible = housing.rental_eligible(self.pop, self.pop.residents(), self.year, self.rules, b.housing)
        stock = np.array([c.rental_stock for c in self.counties])
        return housing.allocate_rental(self.pop, eligible, stock, self.year, self.year_draws)

    def _purchase_motive(self, rows: np.ndarray) -> np.ndarray:
        """Per household row: 1 when buying opens the purchase pathway (a member lacks local town
        hukou and the pathway is open), else 0. Only the members of `rows` are looked at."""
        if not self.rules.purchase.enabled:
            return np.zeros(len(rows))
        p, h, residents = self.pop.persons, self.pop.households, self.pop.residents()
        hh = p.hh[residents]        # the rows are town households: their members live in the city
        members = members_of(rows, hh, h.n)
        unregistered = ~registration.town_status(self.pop, residents[members])
        return any_member(hh[members], h.n, unregistered)[rows].astype(float)

    def institutions(self, y: YearRecord) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Schools admit pupils, clinics congest, the city pays people-linked transfers, counties
        invest them with a lag, and construction land follows settlers. Returns the transfers
        received by each county and the pupils admitted (`_admit_pupils`)."""
        p, w, r = self.pop.persons, self.pop.weight, self.rules
        settlers = registration.county_sums(y.settled.county, w)
        settlers += registration.county_sums(p.res[y.student_settlers], w)
        permits = registration.county_sums(p.res[y.new_permits], w)
        residents = registration.county_sums(p.res[self.pop.residents()], w)
        general, linked = self.city.allocate(settlers, permits, residents, r.transfers.yuan_per_settler,
                                             r.transfers.yuan_per_permit, r.transfers.pool_share)
        receipts = general + linked
        for i, gov in enumerate(self.counties):
            gov.receive(receipts[i], self.year)
            gov.build(self.year, r.schools.capacity_growth_per_year, r.public_housing.stock_growth_per_year)
            gov.land_quota_m2 += settlers[i] * r.land.m2_per_settler
            gov.update_clinics(residents[i])
        pupils = self._admit_pupils()
        y.budget = self._budget(y.settled, settlers, permits, pupils[1], general, linked)
        return receipts, pupils

    def _budget(self, settled, settlers, permits, admitted, general, linked) -> dict[str, dict[str, np.ndarray]]:
        """Price the year's flows and stocks (sim/budget.py)."""
        w, gov = self.pop.weight, self.counties
        outside = settled.from_outside if settled.from_outside is not None else np.zeros(len(settled.county), bool)
        added = {k: np.array([g.added[k] for g in gov]) for k in ("school_places", "clinic_capacity", "rental_stock")}
        flows = bud.YearFlows(
            settlers=settlers, settlers_from_outside=registration.county_sums(settled.county, w, outside),
            new_permits=permits, migrant_pupils_admitted=admitted,
            places_added=added["school_places"], clinic_added=added["clinic_capacity"],
            flats_added=added["rental_stock"], general_transfers=general, linked_transfers=linked,
            land_m2=settlers * self.rules.land.m2_per_settler)
        insured, pensioners = bud.settled_stock(self.pop, self.config.base_year, w,
                                                self.config.costs.spending.pension_age)
        return self.budget.year(flows, insured, pensioners)

    def _admit_pupils(self) -> tuple[np.ndarray, np.ndarray]:
        """Each county admits local pupils, then eligible migrant children, up to its places.
        Returns the migrant children and those admitted to public school, by county (real persons)."""
        local, migrant, eligible = self._pupils(self.pop.residents())
        admitted = np.array([gov.admit_pupils(local[i], eligible[i])[1] for i, gov in enumerate(self.counties)])
        return migrant, admitted

    # --- helpers ------------------------------------------------------------

    def _seed_awareness(self) -> None:
        p = self.pop.persons
        alive = self.alive()
        share = self.config.behaviour.settling.initial_awareness
        knows = np.zeros(len(alive), np.uint8)
        keys = p.id[alive]
        for bit in range(len(Pathway)):
            knows |= self.year_draws.chance(f"initial_awareness.{bit}", keys, share, np.float32).astype(np.uint8) << bit
        p.knows[alive] = knows

    def _make_counties(self, alive: np.ndarray) -> list[CountyGovernment]:
        p, h, w = self.pop.persons, self.pop.households, self.pop.weight
        b = self.config.behaviour
        age, res = p.age[alive], p.res[alive]
        children = registration.county_sums(res, w, (res != OUTSIDE) & _school_age(age))
        residents = registration.county_sums(res, w, res != OUTSIDE)
        town = h.view("alive") & h.view("urban") & ~h.view("collective") & (h.view("county") != OUTSIDE)
        town_hh = registration.county_sums(h.view("county"), w, town)
        rental = h.view("alive") & (h.view("tenure") == Tenure.public_rental) & (h.view("county") != OUTSIDE)
        stock = registration.county_sums(h.view("county"), w, rental)
        share = np.divide(stock, np.maximum(town_hh, 1))
        return [CountyGovernment(self, i, children[i], residents[i], town_hh[i], b.services, share[i],
                                 self.config.costs.spending)
                for i in range(N_COUNTIES)]

    def _pupils(self, residents: np.ndarray):
        """School-age children (6-14) by county: local, migrant (registered elsewhere), and migrant
        children eligible for public school under `schools.migrant_children_admission`."""
        p, w, h = self.pop.persons, self.pop.weight, self.pop.households
        age, res = p.age[residents], p.res[residents]
        at = np.flatnonzero(_school_age(age))    # pupils
        county = res[at]
        migrant = p.hk[residents[at]] != county
        mode = self.rules.schools.migrant_children_admission.value
        if mode == "permit_only":
            hh = p.hh[residents]
            ok = migrant & any_member(hh, h.n, p.permit[residents])[hh[at]]
        else:
            ok = {"equal": migrant, "hukou_only": np.zeros_like(migrant)}[mode]
        return (registration.county_sums(county, w, ~migrant), registration.county_sums(county, w, migrant),
                registration.county_sums(county, w, ok))

    def _outside_pull(self) -> np.ndarray:
        """Per county (index 7 unused): (outside wage / town wage)^e, 1 at the base year's city mean."""
        e = self.config.behaviour.outside.wage_elasticity
        ratio = self.wages[OUTSIDE] / self.wages[:N_COUNTIES]
        return np.append((ratio / self._base_wage_ratio) ** e, 1.0)

