"""County and city governments: real Mesa agents that hold public services and money.

A `CountyGovernment` holds school places, clinic capacity and public rental flats
for its county, with soft congestion as demand nears capacity; it invests the
transfers it receives into capacity with a lag. The `CityGovernment` applies the
policy and allocates the people-land-money transfer pool (clause 九).
"""
from __future__ import annotations

import mesa


class CountyGovernment(mesa.Agent):
    def __init__(self, model: mesa.Model, index: int):
        super().__init__(model)
        self.index = index


class CityGovernment(mesa.Agent):
    def __init__(self, model: mesa.Model):
        super().__init__(model)
