"""Scenarios saved on the server (dashboard/saved.py): a round trip keeps every lever and a
Chinese name, a saved name is overwritten only when asked (and keeps its id, so links stay
valid), a missing id or name is a LookupError, and the database's place is configurable."""
from __future__ import annotations

import sqlite3

import pytest

import sim
from dashboard.saved import NameTaken, SavedScenarios, default_path

from .conftest import SCENARIOS

NAME = "铁岭_无购房方案"


@pytest.fixture
def reform():
    return sim.load_scenario(SCENARIOS / "tieling_reform_2020.yaml")


@pytest.fixture
def store(tmp_path):
    return SavedScenarios(tmp_path / "data" / "saved.sqlite")


def test_round_trip_with_a_chinese_name(store, reform):
    sc = sim.with_overrides(reform, {"name": NAME, "policy.transfers.yuan_per_settler": 12345.0})
    row = store.save(sc)
    for ref in (str(row.id), NAME, f" {NAME} "):
        back, loaded = store.load(ref)
        assert back.id == row.id and loaded.name == NAME
        assert loaded.model_dump() == sc.model_dump()          # every lever and parameter
    assert loaded.policy.transfers.yuan_per_settler == 12345.0
    assert [(s.id, s.name) for s in store.list()] == [(row.id, NAME)]
    # another store on the same file (another server thread or process) sees it
    assert SavedScenarios(store.path).get(NAME).yaml == sim.scenario_yaml(sc)


def test_overwrite_only_when_asked_and_the_id_stays(store, reform):
    first = store.save(sim.with_overrides(reform, {"name": NAME}))
    changed = sim.with_overrides(reform, {"name": NAME, "policy.transfers.yuan_per_settler": 777.0})
    with pytest.raises(NameTaken):
        store.save(changed)
    assert store.load(NAME)[1].policy.transfers.yuan_per_settler != 777.0     # unchanged
    again = store.save(changed, overwrite=True)
    assert again.id == first.id and len(store.list()) == 1
    assert store.load(str(first.id))[1].policy.transfers.yuan_per_settler == 777.0
    other = store.save(sim.with_overrides(reform, {"name": "no_purchase"}))
    assert other.id != first.id and [s.name for s in store.list()][0] == "no_purchase"   # latest first


@pytest.mark.parametrize("ref", ["999", "没有这个方案", "", "1; DROP TABLE scenarios"])
def test_missing_id_or_name_is_a_lookup_error(store, reform, ref):
    store.save(sim.with_overrides(reform, {"name": NAME}))
    with pytest.raises(LookupError):
        store.get(ref)
    assert store.exists(NAME)                                   # nothing else happened


def test_a_broken_saved_row_is_a_scenario_error(store):
    with sqlite3.connect(store.path) as db:
        db.execute("INSERT INTO scenarios (name, yaml, saved_at) VALUES ('坏的', 'name: 坏的\nscale: 7\n', 'x')")
    with pytest.raises(sim.ScenarioError, match="scale"):
        store.load("坏的")


def test_the_database_place_is_configurable(tmp_path, monkeypatch):
    monkeypatch.setenv("URBSIM_SAVED_DB", str(tmp_path / "elsewhere.sqlite"))
    assert default_path() == tmp_path / "elsewhere.sqlite"
    assert SavedScenarios().path == tmp_path / "elsewhere.sqlite" and (tmp_path / "elsewhere.sqlite").exists()
    monkeypatch.delenv("URBSIM_SAVED_DB")
    root = sim.__file__.rsplit("/sim/", 1)[0]
    assert not str(default_path()).startswith(root)             # never inside the code's folder
