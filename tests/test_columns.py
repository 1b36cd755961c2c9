"""The population columns' helpers against plain-Python definitions (hypothesis)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings, strategies as st

from sim.population.columns import Heads


def roles_by_definition(age: list[int], hh: list[int]) -> list[int]:
    """The documented rule, person by person: the head is the oldest member under 60 (or the
    oldest when all are 60+), the first such member on ties; then spouse within 10 years of the
    head, child 15+ years younger, parent 15+ years older, other."""
    out = []
    for i, (a, h) in enumerate(zip(age, hh)):
        members = [j for j in range(len(age)) if hh[j] == h]
        young = [j for j in members if age[j] < 60]
        pool = young or members
        oldest = max(age[j] for j in pool)
        head = min(j for j in pool if age[j] == oldest)
        gap = a - age[head]
        if i == head:
            out.append(0)
        elif abs(gap) <= 10:
            out.append(1)
        elif gap <= -15:
            out.append(2)
        elif gap >= 15:
            out.append(3)
        else:
            out.append(4)
    return out


households = st.lists(st.tuples(st.integers(0, 110), st.integers(0, 7)), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(households, st.data())
def test_heads_and_roles_follow_the_definition(people, data):
    age = np.array([a for a, _ in people], np.int16)
    hh = np.array([h for _, h in people], np.int32)
    expected = np.array(roles_by_definition(age.tolist(), hh.tolist()))
    # Heads found by person row: 32-bit keys for rows below 2**24 (ages to 110), 64-bit keys above.
    for first_row in (0, 2**21, 2**24 - 64, 2**30):
        rows = np.arange(len(age), dtype=np.int64) + first_row
        heads = Heads.find(rows, age, hh, 8)
        assert heads.roles(rows, age, hh).tolist() == expected.tolist()
        # Asking about some persons only gives their roles.
        at = np.array(sorted(data.draw(st.sets(st.integers(0, len(age) - 1)))), np.intp)
        assert heads.roles(rows[at], age[at], hh[at]).tolist() == expected[at].tolist()


def test_heads_kept_from_the_moves_are_the_heads_at_settlement(reform):
    """The heads found when movers decide, patched for the youths who moved out alone, are the heads
    that a fresh look at the households finds when settlement decisions are taken."""
    from sim.model import UrbanizationModel
    from sim.recording import Flows, YearRecord

    from .conftest import small

    model = UrbanizationModel(small(reform, scale=0.02, seed=5, **{"behaviour.migration.reconsider_rate": 0.6}))
    for _ in range(3):
        model.step()
    model.year += 1
    model.this_year = YearRecord(Flows(model.pop))
    model.demography(), model.education(), model.work()
    heads = model.migration()   # the phases before settlement
    p, h, residents = model.pop.persons, model.pop.households, model.pop.residents()
    fresh = Heads.find(residents, p.age[residents], p.hh[residents], h.n)
    hh = p.hh[residents]
    assert np.array_equal(heads.row[hh], fresh.row[hh])
    assert np.array_equal(heads.age[hh], fresh.age[hh])
    assert len(residents) > 1000


def test_residents_and_outside_are_up_to_date_after_every_phase(reform):
    """`Population.residents()` / `outside()` are kept between writes of `res`: every phase that
    moves people must say so (`residence_changed`), or later phases would see stale sets."""
    from sim.model import UrbanizationModel
    from sim.places import OUTSIDE

    from .conftest import small

    model = UrbanizationModel(small(reform, scale=0.02, seed=2))
    checked = []

    def check(phase: str) -> None:
        p = model.pop.persons
        live, in_city = p.view("alive"), p.view("res") != OUTSIDE
        assert np.array_equal(model.pop.residents(), np.flatnonzero(live & in_city)), phase
        assert np.array_equal(model.pop.outside(), np.flatnonzero(live & ~in_city)), phase
        checked.append(phase)

    for phase in ("demography", "education", "work", "migration", "residence_permits", "settlement", "housing",
                  "institutions", "record"):
        def run_and_check(*args, original=getattr(model, phase), phase=phase):
            model.pop.residents(), model.pop.outside()        # the sets as kept before the phase
            out = original(*args)
            check(phase)
            return out
        setattr(model, phase, run_and_check)
    for _ in range(3):
        model.step()
        check("compact")
    assert len(checked) == 3 * 10
