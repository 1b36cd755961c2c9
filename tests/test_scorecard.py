"""The scorecard (sim/scorecard.py): totals add up to the per-county, per-year rows, intervals
come from replicates paired by seed, targets are judged as data/targets.csv says, and the
explanation of a difference adds up."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import CITY_CODE, load_scenario
from sim.places import CODES
from sim.scorecard import evaluate, interval, measure, totals

from .conftest import SCENARIOS, small

SEEDS = (11, 12, 13)
END = 2024


@pytest.fixture(scope="module")
def runs():
    def reps(name):
        return sim.replicates(small(load_scenario(SCENARIOS / f"{name}.yaml"), end_year=END), SEEDS)
    return {"pre": reps("baseline_pre_reform"), "reform": reps("tieling_reform_2020")}


@pytest.fixture(scope="module")
def card(runs):
    return sim.scorecard(runs, baseline="pre", start=2021, end=END)


def value(card, scenario, measure_, col="mean"):
    t = card.totals
    return float(t[(t.scenario == scenario) & (t.measure == measure_)][col].iloc[0])


def test_totals_add_up_to_the_county_year_rows(runs, card):
    for name in runs:
        per_run = []
        for r in runs[name]:
            o = r.outcomes
            rows = o[(o.outcome == "budget_spending") & (o.group == "all") & o.county.isin(CODES)
                     & o.year.between(2021, END)]
            per_run.append(rows.value.sum())
        assert value(card, name, "budget_spending") == pytest.approx(np.mean(per_run), rel=1e-9)
        items = card.totals[(card.totals.scenario == name) & card.totals.measure.str.startswith("spending.")]
        assert items["mean"].sum() == pytest.approx(value(card, name, "budget_spending"), rel=1e-9)


def test_intervals_from_replicates_and_paired_differences(runs, card):
    for name in runs:
        mean, low, high = (value(card, name, "budget_spending", c) for c in ("mean", "low", "high"))
        assert low < mean < high                     # seeds differ, so the interval has width
        assert value(card, name, "settlements", "n") == len(SEEDS)
    assert value(card, "pre", "budget_spending", "diff") == 0 == value(card, "pre", "budget_spending", "diff_high")
    # The paired difference is the mean of per-seed differences, not a difference of means of unpaired runs.
    per_seed = [totals(b.outcomes, 2021, END)["budget_income"] - totals(a.outcomes, 2021, END)["budget_income"]
                for a, b in zip(runs["pre"], runs["reform"])]
    m, lo, hi = interval(per_seed, 0.9)
    assert value(card, "reform", "budget_income", "diff") == pytest.approx(m)
    assert value(card, "reform", "budget_income", "diff_low") == pytest.approx(lo)
    assert lo > 0          # the reform brings more people-linked money than the rules before it


def test_interval_is_students_t():
    mean, low, high = interval([1.0, 2.0, 3.0], 0.9)
    assert mean == 2 and high - mean == pytest.approx(2.919986 * 1 / np.sqrt(3), rel=1e-5)
    assert np.isnan(interval([5.0])[1])


def synthetic(values: dict[int, float], outcome: str) -> pd.DataFrame:
    return pd.DataFrame({"year": list(values), "county": CITY_CODE, "group": "all", "outcome": outcome,
                         "value": list(values.values())})


def target(**kw) -> pd.Series:
    base = {"id": "t", "measure": "hukou_urbanization_rate", "county": CITY_CODE, "comparison": "at_least",
            "value": 0.5, "by_year": np.nan}
    return pd.Series({**base, **kw})


def test_targets_are_judged_as_written():
    rates = synthetic({2020: 0.4, 2021: 0.45, 2022: 0.52, 2023: 0.55}, "hukou_urbanization_rate")
    assert evaluate(target(by_year=2022), rates)[:2] == (True, 2022.0)
    assert evaluate(target(by_year=2021), rates)[:2] == (False, 2022.0)
    assert evaluate(target(), rates)[0] is False          # every simulated year: 2021 misses
    assert evaluate(target(comparison="rising"), rates)[0] is True
    assert evaluate(target(comparison="falling"), rates)[0] is False
    assert evaluate(target(by_year=2030), rates)[0] is True   # deadline after the run: judged at its end


def test_target_file_is_complete_and_measurable(runs):
    t = sim.targets()
    assert t.id.is_unique and len(t) >= 5
    assert t.clause.notna().all() and t.source.str.len().gt(20).all() and t.zh.notna().all()
    for name in t.measure.unique():
        assert len(measure(runs["reform"][0].outcomes, name)) > 0, name


def test_reform_admits_migrant_children_the_rules_before_did_not(card):
    tt = card.targets.set_index(["scenario", "id"])
    assert tt.loc[("reform", "public_school_majority"), "met_share"] == 1.0
    assert tt.loc[("pre", "public_school_majority"), "met_share"] == 0.0


def test_explain_adds_up_and_is_zero_against_itself(runs):
    e = sim.explain(runs["pre"], runs["reform"], 2021, END)
    for section in ("hukou_holders", "residents"):
        part = e[e.section == section].set_index("component")
        assert part.drop("change")["diff"].sum() == pytest.approx(part.loc["change", "diff"], abs=1e-6)
    s = e[e.section == "settlements"].set_index("component")
    pathways = ["graduate", "purchase", "insurance", "residence_years", "three_dependents", "student"]
    assert s.loc[pathways, "diff"].sum() == pytest.approx(s.loc["all", "diff"])
    assert s.loc["all", "low"] > 0
    same = sim.explain(runs["reform"], runs["reform"], 2021, END)
    assert (same["diff"] == 0).all()


# --- command line ------------------------------------------------------------------------

def test_cli_scorecard_and_explain(tmp_path):
    from typer.testing import CliRunner

    from urbsim.cli import app
    files = [str(SCENARIOS / f"{n}.yaml") for n in ("baseline_pre_reform", "reform_strong_transfers")]
    out = tmp_path / "card.csv"
    r = CliRunner().invoke(app, ["scorecard", *files, "--scale", "0.01", "--end", "2022", "--replicates", "2",
                                 "--out", str(out)])
    assert r.exit_code == 0, r.output
    card = pd.read_csv(out)
    assert set(card.scenario) == {"baseline_pre_reform", "reform_strong_transfers"}
    assert (card.loc[card.measure == "budget_income", "n"] == 2).all()
    r = CliRunner().invoke(app, ["compare", *files, "--scale", "0.01", "--years", "2021", "--explain",
                                 "--replicates", "2", "--seed", "5"])
    assert r.exit_code == 0, r.output
    assert "why" in r.output and "linked_tr" in r.output and "purchase" in r.output   # tables wrap at 80 columns
    assert "migrant" in r.output and sim.COUNTIES[0].code in r.output     # the breakdown by kind and county
    bad = CliRunner().invoke(app, ["scorecard", *files, "--scale", "0.01", "--end", "2022", "--start", "2030"])
    assert bad.exit_code == 2 and "--start" in bad.output
