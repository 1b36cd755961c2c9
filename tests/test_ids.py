"""Stable ids of persons and households: unique, kept by compact(), never given again."""
from __future__ import annotations

import numpy as np
import pytest

from sim.model import UrbanizationModel

from .conftest import small


@pytest.fixture
def model(reform):
    return UrbanizationModel(small(reform, end_year=2026))


def _ids(table) -> np.ndarray:
    return table.view("id")


def test_ids_count_up_from_zero_at_synthesis(model):
    for table in (model.pop.persons, model.pop.households):
        assert np.array_equal(_ids(table), np.arange(table.n))
        assert np.array_equal(table.view("key"), _ids(table))      # draw keys: the ids at synthesis
        assert table.next_id == table.n


def test_agents_created_in_a_run_get_distinct_origin_keys_that_stay_with_them(model):
    """Births, arrivals and new households get draw keys derived from their origin: the top bit
    set (never a synthesized agent's key), distinct, and kept through compaction."""
    p, h = model.pop.persons, model.pop.households
    start = p.next_id, h.next_id
    model.step()
    model.step()
    for table, first in zip((p, h), start):
        ids, keys = _ids(table), table.view("key")
        new = ids >= first
        assert new.sum() > 0
        assert np.all(keys[new] < 0) and np.array_equal(keys[~new], ids[~new])
        assert len(np.unique(keys)) == table.n
    before = dict(zip(p.view("id").tolist(), p.view("key").tolist()))
    p.alive[model.alive()[::2]] = False
    model.pop.compact()
    assert all(before[i] == k for i, k in zip(p.view("id").tolist(), p.view("key").tolist()))


def test_ids_stay_with_their_agents_over_years_and_compaction(model):
    p, h = model.pop.persons, model.pop.households
    live = model.alive()
    before = {"person": dict(zip(p.id[live].tolist(), zip(p.age[live].tolist(), p.female[live].tolist()))),
              "household_of": dict(zip(p.id[live].tolist(), h.id[p.hh[live]].tolist()))}
    first_new = p.next_id, h.next_id
    model.step()
    model.step()
    # Births, arrivals and new households got ids from the counters; nothing was given twice.
    for table, start in zip((p, h), first_new):
        ids = _ids(table)
        assert len(np.unique(ids)) == table.n
        assert table.next_id > start
        assert np.all(ids[start:] >= start) if table.n > start else True
    # Force a compaction: most rows die, the survivors move to new rows.
    live = model.alive()
    p.alive[live[: int(0.6 * len(live))]] = False
    live = model.alive()
    kept = {i: (a, f, hid) for i, a, f, hid in zip(p.id[live].tolist(), p.age[live].tolist(),
                                                    p.female[live].tolist(), h.id[p.hh[live]].tolist())}
    n_before, next_before = p.n, (p.next_id, h.next_id)
    model.pop.compact()
    assert p.n < n_before, "the test must make compact() renumber the rows"
    live = model.alive()
    after = {i: (a, f, hid) for i, a, f, hid in zip(p.id[live].tolist(), p.age[live].tolist(),
                                                     p.female[live].tolist(), h.id[p.hh[live]].tolist())}
    assert after == kept
    assert (p.next_id, h.next_id) == next_before
    # Persons alive in the first year who are still alive are two years older, same sex.
    for i, (age, female, _) in after.items():
        if i in before["person"]:
            assert (age, female) == (before["person"][i][0] + 2, before["person"][i][1])


def test_ids_are_never_reused_after_deaths_and_compaction(model):
    p, h = model.pop.persons, model.pop.households
    model.step()
    seen_p, seen_h = set(p.id[: p.n].tolist()), set(h.id[: h.n].tolist())
    p.alive[model.alive()[::2]] = False        # half die: compact() reclaims their rows
    model.pop.compact()
    start = p.next_id, h.next_id
    model.step()       # births and arrivals after the compaction
    new_p = p.id[: p.n][p.id[: p.n] >= start[0]]
    new_h = h.id[: h.n][h.id[: h.n] >= start[1]]
    assert len(new_p) > 0 and len(new_h) > 0
    assert not seen_p & set(new_p.tolist())
    assert not seen_h & set(new_h.tolist())
    assert len(np.unique(p.id[: p.n])) == p.n and len(np.unique(h.id[: h.n])) == h.n
