"""Agents out: person and household tables and year-by-year panels keyed by stable ids."""
from __future__ import annotations

import re

import mesa
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import CITY_CODE, UrbanizationModel, run
from sim.panel import Panel, in_sample
from urbsim.cli import app

from .conftest import ROOT, SCENARIOS, small

pytestmark = pytest.mark.xdist_group("panel")


@pytest.fixture(scope="module")
def long_run(reform):
    """26 years at scale 0.01, with every person and household observed each year, and the size
    of the person table each year (it shrinks when compact() reclaims rows)."""
    model = UrbanizationModel(small(reform, scale=0.01, end_year=2045, seed=3))
    panel, rows = Panel(), {model.year: model.pop.persons.n}
    panel.observe(model)
    while model.running:
        model.step()
        panel.observe(model)
        rows[model.year] = model.pop.persons.n
    return model, panel.persons, panel.households, rows


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Equal tables (DataFrame.equals: pd.testing.assert_frame_equal is very slow on categorical columns)."""
    return list(a.columns) == list(b.columns) and (a.dtypes == b.dtypes).all() and a.equals(b)


def city(outcomes: pd.DataFrame, outcome: str, group: str = "all") -> pd.Series:
    at = outcomes[(outcomes.county == CITY_CODE) & (outcomes.outcome == outcome) & (outcomes.group == group)]
    return at.set_index("year").value


def test_a_person_is_followed_across_years_and_a_compaction(long_run):
    _, persons, _, rows = long_run
    shrunk = [y for y in rows if y - 1 in rows and rows[y] < rows[y - 1]]
    assert shrunk, "no compaction in the run: the test would not test one"
    assert not persons.duplicated(["year", "id"]).any()
    for year in shrunk:
        # compact() runs at the end of `year`: compare the year before with the year after it.
        before = persons[persons.year == year].set_index("id")
        after = persons[persons.year == year + 1].set_index("id")
        both = before.index.intersection(after.index)
        assert len(both) > 0.9 * len(before)            # most people live on
        assert (after.loc[both, "age"] == before.loc[both, "age"] + 1).all()
        assert (after.loc[both, "sex"] == before.loc[both, "sex"]).all()
        assert (after.loc[both, "education"].cat.codes >= before.loc[both, "education"].cat.codes).all()
    # Over the whole run: a person's sex never changes and age rises by one a year.
    one = persons.sort_values(["id", "year"])
    same = one.id.eq(one.id.shift())
    assert (one.age.diff()[same] == 1).all()
    assert (one.sex.eq(one.sex.shift())[same]).all()


def test_the_panel_adds_up_to_the_outcomes(long_run):
    model, persons, households, _ = long_run
    out = model.recorder.table()
    residents = persons[persons.residence_county != "outside Tieling (市外)"]
    pd.testing.assert_series_equal(residents.groupby("year").weight.sum(), city(out, "residents"),
                                   check_names=False, check_index_type=False)
    registered = persons[persons.hukou_county != "outside Tieling (市外)"]
    pd.testing.assert_series_equal(registered.groupby("year").weight.sum(), city(out, "hukou_holders"),
                                   check_names=False, check_index_type=False)
    graduates = residents[residents.kind == "graduate"].groupby("year").weight.sum()
    assert np.allclose(graduates.reindex(range(2020, 2046), fill_value=0), city(out, "agents", "graduate"))
    settled = persons.dropna(subset=["settled_pathway"])
    for pathway in ("purchase", "graduate", "student"):
        got = settled[settled.settled_pathway == pathway].groupby("year").weight.sum()
        want = city(out, "settlements", pathway)
        assert np.allclose(got.reindex(want.index, fill_value=0), want), pathway
    # Households: members add up to the persons, and every person's household is in that year's table.
    assert (households.groupby("year").members.sum() == persons.groupby("year").size()).all()
    keys = set(zip(households.year, households.id))
    assert all(k in keys for k in zip(persons.year, persons.household_id))


def test_readable_columns():
    frame = UrbanizationModel(scale=0.005, end_year=2021).persons_frame()
    assert set(frame.residence_county.cat.categories) >= {"Yinzhou District (银州区)", "outside Tieling (市外)"}
    assert frame.residence_county.notna().all() and frame.sex.isin(["male", "female"]).all()
    assert frame.residence_area.isna().equals(frame.residence_county == "outside Tieling (市外)")
    assert set(frame.job.cat.categories) >= {"farming", "employee", "flexible"}


def test_a_sample_is_drawn_by_id_and_changes_no_outcome(reform, long_run):
    _, full, _, _ = long_run
    sc = small(reform, scale=0.01, end_year=2045, seed=3)
    result = run(sc, micro=0.2)
    part = result.persons
    assert 0.15 < part.groupby("year").size().mean() / full.groupby("year").size().mean() < 0.25
    # The sampled rows are those of the full panel for the sampled ids, in every year.
    assert same(part.drop(columns="weight").reset_index(drop=True),
                full[in_sample(full.id.to_numpy(), 0.2)].drop(columns="weight").reset_index(drop=True))
    assert (part.weight == 100 / 0.2).all()
    pd.testing.assert_frame_equal(result.outcomes, run(sc).outcomes)


def test_in_sample_is_a_fixed_share_of_ids():
    ids = np.arange(200_000)
    share = in_sample(ids, 0.1).mean()
    assert 0.098 < share < 0.102
    assert not (in_sample(ids, 0.1) & ~in_sample(ids, 0.3)).any()     # a smaller sample is inside a larger
    with pytest.raises(ValueError, match="sample"):
        in_sample(ids, 0)


def test_cli_run_micro_writes_a_panel_keyed_by_id(tmp_path, reform):
    out = tmp_path / "micro"
    res = CliRunner().invoke(app, ["run", str(SCENARIOS / "tieling_reform_2020.yaml"), "--out", str(out),
                                   "--scale", "0.005", "--end-year", "2023", "--seed", "4", "--micro-sample", "0.3"])
    assert res.exit_code == 0, res.output
    persons = pd.read_parquet(out / "persons.parquet")
    households = pd.read_parquet(out / "households.parquet")
    assert sorted(persons.year.unique()) == [2020, 2021, 2022, 2023]
    assert not persons.duplicated(["year", "id"]).any()
    assert isinstance(persons.residence_county.dtype, pd.CategoricalDtype)
    expected = run(small(reform, scale=0.005, end_year=2023, seed=4), micro=0.3)
    assert same(persons, expected.persons) and same(households, expected.households)
    assert not list(tmp_path.glob(".*"))                     # no temporary files left


def test_cli_bad_micro_sample_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "bad"
    res = CliRunner().invoke(app, ["run", str(SCENARIOS / "tieling_reform_2020.yaml"), "--out", str(out),
                                   "--scale", "0.005", "--micro-sample", "1.5"])
    assert res.exit_code == 2 and "--micro-sample" in res.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_saved_panels_load_back(tmp_path, reform):
    result = run(small(reform, scale=0.005, end_year=2021), micro=0.5)
    loaded = type(result).load(result.save(tmp_path / "r"))
    assert same(loaded.persons, result.persons) and same(loaded.households, result.households)
    assert loaded.manifest["micro_sample"] == 0.5


def test_sampled_persons_as_mesa_agents(reform):
    sc = small(reform, scale=0.005, end_year=2022)
    model = UrbanizationModel(sc, agent_sample=0.1)
    model.run_model()
    agents = model.datacollector.get_agenttype_vars_dataframe(type(next(iter(model.followed.values()))))
    last = agents.xs(2.0, level="Step").set_index("person_id").sort_index()
    frame = model.persons_frame(0.1).set_index("id").sort_index()
    assert list(last.index) == list(frame.index)
    assert (last.age == frame.age).all() and (last.residence_county == frame.residence_county.astype(object)).all()
    pd.testing.assert_frame_equal(model.recorder.table(), run(sc).outcomes)     # following changes nothing
    rows = mesa.batch_run(UrbanizationModel, {"scenario": [sc], "agent_sample": 0.1}, rng=[1],
                          data_collection_period=1, display_progress=False)
    df = pd.DataFrame(rows)
    assert {"person_id", "age", "residents"} <= set(df.columns)
    assert df.groupby("year").person_id.apply(lambda s: s.is_unique).all()


def test_the_panel_columns_are_documented(long_run):
    """docs/outcomes.md lists the columns of both tables, in order."""
    text = (ROOT / "docs" / "outcomes.md").read_text(encoding="utf-8").split("## Person and household panels")[1]
    persons_doc, households_doc = (re.findall(r"^\|\s*`([a-z0-9_]+)`\s*\|", part, re.M)
                                   for part in text.split("Households (`households.parquet`)")[:2])
    _, persons, households, _ = long_run
    assert persons_doc == list(persons.columns)
    assert households_doc == list(households.columns)
