"""The county and city governments (`sim.institutions.government`): the city's transfers add up
(the budget identity of `allocate`), a county invests what it receives after the lag at the unit
costs, admits local pupils first and never past its places, and congests as demand nears capacity."""
from __future__ import annotations

import mesa
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.costs import Costs
from sim.institutions.government import CityGovernment, CountyGovernment, congestion
from sim.parameters import Services

counts = st.lists(st.floats(0, 1e5, allow_nan=False), min_size=7, max_size=7).map(np.array)


@settings(max_examples=200, deadline=None)
@given(settlers=counts, permits=counts, residents=counts.map(lambda r: r + 1.0), pool=st.floats(0, 1e10),
       per_settler=st.floats(0, 1e5), per_permit=st.floats(0, 1e4), share=st.floats(0, 1))
def test_allocate_pays_the_pool_plus_the_people_linked_money(settlers, permits, residents, pool, per_settler,
                                                             per_permit, share):
    city = CityGovernment(mesa.Model(), pool)
    general, linked = city.allocate(settlers, permits, residents, per_settler, per_permit, share)
    assert general.shape == linked.shape == (7,)
    assert (general >= 0).all() and (linked >= 0).all()
    # The city pays exactly its pool in general transfers, and the linked money on top.
    assert general.sum() == pytest.approx(pool, rel=1e-9, abs=1e-6)
    np.testing.assert_allclose(linked, settlers * per_settler + permits * per_permit)
    # Without the settler share, the pool goes by residents.
    if share == 0:
        np.testing.assert_allclose(general, pool * residents / residents.sum())


def test_the_settler_share_of_the_pool_follows_settlers_and_permits():
    city = CityGovernment(mesa.Model(), 700.0)
    residents = np.full(7, 10.0)
    people = np.array([1.0, 0, 0, 0, 0, 0, 3.0])
    general, _ = city.allocate(people, np.zeros(7), residents, 0.0, 0.0, 1.0)
    np.testing.assert_allclose(general, 700.0 * people / people.sum())
    # A year with neither settlers nor permits: by residents.
    general, linked = city.allocate(np.zeros(7), np.zeros(7), residents, 5.0, 5.0, 1.0)
    np.testing.assert_allclose(general, np.full(7, 100.0))
    assert not linked.any()


def county(**services) -> CountyGovernment:
    params = Services(**services)
    return CountyGovernment(mesa.Model(), 0, children=1000.0, residents=10_000.0, town_households=2000.0,
                            params=params, rental_share=0.05, unit_costs=Costs().spending)


def test_a_county_invests_what_it_receives_after_the_lag_at_the_unit_costs():
    g = county(investment_lag_years=2, spend_share_schools=0.5, spend_share_clinics=0.3)
    c, p = g.unit_costs, g.params
    start = (g.school_places, g.clinic_capacity, g.rental_stock)
    g.receive(1e8, 2021)
    for year in (2021, 2022):
        g.build(year, 0.0, 0.0)
        assert (g.school_places, g.clinic_capacity, g.rental_stock) == start
    g.build(2023, 0.0, 0.0)
    assert g.school_places - start[0] == pytest.approx(1e8 * p.spend_share_schools / c.school_place_build_yuan)
    assert g.clinic_capacity - start[1] == pytest.approx(1e8 * p.spend_share_clinics / c.clinic_capacity_yuan)
    assert g.rental_stock - start[2] == pytest.approx(1e8 * 0.2 / c.rental_flat_build_yuan)
    # Receipts = committed investment: every yuan is built once, in the capacity it buys.
    spent = ((g.school_places - start[0]) * c.school_place_build_yuan
             + (g.clinic_capacity - start[1]) * c.clinic_capacity_yuan + (g.rental_stock - start[2])
             * c.rental_flat_build_yuan)
    assert spent == pytest.approx(1e8)
    assert g.added["school_places"] == pytest.approx(g.school_places - start[0])
    g.build(2024, 0.0, 0.0)
    assert g.added["school_places"] == 0.0


def test_planned_growth_adds_to_schools_and_rental_flats():
    g = county()
    places, flats = g.school_places, g.rental_stock
    g.build(2021, 0.1, 0.02)
    assert g.school_places == pytest.approx(places * 1.1)
    assert g.rental_stock == pytest.approx(flats * 1.02)


@pytest.mark.parametrize("local, migrant, places, admitted", [
    (500.0, 100.0, 1000.0, (500.0, 100.0)),      # room for all
    (900.0, 300.0, 1000.0, (900.0, 100.0)),      # locals first, migrants take what is left
    (1200.0, 300.0, 1000.0, (1000.0, 0.0)),      # never past capacity
])
def test_schools_admit_local_pupils_first_and_never_past_capacity(local, migrant, places, admitted):
    g = county()
    g.school_places = places
    assert g.admit_pupils(local, migrant) == admitted


@pytest.mark.parametrize("demand, capacity, start, expected", [
    (50.0, 100.0, 0.8, 0.0),
    (80.0, 100.0, 0.8, 0.0),
    (90.0, 100.0, 0.8, 0.5),
    (100.0, 100.0, 0.8, 1.0),
    (150.0, 100.0, 0.8, 1.0),
    (1.0, 0.0, 0.8, 1.0),                        # no capacity at all
])
def test_congestion_rises_from_its_start_to_full_capacity(demand, capacity, start, expected):
    assert congestion(demand, capacity, start) == pytest.approx(expected)


def test_a_countys_congestion_is_the_mean_of_schools_and_clinics():
    g = county(congestion_start=0.5)
    g.school_places = 100.0
    g.admit_pupils(100.0, 0.0)                   # full
    g.update_clinics(g.clinic_capacity * 0.5)    # at the start
    assert g.congestion == pytest.approx(0.5)
