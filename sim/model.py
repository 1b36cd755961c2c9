"""UrbanizationModel: Tieling's people and institutions, one year per step.

The step reads as the ordered story of a year (DESIGN.md §1): demography ->
education -> work -> migration -> residence permits -> settlement -> housing ->
institutions -> record. People are numpy columns (`sim.population`); county and city
governments are Mesa agents (`sim.institutions`); choices are pure rules
(`sim.decisions`). Only `self.rng` (Mesa's, seeded from the scenario) is drawn from.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import mesa
import numpy as np

from . import outcomes as oc
from . import panel
from .decisions import centre
from .decisions import migration as mig
from .decisions.logit import choose
from .institutions.government import CityGovernment, CountyGovernment
from .mesa_api import AGENT_REPORTERS, SampledPerson, data_collector, follow, scenario_for
from .places import CENTRAL, N_COUNTIES, OUTSIDE
from .policies.rules import Rules, rules_for
from .population import demography, economy, education, housing, moves, registration, registry
from .population.census import load_census
from .population.columns import (Heads, Job, Pathway, Population, Tenure, any_member, county_counts, is_job,
                                 members_of, rows_in_order, select)
from .population.cache import synthesize_cached
from .scenario import Scenario

FLOWS = ("births", "deaths", "moved_in", "moved_out", "residence_permits_new", "urban_to_rural_moves",
         "homes_bought")
KINDS = ("migrant_worker", "graduate", "household")
# Reasons of the register's moves (registry.py): out of Tieling's register (or, for a county, to
# another county's), and into it.
REGISTER_REASONS = {"hukou_moved_out": ("settled_elsewhere", "marriage", "student", "settlement"),
                    "hukou_moved_in": ("settlement", "student_return")}


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
        # The sample survey draws from its own stream (spawned from the model's), so the survey
        # rate changes the estimate and nothing else.
        self.survey_rng = self.rng.spawn(1)[0]
        self._seed_awareness()
        self.heads: Heads | None = None      # household heads of the year, from the moves within the city
        alive = self.alive()
        self.labour = economy.LabourMarket(economy.town_workers(self.pop, self.pop.residents()), config.behaviour.work,
                                           config.behaviour.migration.new_district_pull)
        self.counties = self._make_counties(alive)
        self.city = CityGovernment(self, config.behaviour.services.transfer_pool_yuan)
        self.recorder = oc.Recorder()
        # Persons followed as Mesa agents for the DataCollector's agent reporters (sim/mesa_api.py).
        self.agent_sample = agent_sample
        self.followed: dict[int, SampledPerson] = {}
        self.datacollector = data_collector(AGENT_REPORTERS if agent_sample else None, SampledPerson)
        self.settled_this_year: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.int64), np.zeros(0, np.int8))
        self.events: dict[str, np.ndarray] = {}
        self.ledger = registry.Ledger()
        self.announced: set[Pathway] = set()     # pathways whose new rules have been announced
        self.year_stats: dict[str, np.ndarray] = self._base_services()
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
        self.rules = rules_for(self.config.policy, self.year)
        self.events = {k: np.zeros(N_COUNTIES + 1) for k in FLOWS}
        self.ledger = registry.Ledger()
        self.year_stats = {}
        self.demography()
        self.education()
        self.work()
        self.migration()
        self.residence_permits()
        self.settlement()
        self.register_moves()
        self.housing()
        self.institutions()
        self.record()
        self.collect()
        self.running = self.year < self.config.end_year
        self.pop.compact()

    def collect(self) -> None:
        """The year's settlers by stable id (their rows move at compact()), then the DataCollector."""
        s, p = self.year_stats, self.pop.persons
        if "settled" in s:
            settled, student = s["settled"], s["student_settlers"]
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
        b = self.config.behaviour.demography
        before = registry.Snapshot(self.pop)
        dead = demography.deaths(self.pop, self.alive(), self.mx, b, self.rng)
        self._count("deaths", dead)
        born = demography.births(self.pop, self.alive(), self.fertility, b, self.year - self.config.base_year,
                                 self.rng)
        self._count("births", born)
        alive, residents = self.alive(), self.pop.residents()
        demography.leave_home(self.pop, residents, b, self.rng)
        demography.age_one_year(self.pop, alive, residents)
        demography.dissolve_empty(self.pop, alive)
        before.count(self.pop, self.ledger, "other", "other", deaths=True)

    def education(self) -> None:
        """College entry (student hukou moves) and graduation; moves to and from college count as moves."""
        b, p = self.config.behaviour.education, self.pop.persons
        alive = self.alive()
        before = p.view("res").copy()
        registered = registry.Snapshot(self.pop)
        education.progress_school(self.pop, alive, b, self.rng)
        _, student_settlers = education.enter_college(self.pop, alive, self.year, b, self.rules, self.rng)
        done = education.graduate(self.pop, alive, self.year, b, self.rules, self._town_weights(alive), self.rng)
        registration.expire_school_hukou(self.pop, alive, self.year)
        registered.count(self.pop, self.ledger, "student", "student_return")
        self._count_moves(before)
        left = done[~p.alive[done]]            # graduates registered outside Tieling who leave the model
        self._add("moved_out", before[left])
        self._count("moved_in", education.student_arrivals(self.pop, self.year, b, self.rng))
        self.year_stats["student_settlers"] = student_settlers
        self.year_stats["graduates"] = done

    def work(self) -> None:
        """Town wages follow labour demand; incomes, savings and insurance contributions."""
        b, alive, residents = self.config.behaviour, self.alive(), self.pop.residents()
        years = self.year - self.config.base_year
        self.labour.grow()
        self.wages = self.labour.wages(economy.town_workers(self.pop, residents), years)
        economy.earn(self.pop, alive, self.wages, b.work, years, self.rng, b.housing.savings_rate)
        economy.enter_work(self.pop, residents, b.work, self.rng)
        economy.contribute(self.pop, alive, residents, b.work, self.rng)

    def migration(self) -> None:
        """Leaving Tieling, coming back, arrivals registered elsewhere, and moves within the city."""
        b, p = self.config.behaviour.outside, self.pop.persons
        origin, _ = moves.leave_tieling(self.pop, self.pop.residents(), b, self._outside_pull(), self.rng)
        self._add("moved_out", origin)
        gone = moves.registered_elsewhere_leave(self.pop, self.pop.residents(), b, self.rng)
        self._count("moved_out", gone)
        back = moves.come_back(self.pop, self.pop.outside(), b, b.return_to_town_share, self.rng)
        self._count("moved_in", back)
        alive = self.alive()
        residents = county_counts(p.res[self.pop.residents()])
        age = p.age[alive]
        adults = select(alive, (age >= 20) & (age < 50))
        new = moves.arrivals(self.pop, residents, b, self.census.urban / self.census.residents, p.edu[adults],
                             self.rng)
        self._count("moved_in", new)
        self.move_within()

    def move_within(self) -> None:
        """Households and village youths weigh staying, their own county town, the central districts
        or another county town (a logit choice; decisions/migration.py)."""
        b, p = self.config.behaviour, self.pop.persons
        residents = self.pop.residents()
        before = p.view("res").copy()
        for deciders, whole in zip(self._within_deciders(residents), (True, False)):
            if len(deciders) == 0:
                continue
            pick = self._within_choice(deciders, whole, residents)
            go = pick != mig.STAY
            county = self._destinations(deciders[go], pick[go])
            if whole:
                moves.move_households(self.pop, p.hh[deciders[go]], county, np.ones(go.sum(), bool),
                                      b.work.flexible_share, self.rng)
            else:
                movers = deciders[go]
                rows = moves.new_households(self.pop, movers, county, np.ones(len(movers), bool), Tenure.rented)
                self.heads = self.heads.with_singles(rows, movers, p.age[movers])
                moves.relocate(self.pop, movers, county, np.ones(len(movers), bool))
                farm = movers[p.job[movers] == Job.farming]
                p.job[farm] = np.where(self.rng.random(len(farm)) < b.work.flexible_share, Job.flexible, Job.employee)
        self._count_moves(before)

    def _within_deciders(self, residents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Who reconsiders where to live this year (`reconsider_rate`): heads (18-55) of family
        households in the city, for the whole household, and village youths (18-30, children in
        such households), for themselves. `residents`: `Population.residents()`. Keeps the heads of
        the residents' households in `self.heads`: households change only by the youths' moves
        before the settlement decisions use them."""
        p, h, rate = self.pop.persons, self.pop.households, self.config.behaviour.migration.reconsider_rate
        age, hh = p.age[residents], p.hh[residents]
        self.heads = Heads.find(residents, age, hh, h.n)
        # Heads (18-55) of family households, read from the households' heads, in row order.
        head_age = self.heads.age
        family = (head_age >= 18) & (head_age <= 55) & ~h.view("collective")
        heads = rows_in_order(select(self.heads.row, family), p.n)
        # Village youths (18-30) who are children (15+ years younger than the head; a head is no child).
        young = np.flatnonzero((age >= 18) & (age <= 30))
        rows, hh_y = residents[young], hh[young]
        ok = ~h.collective[hh_y] & ~p.res_urban[rows] & (age[young] - head_age[hh_y] <= -15)
        youth = rows[ok]
        heads = select(heads, self.rng.random(len(heads)) < rate)
        youth = select(youth, self.rng.random(len(youth)) < rate)
        return heads, youth

    def _within_choice(self, deciders: np.ndarray, whole: bool, residents: np.ndarray) -> np.ndarray:
        """Each decider's pick: mig.STAY, OWN_TOWN, CENTRAL or OTHER_TOWN (a logit choice)."""
        options = self._options(deciders, whole, residents)
        return choose(mig.utilities(options, self.config.behaviour.migration), self.rng)

    def residence_permits(self) -> None:
        new = registration.issue_permits(self.pop, self.pop.residents(), self.rules, self.config.behaviour.settling,
                                         self.rng)
        self._count("residence_permits_new", new, city=True)
        self.year_stats["new_permits"] = new

    def settlement(self) -> None:
        """Awareness spreads; eligible town residents choose whether to settle, by pathway."""
        b, alive, residents = self.config.behaviour, self.alive(), self.pop.residents()
        self._announce(alive)
        registered = registry.Snapshot(self.pop)
        registration.spread_awareness(self.pop, alive, self.rules.publicity_reach, b.settling.word_of_mouth, self.rng)
        congestion = np.array([c.congestion for c in self.counties])
        settled = registration.settle(self.pop, residents, self.year, self.rules, b.settling, congestion,
                                      b.services.unregistered_access, self.rng, self.heads)
        self.year_stats["settled"] = settled
        back = registration.urban_to_rural(self.pop, residents, self.rules, b.settling, self.rng)
        self._count("urban_to_rural_moves", back)
        registered.count(self.pop, self.ledger, "settlement", "settlement")

    def register_moves(self) -> None:
        """Registered people living outside settle there or marry there (户籍迁出); village
        registrations turn into town registrations without a move (村改居)."""
        b, y = self.config.behaviour, self.year
        for reason in ("settled_elsewhere", "marriage"):
            before = registry.Snapshot(self.pop)
            outside = self.pop.outside()
            if reason == "settled_elsewhere":
                registry.settle_outside(self.pop, outside, y, b.registry, b.outside, self.rules, self.rng)
            else:
                registry.marry_out(self.pop, outside, b.registry, self.rng)
            before.count(self.pop, self.ledger, reason, reason)
        converted = registry.convert_villages(self.pop, self.alive(), b.registry, self.rng)
        self.ledger.add("hukou_converted", "all", self.pop.persons.hk[converted])

    def _announce(self, alive: np.ndarray) -> None:
        """News of a pathway's new rules (clause 十二): in the first year a pathway's rules differ
        from the year before, nobody knows them yet; publicity and word of mouth spread them
        (docs/model.md §7.8). Each pathway is announced once."""
        policy, base = self.config.policy, self.config.base_year
        # In the first year, what people knew were the rules before the reform (the base population's
        # awareness is of those).
        last = self.year - 1 if self.year - 1 > base else min(base, policy.start_year - 1)
        before = rules_for(policy, last)
        changed = [k for k in registration.changed_pathways(before, self.rules) if k not in self.announced]
        if changed:
            registration.forget(self.pop, alive, changed)
            self.announced.update(changed)

    def housing(self) -> None:
        """Town households buy homes or queue for public rental flats."""
        b, h = self.config.behaviour, self.pop.households
        bought = housing.buy_homes(self.pop, self.prices, b.housing, self._purchase_motive, self.rng)
        self._add("homes_bought", h.county[bought])
        eligible = housing.rental_eligible(self.pop, self.pop.residents(), self.year, self.rules, b.housing)
        stock = np.array([c.rental_stock for c in self.counties])
        self.year_stats["queue"], self.year_stats["occupied"] = housing.allocate_rental(
            self.pop, eligible, stock, self.year, self.rng)

    def _purchase_motive(self, rows: np.ndarray) -> np.ndarray:
        """Per household row: 1 when buying opens the purchase pathway (a member lacks local town
        hukou and the pathway is open), else 0. Only the members of `rows` are looked at."""
        if not self.rules.purchase:
            return np.zeros(len(rows))
        p, h, residents = self.pop.persons, self.pop.households, self.pop.residents()
        hh = p.hh[residents]        # the rows are town households: their members live in the city
        members = members_of(rows, hh, h.n)
        unregistered = ~registration.town_status(self.pop, residents[members])
        return any_member(hh[members], h.n, unregistered)[rows].astype(float)

    def institutions(self) -> None:
        """Schools admit pupils, clinics congest, the city pays people-linked transfers, counties
        invest them with a lag, and construction land follows settlers."""
        p, w, r = self.pop.persons, self.pop.weight, self.rules
        settled = self.year_stats["settled"]
        settlers = registration.county_sums(settled.county, w)
        student = self.year_stats["student_settlers"]
        settlers += registration.county_sums(p.res[student], w)
        permits = registration.county_sums(p.res[self.year_stats["new_permits"]], w)
        residents = registration.county_sums(p.res[self.pop.residents()], w)
        receipts = self.city.allocate(settlers, permits, residents, r.yuan_per_settler, r.yuan_per_permit,
                                      r.pool_share)
        for i, gov in enumerate(self.counties):
            gov.receive(receipts[i], self.year)
            gov.build(self.year, r.school_growth, r.housing_growth)
            gov.land_quota_m2 += settlers[i] * r.m2_per_settler
            gov.update_clinics(residents[i])
        self.year_stats.update(settlers=settlers, receipts=receipts, **self._admit_pupils())

    def _admit_pupils(self) -> dict[str, np.ndarray]:
        """Each county admits local pupils, then eligible migrant children, up to its places."""
        local, migrant, eligible = self._pupils(self.pop.residents())
        admitted = np.array([gov.admit_pupils(local[i], eligible[i])[1] for i, gov in enumerate(self.counties)])
        return {"migrant_children": migrant, "migrant_admitted": admitted}

    def _base_services(self) -> dict[str, np.ndarray]:
        """Service stocks of the base year: pupils admitted, nobody queuing yet, flats occupied."""
        h = self.pop.households
        rental = h.view("alive") & (h.view("tenure") == Tenure.public_rental) & (h.view("county") != OUTSIDE)
        occupied = np.bincount(h.view("county")[rental], minlength=N_COUNTIES + 1)[:N_COUNTIES]
        return {"queue": np.zeros(N_COUNTIES), "occupied": occupied, **self._admit_pupils()}

    # --- helpers ------------------------------------------------------------

    def _seed_awareness(self) -> None:
        p = self.pop.persons
        alive = self.alive()
        share = self.config.behaviour.settling.initial_awareness
        knows = np.zeros(len(alive), np.uint8)
        for bit in range(len(Pathway)):
            knows |= (self.rng.random(len(alive), dtype=np.float32) < share).astype(np.uint8) << bit
        p.knows[alive] = knows

    def _make_counties(self, alive: np.ndarray) -> list[CountyGovernment]:
        p, h, w = self.pop.persons, self.pop.households, self.pop.weight
        b = self.config.behaviour
        age, res = p.age[alive], p.res[alive]
        children = registration.county_sums(res, w, (res != OUTSIDE) & (age >= 6) & (age <= 14))
        residents = registration.county_sums(res, w, res != OUTSIDE)
        town = h.view("alive") & h.view("urban") & ~h.view("collective") & (h.view("county") != OUTSIDE)
        town_hh = registration.county_sums(h.view("county"), w, town)
        rental = h.view("alive") & (h.view("tenure") == Tenure.public_rental) & (h.view("county") != OUTSIDE)
        stock = registration.county_sums(h.view("county"), w, rental)
        share = np.divide(stock, np.maximum(town_hh, 1))
        return [CountyGovernment(self, i, children[i], residents[i], town_hh[i], b.services, share[i])
                for i in range(N_COUNTIES)]

    def _pupils(self, residents: np.ndarray):
        """School-age children (6-14) by county: local, migrant (registered elsewhere), and migrant
        children eligible for public school under `schools.migrant_children_admission`."""
        p, w, h = self.pop.persons, self.pop.weight, self.pop.households
        age, res = p.age[residents], p.res[residents]
        at = np.flatnonzero((age >= 6) & (age <= 14))    # pupils
        county = res[at]
        migrant = p.hk[residents[at]] != county
        mode = self.rules.school_admission.value
        if mode == "permit_only":
            hh = p.hh[residents]
            ok = migrant & any_member(hh, h.n, p.permit[residents])[hh[at]]
        else:
            ok = {"equal": migrant, "hukou_only": np.zeros_like(migrant)}[mode]
        return (registration.county_sums(county, w, ~migrant), registration.county_sums(county, w, migrant),
                registration.county_sums(county, w, ok))

    def _options(self, deciders: np.ndarray, whole: bool, residents: np.ndarray) -> mig.Options:
        """Values of the four alternatives for each decider (arrays of shape (n, 4))."""
        b, p, h = self.config.behaviour, self.pop.persons, self.pop.households
        n = len(deciders)
        hh = p.hh[deciders]
        c = p.res[deciders].astype(np.int64)
        urban = p.res_urban[deciders]
        if whole:
            # Workers per household, counted among the members of the deciders' households only.
            hh_res = p.hh[residents]
            members = members_of(hh, hh_res, h.n)
            working = is_job(p.job[residents[members]], Job.employee, Job.flexible, Job.farming)
            workers = np.bincount(select(hh_res[members], working), minlength=h.n)[hh]
        else:
            workers = np.ones(n)
        workers = np.maximum(workers, 1)
        wages = self.wages[:N_COUNTIES]
        wage = wages[c]
        income_now = np.maximum(h.income[hh], 1.0) if whole else np.maximum(
            np.where(p.job[deciders] == Job.farming, b.work.farm_income, wage), 1.0)
        central = self._central_mean(wages)
        other = self._other_town_mean(wages)[c]
        # Columns: stay, own town, centre, another town (filled in place: the same values as stacking;
        # column-major, so that each column is contiguous).
        income = mig.per_alternative(np.empty, n)
        income[:, 0], income[:, 1] = income_now, workers * wage
        income[:, 2], income[:, 3] = workers * central, workers * other
        share = b.housing.rent_share_of_income
        rent = mig.per_alternative(np.empty, n)
        rent[:, 1], rent[:, 2], rent[:, 3] = share * wage, share * central, share * other
        rent[:, 0] = np.where(urban & (h.tenure[hh] == Tenure.rented), rent[:, 1], 0.0)
        status_town = (p.hk[deciders] == c) & p.hk_urban[deciders]
        access_here = np.where(status_town, 1.0, self.rules.permit_access)
        services = mig.per_alternative(np.empty, n)
        services[:, 0] = np.where(urban, access_here, b.services.village_access)
        services[:, 1], services[:, 2:] = access_here, self.rules.permit_access
        cong = np.array([g.congestion for g in self.counties])
        congestion = mig.per_alternative(np.empty, n)
        congestion[:, 0] = congestion[:, 1] = cong[c]
        congestion[:, 2], congestion[:, 3] = cong[list(CENTRAL)].mean(), cong.mean()
        # Town residents of the centre (the new district's when it fully belongs to it) are there already.
        in_centre = centre.membership(b.migration.new_district_pull)[c] >= 1.0
        outside_centre = np.ones(N_COUNTIES)
        outside_centre[list(CENTRAL)] = 0.0
        farther = mig.per_alternative(np.zeros, n)
        farther[:, 2], farther[:, 3] = outside_centre[c], 1.0
        farm = h.land[hh] & ~urban
        land_left = mig.per_alternative(np.zeros, n)
        land_left[:, 1:] = np.where(farm, np.minimum(b.work.farm_income / income_now, 1.0), 0.0)[:, None]
        # Alternatives that are the current place are not moves.
        same = mig.per_alternative(np.zeros, n, bool)
        same[urban, mig.OWN_TOWN] = True
        same[urban & in_centre, mig.CENTRAL] = True
        return mig.Options(income, rent, services, congestion, farther, land_left, same)

    def _outside_pull(self) -> np.ndarray:
        """Per county (index 7 unused): (outside wage / town wage)^e, 1 at the base year's city mean."""
        e = self.config.behaviour.outside.wage_elasticity
        ratio = self.wages[OUTSIDE] / self.wages[:N_COUNTIES]
        return np.append((ratio / self._base_wage_ratio) ** e, 1.0)

    def _central_mean(self, wages: np.ndarray) -> float:
        return float(wages[list(CENTRAL)].mean())

    def _other_town_mean(self, wages: np.ndarray) -> np.ndarray:
        """Per county: the mean wage of the towns outside the centre other than its own."""
        rest = np.ones(N_COUNTIES, bool)
        rest[list(CENTRAL)] = False
        total, k = wages[rest].sum(), np.count_nonzero(rest)
        return np.where(rest, (total - wages) / (k - 1), total / k)

    def _destinations(self, deciders: np.ndarray, pick: np.ndarray) -> np.ndarray:
        """County chosen for each mover: its own, one of the centre (the central districts and,
        in part, the new district; decisions/centre.py) or another county town, both by census
        town population; a town resident is not sent to its own county."""
        p = self.pop.persons
        own = p.res[deciders].astype(np.int64)
        pull = self.config.behaviour.migration.new_district_pull
        out = own.copy()
        cm = pick == mig.CENTRAL
        out[cm] = self._draw_county(own[cm], p.res_urban[deciders[cm]], centre.centre_weights(self.census.urban, pull))
        om = pick == mig.OTHER_TOWN
        out[om] = self._draw_county(own[om], np.ones(om.sum(), bool),
                                    centre.other_town_weights(self.census.urban, pull))
        return out.astype(np.int8)

    def _draw_county(self, own: np.ndarray, exclude_own: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """One county per mover, with chances proportional to `weights` (shape (7,)), leaving out
        the mover's own county where `exclude_own`."""
        w = np.tile(weights, (len(own), 1))
        w[exclude_own[:, None] & (own[:, None] == np.arange(len(weights))[None, :])] = 0
        cum = np.cumsum(w, axis=1)
        u = self.rng.random(len(own))[:, None] * cum[:, -1:]
        return np.minimum((u >= cum).sum(axis=1), len(weights) - 1)

    def _town_weights(self, alive: np.ndarray) -> np.ndarray:
        return self.census.urban.astype(float)

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

    def _count_moves(self, before: np.ndarray) -> None:
        """Moves between places recorded against residence before and after a phase (`before`: the
        `res` column of all rows at its start; rows added since are not moves): county-to-county
        moves count for both counties, moves across the city's border also for the city. Compared
        over all rows, contiguous, rather than gathered for the living: a row never comes back to life."""
        p = self.pop.persons
        now = p.view("res")[: len(before)]
        changed = np.flatnonzero((before != now) & p.view("alive")[: len(before)])
        old, new = before[changed], now[changed]
        self._add("moved_out", old[old != OUTSIDE], city=False)
        self._add("moved_in", new[new != OUTSIDE], city=False)
        self.events["moved_out"][N_COUNTIES] += ((old != OUTSIDE) & (new == OUTSIDE)).sum() * self.pop.weight
        self.events["moved_in"][N_COUNTIES] += ((old == OUTSIDE) & (new != OUTSIDE)).sum() * self.pop.weight

    # --- recording ----------------------------------------------------------

    def record(self) -> None:
        """Stocks at the end of the year, and the year's flows (not for the base year)."""
        p, h, w, y, add = self.pop.persons, self.pop.households, self.pop.weight, self.year, self.recorder.add
        # Two cross-tables of persons, one pass each: residents by county of residence x town x age
        # group (0-14, 15-64, 65+) x registered elsewhere x family household x permit x agent kind,
        # and everyone by county of registration x town hukou x living in the city.
        r = self.pop.residents()
        res, age = p.res[r], p.age[r]
        cell = res.astype(np.int16) * 2 + p.res_urban[r]
        cell = cell * 3 + (age >= 15)
        cell += age >= 65
        cell = cell * 2 + (p.hk[r] != res)
        cell = cell * 2 + ~h.collective[p.hh[r]]
        cell = cell * 2 + p.permit[r]
        cell = cell * 3 + registration.agent_kind(self.pop, r, y)
        shape = (N_COUNTIES, 2, 3, 2, 2, 2, 3)
        by_res = np.bincount(cell, minlength=np.prod(shape)).reshape(shape)
        alive = self.alive()
        hk = p.hk[alive]
        cell = (hk.astype(np.int16) * 2 + p.hk_urban[alive]) * 2 + (p.res[alive] != OUTSIDE)
        by_hk = np.bincount(cell, minlength=(N_COUNTIES + 1) * 4).reshape(N_COUNTIES + 1, 2, 2)[:N_COUNTIES]

        def county(table: np.ndarray) -> np.ndarray:
            """Persons per county (summing the other dimensions) and the city total, in real persons."""
            v = table.reshape(N_COUNTIES, -1).sum(axis=1) * w
            return np.append(v, v.sum())

        residents = county(by_res)
        urban = county(by_res[:, 1])
        holders = county(by_hk)
        urban_holders = county(by_hk[:, 1])
        r_rate, h_rate = oc.ratio(urban, residents), oc.ratio(urban_holders, holders)
        add(y, "residents", residents)
        add(y, "urban_residents", urban)
        add(y, "hukou_holders", holders)
        add(y, "urban_hukou_holders", urban_holders)
        add(y, "resident_urbanization_rate", r_rate)
        add(y, "hukou_urbanization_rate", h_rate)
        add(y, "urbanization_gap", r_rate - h_rate)
        add(y, "registered_outside", county(by_hk[:, :, 0]))
        add(y, "residents_registered_elsewhere", county(by_res[:, :, :, 1]))
        for g, group in enumerate(("age_0_14", "age_15_64", "age_65_plus")):
            add(y, "residents", county(by_res[:, :, g]), group)
        fam = np.flatnonzero(h.view("alive") & ~h.view("collective") & (h.view("county") != OUTSIDE))
        households = oc.by_county(h.county[fam], w)
        add(y, "households", households)
        add(y, "household_size", oc.ratio(county(by_res[:, :, :, :, 1]), households))
        permits = county(by_res[:, :, :, :, :, 1])
        add(y, "residence_permits", permits)
        for k, name in enumerate(KINDS):
            add(y, "agents", county(by_res[..., k]), name)
        # Statistics (clause 十): registry-based estimate (hukou holders plus permit holders, who the
        # registry knows of) and an annual sample survey of the true residents.
        add(y, "residents_registry_estimate", holders + permits)
        add(y, "residents_survey_estimate", self._survey(residents))
        self._record_services(y)
        if y > self.config.base_year:
            self._record_flows(y)

    def _survey(self, residents: np.ndarray) -> np.ndarray:
        rate = self.rules.survey_sample_rate
        sampled = self.survey_rng.binomial(np.round(residents[:N_COUNTIES]).astype(np.int64), rate)
        est = sampled / rate
        return np.append(est, est.sum())

    def _record_services(self, y: int) -> None:
        add, gov = self.recorder.add, self.counties
        def arr(values):
            v = np.asarray(values, float)
            return np.append(v, v.sum())
        add(y, "school_places", arr([g.school_places for g in gov]))
        add(y, "public_rental_stock", arr([g.rental_stock for g in gov]))
        add(y, "land_quota_m2", arr([g.land_quota_m2 for g in gov]))
        s, w = self.year_stats, self.pop.weight
        add(y, "public_rental_queue", arr(s["queue"] * w))
        add(y, "public_rental_occupancy", arr(s["occupied"] * w))
        add(y, "migrant_children", arr(s["migrant_children"]))
        add(y, "migrant_children_in_public_school", arr(s["migrant_admitted"]))
        for group, values in (("school", [g.school_congestion for g in gov]), ("clinic", [g.clinic_congestion for g in gov])):
            v = np.asarray(values, float)
            add(y, "service_congestion", np.append(v, v.mean()), group)

    def _record_flows(self, y: int) -> None:
        add, w, s = self.recorder.add, self.pop.weight, self.year_stats
        for name in FLOWS:
            add(y, name, self.events[name])
        settled = s["settled"]
        student = s["student_settlers"]
        student_county = self.pop.persons.res[student]
        total = oc.by_county(settled.county, w) + oc.by_county(student_county, w)
        add(y, "settlements", total)
        for k in Pathway:
            if k == Pathway.student:
                add(y, "settlements", oc.by_county(student_county, w), k.name)
            else:
                add(y, "settlements", oc.by_county(settled.county, w, settled.pathway == k), k.name)
        for k, name in enumerate(KINDS):
            extra = oc.by_county(student_county, w) if name == "household" else 0
            add(y, "settlements", oc.by_county(settled.county, w, settled.kind == k) + extra, f"kind_{name}")
        add(y, "transfers", np.append(s["receipts"], s["receipts"].sum()))
        self._record_register(y)

    def _record_register(self, y: int) -> None:
        """The register's flows of the year (registry.Ledger), in real persons."""
        add, ledger, w = self.recorder.add, self.ledger, self.pop.weight
        for name in ("hukou_births", "hukou_deaths", "hukou_converted"):
            add(y, name, ledger.total(name) * w)
        for name, reasons in REGISTER_REASONS.items():
            add(y, name, ledger.total(name) * w)
            for reason in reasons:
                add(y, name, ledger.flows.get((name, reason), np.zeros(N_COUNTIES + 1)) * w, reason)
