"""Who uses the counties' services (sim/population/service_users.py): pupils by county under each
admission rule, and the base year's users the services are sized to, on a population built by hand."""
from __future__ import annotations

import numpy as np
import pytest

from sim.places import OUTSIDE
from sim.policies.levers import SchoolAdmission
from sim.population.columns import Population, Tenure
from sim.population.service_users import base_users, pupils

WEIGHT = 2.0


def town(persons: list[tuple[int, int, int, bool]], tenures: list[Tenure]) -> Population:
    """Persons (household, age, hukou county, permit) living in county 0's town; households by tenure."""
    pop = Population(len(persons), len(tenures), WEIGHT)
    h = pop.households
    rows = h.add(len(tenures))
    h.alive[rows], h.urban[rows], h.county[rows], h.collective[rows] = True, True, 0, False
    h.tenure[rows] = tenures
    p = pop.persons
    idx = p.add(len(persons))
    hh, age, hk, permit = (np.array(c) for c in zip(*persons))
    p.alive[idx], p.hh[idx], p.age[idx], p.hk[idx], p.permit[idx] = True, hh, age, hk, permit
    p.res[idx], p.res_urban[idx] = 0, True
    pop.residence_changed()
    return pop


@pytest.fixture
def families() -> Population:
    # A local family with two pupils; a migrant family whose parent holds a permit, with one pupil;
    # a migrant family without a permit, with one pupil and a teenager past school age.
    return town([(0, 40, 0, False), (0, 8, 0, False), (0, 10, 0, False),
                 (1, 35, OUTSIDE, True), (1, 7, OUTSIDE, False),
                 (2, 33, OUTSIDE, False), (2, 12, OUTSIDE, False), (2, 16, OUTSIDE, False)],
                [Tenure.owned, Tenure.public_rental, Tenure.rented])


@pytest.mark.parametrize("admission, eligible", [(SchoolAdmission.equal, 2), (SchoolAdmission.permit_only, 1),
                                                 (SchoolAdmission.hukou_only, 0)])
def test_pupils_by_admission_rule(families, admission, eligible):
    """Migrant children are those registered elsewhere; `permit_only` admits those with a permit
    holder in the household, `hukou_only` none. Counts are real persons (weight 2)."""
    local, migrant, ok = pupils(families, families.residents(), admission)
    assert local[0] == 2 * WEIGHT and migrant[0] == 2 * WEIGHT and ok[0] == eligible * WEIGHT
    assert local[1:].sum() == migrant[1:].sum() == ok[1:].sum() == 0


def test_base_users_size_the_services(families):
    users = base_users(families, families.alive())
    assert users.children[0] == 4 * WEIGHT            # aged 6-14: 8, 10, 7, 12
    assert users.residents[0] == 8 * WEIGHT
    assert users.town_households[0] == 3 * WEIGHT
    assert users.rental_share[0] == pytest.approx(1 / 3)
    assert users.residents[1:].sum() == 0 and users.rental_share[1:].sum() == 0
