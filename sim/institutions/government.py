"""County and city governments: real Mesa agents that hold public services and money.

A `CountyGovernment` holds school places, clinic capacity and public rental flats for
its county, with soft congestion as demand nears capacity (service value falls;
nobody is placed past the hard limit); it invests the transfers it receives into
capacity after a lag (clause 八, 九), at the unit costs of the scenario's `costs:` block.
The `CityGovernment` pays each county its share of a general pool (by residents, and the
`pool_share` of it by settlers and new permits) plus people-linked money on top: so much per
settler and per new residence permit (人地钱挂钩, clause 九, "加大财政转移支付同农业转移人口市民化
挂钩的力度"). The total therefore grows with settlers and permits. Budget identity, every year
and county: receipts = committed investment; the city pays the sum of county receipts.
"""
from __future__ import annotations

from collections import deque

import mesa
import numpy as np

from ..costs import Spending
from ..parameters import Services
from ..policies.rules import Rules


def congestion(demand: float, capacity: float, start: float) -> float:
    """0 until utilisation reaches `start`, then rising linearly to 1 at full capacity."""
    if capacity <= 0:
        return 1.0
    return float(np.clip((demand / capacity - start) / (1 - start), 0.0, 1.0))


class CountyGovernment(mesa.Agent):
    """Public services of one county, in real units (places, flats), not simulated persons."""

    def __init__(self, model: mesa.Model, index: int, children: float, residents: float,
                 town_households: float, params: Services, rental_share: float, unit_costs: Spending):
        super().__init__(model)
        self.index = index
        self.params = params
        self.unit_costs = unit_costs
        self.school_places = children * params.school_headroom
        self.clinic_capacity = residents * params.clinic_headroom
        self.rental_stock = town_households * rental_share
        self.land_quota_m2 = 0.0
        self.pipeline: deque[tuple[int, float]] = deque()   # (year usable, yuan)
        self.school_congestion = 0.0
        self.clinic_congestion = 0.0
        self.added = {"school_places": 0.0, "clinic_capacity": 0.0, "rental_stock": 0.0}   # this year

    @classmethod
    def at_base(cls, model: mesa.Model, users, params: Services, unit_costs: Spending) -> list[CountyGovernment]:
        """The seven counties' governments, their services sized to the base year's `users`
        (`population.service_users.BaseUsers`)."""
        return [cls(model, i, users.children[i], users.residents[i], users.town_households[i], params,
                    users.rental_share[i], unit_costs) for i in range(len(users.children))]

    def serve_year(self, year: int, receipt: float, rules: Rules, settlers: float, residents: float) -> None:
        """The county's year: the city's transfer received and committed, capacity built (matured
        investment and planned growth), construction land for its `settlers`, clinics used by its
        `residents` (real persons)."""
        self.receive(receipt, year)
        self.build(year, rules.schools.capacity_growth_per_year, rules.public_housing.stock_growth_per_year)
        self.land_quota_m2 += settlers * rules.land.m2_per_settler
        self.update_clinics(residents)

    def receive(self, yuan: float, year: int) -> None:
        """Take this year's transfer and commit all of it to capacity usable after the lag."""
        self.pipeline.append((year + self.params.investment_lag_years, yuan))

    def build(self, year: int, school_growth: float, rental_growth: float) -> None:
        """Capacity that comes into use this year: matured investments plus planned growth."""
        p, c = self.params, self.unit_costs
        before = {k: getattr(self, k) for k in self.added}
        self.school_places *= 1 + school_growth
        self.rental_stock *= 1 + rental_growth
        while self.pipeline and self.pipeline[0][0] <= year:
            _, yuan = self.pipeline.popleft()
            rental = 1.0 - p.spend_share_schools - p.spend_share_clinics
            self.school_places += yuan * p.spend_share_schools / c.school_place_build_yuan
            self.clinic_capacity += yuan * p.spend_share_clinics / c.clinic_capacity_yuan
            self.rental_stock += yuan * rental / c.rental_flat_build_yuan
        self.added = {k: getattr(self, k) - v for k, v in before.items()}

    def admit_pupils(self, local: float, migrant_eligible: float) -> tuple[float, float]:
        """Places for local pupils first, then eligible migrant children, never past capacity."""
        local_in = min(local, self.school_places)
        migrant_in = min(migrant_eligible, self.school_places - local_in)
        self.school_congestion = congestion(local + migrant_eligible, self.school_places, self.params.congestion_start)
        return local_in, migrant_in

    def update_clinics(self, residents: float) -> None:
        self.clinic_congestion = congestion(residents, self.clinic_capacity, self.params.congestion_start)

    @property
    def congestion(self) -> float:
        """Congestion of the services settling adds: schools and clinics weighted alike (assumption)."""
        return (self.school_congestion + self.clinic_congestion) / 2


class CityGovernment(mesa.Agent):
    """Pays the counties their transfers each year (clause 九)."""

    def __init__(self, model: mesa.Model, pool_yuan: float):
        super().__init__(model)
        self.pool_yuan = pool_yuan

    def allocate(self, settlers: np.ndarray, permits: np.ndarray, residents: np.ndarray,
                 yuan_per_settler: float, yuan_per_permit: float, pool_share: float
                 ) -> tuple[np.ndarray, np.ndarray]:
        """(general, linked) yuan for each county. General: the pool, `pool_share` of it divided by
        settlers plus new permits (by residents in a year with neither), the rest by residents.
        Linked: `yuan_per_settler` per settler and `yuan_per_permit` per new permit, on top of the pool,
        so the city's total follows the people it settles and registers (人地钱挂钩)."""
        by_residents = residents / residents.sum()
        people = settlers + permits
        by_people = people / people.sum() if people.sum() > 0 else by_residents
        general = self.pool_yuan * ((1 - pool_share) * by_residents + pool_share * by_people)
        linked = settlers * yuan_per_settler + permits * yuan_per_permit
        return general, linked
