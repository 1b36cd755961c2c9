"""The parameter ensemble: implausibility and the cut on a problem with a known answer, the
ensemble file and its checks, runs over the ensemble (determinism, variance shares), the run
without an ensemble unchanged, and the forecast check on a made-up fixture."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import sim
from experiments.history_matching import CUT, history_match, implausibility
from sim.ensemble import EnsembleError, default_paths, load_ensemble, run_ensemble, variance_shares

pytestmark = pytest.mark.xdist_group("ensemble")

REFORM = Path(__file__).resolve().parents[1] / "scenarios" / "tieling_reform_2020.yaml"
TINY = {"scale": 0.005, "end_year": 2021}


# --- implausibility and the cut ------------------------------------------------------------

def test_implausibility_divides_by_all_three_variances():
    imp = implausibility(np.array([[0.3, -0.4]]), v_obs=[0.01, 0.0], v_md=[0.03, 0.04], v_seed=[0.08, 0.0], n_seeds=2)
    assert imp[0].tolist() == pytest.approx([0.3 / np.sqrt(0.01 + 0.03 + 0.04), 0.4 / 0.2])


def test_history_matching_keeps_exactly_the_points_within_the_cut_of_a_known_answer():
    """Two targets observe the coordinates of a point in the unit square (truth 0.3, 0.6) with a
    total s.d. of 0.05: the non-implausible region is the box |x - truth| <= 0.15."""
    truth, sd = np.array([0.3, 0.6]), 0.05
    variance = (lambda: (np.full(2, 0.0009), np.full(2, 0.0016), np.zeros(2)))       # 0.03^2 + 0.04^2
    match = history_match(lambda pts: pts - truth, 2, [200, 100, 100], variance, n_seeds=1, seed=3)
    pts, imax = match.members()
    inside = np.all(np.abs(pts - truth) <= CUT * sd + 1e-12, axis=1)
    assert len(pts) > 100 and inside.all() and (imax <= CUT).all()
    for w in match.waves:      # nothing inside the region was cut
        assert np.all((w.imax <= CUT) == np.all(np.abs(w.points - truth) <= CUT * sd, axis=1))
    # the survivors fill the region: their range reaches near both edges in each coordinate
    assert np.allclose(pts.min(axis=0), truth - 0.15, atol=0.03) and np.allclose(pts.max(axis=0), truth + 0.15,
                                                                                   atol=0.03)
    # refocusing: later waves sample a smaller box and keep a larger share of their points
    assert match.waves[1].survivors / 100 > match.waves[0].survivors / 200


def test_history_matching_refocuses_on_the_least_implausible_when_nothing_survives():
    truth = np.array([0.5, 0.5, 0.5])
    variance = (lambda: (np.zeros(3), np.full(3, 0.02 ** 2), np.zeros(3)))     # region: 0.06 a side, 1 in 600
    match = history_match(lambda pts: pts - truth, 3, [40, 40, 40, 40], variance, n_seeds=1, seed=1)
    assert match.waves[0].survivors == 0
    assert match.waves[-1].survivors > 0
    assert np.all(match.waves[-1].hi - match.waves[-1].lo < 1)


# --- variance shares ---------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.integers(2, 6), st.integers(2, 5), st.floats(0, 10), st.floats(0.01, 10), st.integers(0, 10_000))
def test_variance_shares_add_up_to_one_and_lie_in_0_1(k, r, member_sd, seed_sd, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(0, member_sd, (k, 1)) + rng.normal(0, seed_sd, (k, r))
    p, s, total = variance_shares(values)
    assert 0 <= p <= 1 and 0 <= s <= 1 and p + s == pytest.approx(1) and total > 0


def test_variance_shares_find_parameters_or_seeds_when_only_one_varies():
    rng = np.random.default_rng(0)
    members_only = np.repeat(rng.normal(0, 5, (30, 1)), 4, axis=1)
    seeds_only = rng.normal(0, 5, (30, 4))
    assert variance_shares(members_only)[0] == 1.0
    assert variance_shares(seeds_only)[1] > 0.8


# --- the ensemble file -------------------------------------------------------------------------

def test_the_shipped_ensemble_loads_and_carries_its_provenance():
    ens = load_ensemble()
    assert len(ens.members) >= 50
    prov = ens.provenance
    for key in ("method", "waves", "targets", "scale", "seeds", "code_fingerprint", "date", "version", "cut"):
        assert key in prov
    assert sum(w["survivors"] for w in prov["waves"]) == len(ens.members)
    for p in prov["parameters"]:
        lo, hi = p["prior"]
        assert lo <= ens.members[p["path"]].min() and ens.members[p["path"]].max() <= hi
        assert p["posterior"] == pytest.approx([ens.members[p["path"]].min(), ens.members[p["path"]].max()], abs=1e-6)
    assert (ens.members.max_implausibility <= prov["cut"]).all()


@pytest.fixture
def ensemble_copy(tmp_path):
    csv_path, json_path = default_paths()
    shutil.copy(csv_path, tmp_path / "ens.csv")
    shutil.copy(json_path, tmp_path / "ens.json")
    return tmp_path / "ens.csv"


@pytest.mark.parametrize("column, bad, expected", [
    ("behaviour.outside.return_rate", "0.9", "expected a number within [0, 0.5], found '0.9'"),
    ("behaviour.settling.asc", "lots", "expected a number within [-10, 5], found 'lots'"),
    ("member", "x1", "expected a whole number, found 'x1'"),
])
def test_a_bad_value_gives_one_message_naming_file_row_field_expected_found(ensemble_copy, column, bad, expected):
    frame = pd.read_csv(ensemble_copy, dtype=str)
    frame.loc[2, column] = bad
    frame.to_csv(ensemble_copy, index=False)
    with pytest.raises(EnsembleError) as e:
        load_ensemble(ensemble_copy)
    assert e.value.problems == [f"{ensemble_copy}: row 4, field {column}: {expected}"]


def test_an_unknown_column_or_a_provenance_that_disagrees_is_refused(ensemble_copy):
    frame = pd.read_csv(ensemble_copy, dtype=str).rename(columns={"behaviour.settling.asc": "behaviour.settling.ask"})
    frame.to_csv(ensemble_copy, index=False)
    with pytest.raises(EnsembleError) as e:
        load_ensemble(ensemble_copy)
    assert e.value.problems == [f"{ensemble_copy}: field behaviour.settling.ask: expected a behavioural parameter "
                                "path (sim.PARAMETERS), found 'behaviour.settling.ask'"]
    json_path = ensemble_copy.with_suffix(".json")
    prov = json.loads(json_path.read_text())
    json_path.write_text(json.dumps({**prov, "format": 7}))
    with pytest.raises(EnsembleError, match=r"ens.json: field format: expected 1, found 7"):
        load_ensemble(ensemble_copy)
    json_path.unlink()
    with pytest.raises(EnsembleError, match=r"ens.json: file not found"):
        load_ensemble(ensemble_copy)


# --- runs over the ensemble --------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_runs():
    sc = sim.with_overrides(sim.load_scenario(REFORM), TINY)
    return sc, sim.run(sc, ensemble=3, replicates=2), sim.run(sc, ensemble=3, replicates=2)


def test_an_ensemble_run_is_determined_by_the_seed(tiny_runs):
    sc, a, b = tiny_runs
    pd.testing.assert_frame_equal(a.runs, b.runs)
    assert len(a.members) == 3 and a.members.member.is_unique
    assert a.runs.groupby("member").seed.nunique().eq(2).all() and a.runs.seed.nunique() == 6
    other = run_ensemble(sim.with_overrides(sc, {"seed": sc.seed + 100}), 3, replicates=2)
    assert set(other.members.member) != set(a.members.member) or not other.runs.value.equals(a.runs.value)


def test_ensemble_members_change_the_parameters_and_the_outcomes(tiny_runs):
    _, a, _ = tiny_runs
    ens = load_ensemble()
    drawn = ens.members.set_index("member").loc[a.members.member]
    assert drawn[ens.parameters].nunique().gt(1).all()      # three different parameter sets
    shares = a.variance_shares()
    assert set(shares.outcome) == {"residents", "hukou_holders", "hukou_urbanization_rate",
                                   "resident_urbanization_rate"}
    end = shares[shares.year == TINY["end_year"]]
    assert np.allclose(end.parameter_share + end.seed_share, 1) and end.parameter_share.between(0, 1).all()
    bands = a.bands()
    assert (bands.lo <= bands["mean"]).all() and (bands["mean"] <= bands.hi).all()


def test_the_run_without_an_ensemble_is_unchanged():
    sc = sim.with_overrides(sim.load_scenario(REFORM), TINY)
    plain, again = sim.run(sc), sim.run(sc, ensemble=None)
    assert isinstance(again, sim.RunResult)
    pd.testing.assert_frame_equal(plain.outcomes, again.outcomes)
    with pytest.raises(EnsembleError, match="expected between 1 and"):
        sim.run(sc, ensemble=10_000)


# --- the forecast check ------------------------------------------------------------------------

def test_forecast_check_on_a_made_up_fixture(tmp_path):
    """A test fixture, not data: one figure at the band's own mean (inside) and one far outside."""
    from urbsim.cli import app

    sc = sim.with_overrides(sim.load_scenario(REFORM), {"scale": 0.005, "end_year": 2021})
    mean = sim.run(sc, ensemble=2, replicates=2).bands().set_index(["year", "outcome"])["mean"]
    fixture = tmp_path / "made_up_figures.csv"
    fixture.write_text("year,county,outcome,value\n"
                       f"2021,211200,hukou_holders,{mean.loc[(2021, 'hukou_holders')]:.0f}\n"
                       "2021,211200,residents,99000000\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["ensemble", "check", str(fixture), "--members", "2", "--replicates", "2",
                                   "--scale", "0.005"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.output.splitlines() if "2021" in ln]
    assert any("hukou_holders" in ln and "yes" in ln for ln in lines)
    assert any("residents" in ln and "NO" in ln for ln in lines)
    assert "1 of 2 figures inside the band" in res.output


def test_forecast_check_refuses_a_bad_figure_with_one_line(tmp_path):
    from urbsim.cli import app

    fixture = tmp_path / "made_up_figures.csv"
    fixture.write_text("year,county,outcome,value\n2021,211200,hukou_holderz,1\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["ensemble", "check", str(fixture)], env={"COLUMNS": "300"})
    assert res.exit_code == 2
    assert "made_up_figures.csv: line 2, field outcome: expected an outcome name" in res.output
    assert "found 'hukou_holderz'" in res.output
