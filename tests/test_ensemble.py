"""The parameter ensemble: implausibility and the cut on a problem with a known answer, the build
at a tiny scale (from the whole prior box), the ensemble file and its checks, runs over the
ensemble (determinism, variance shares), what drives the spread on made-up outcomes with a known
answer, the run without an ensemble unchanged, and the forecast check on a made-up fixture."""
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
from sim.ensemble import EnsembleError, EnsembleResult, default_paths, load_ensemble, run_ensemble, variance_shares
from sim.ensemble_drivers import MIN_MEMBERS, first_order_indices, harmonics_for

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


# --- what drives the spread ----------------------------------------------------------------------

def made_up_members(n: int, seed: int) -> pd.DataFrame:
    """n made-up members of 12 parameters on [0, 1]: p1 follows p0 (Spearman about 0.9), the rest
    independent."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 12))
    x[:, 1] = np.clip(x[:, 0] + rng.normal(0, 0.1, n), 0, 1)
    return pd.DataFrame(x, columns=[f"p{i}" for i in range(12)])


@pytest.mark.parametrize("n, seed", [(40, 1), (68, 2), (136, 3)])
def test_drivers_rank_the_one_parameter_that_drives_the_outcome_first(n, seed):
    x = made_up_members(n, seed)
    y = np.exp(2 * x.p5) + np.random.default_rng(seed).normal(0, 0.1, n)      # p5 alone, not linear
    table = first_order_indices(x, y.to_numpy(), np.random.default_rng(0)).set_index("parameter")
    assert table.S1.idxmax() == "p5" and table.loc["p5", "rank"] == 1
    assert table.loc["p5", "lo"] > 0.5 and table.loc["p5", "lo"] <= table.loc["p5", "S1"] <= table.loc["p5", "hi"]
    assert table.loc["p0", "correlated_with"] == "p1" and table.loc["p0", "correlation"] > 0.8
    assert (table.members == n).all() and (table.harmonics == harmonics_for(n)).all()


@pytest.mark.parametrize("n, seed", [(40, 4), (68, 5), (136, 6)])
def test_a_parameter_that_does_nothing_gets_an_interval_around_zero(n, seed):
    x = made_up_members(n, seed)
    y = 3 * x.p0 + np.random.default_rng(seed).normal(0, 0.3, n)
    table = first_order_indices(x, y.to_numpy(), np.random.default_rng(0)).set_index("parameter")
    idle = table.loc[[f"p{i}" for i in range(2, 12)]]
    assert (idle.lo <= 0).mean() >= 0.8 and (idle.hi >= 0).all()      # at 90%, an interval may miss 0 now and then
    assert abs(idle.S1.median()) < 0.1
    # p1 does nothing itself but follows p0: its index shows what knowing it says about p0
    assert table.loc["p1", "lo"] > 0.3


def test_an_outcome_without_spread_gets_no_index():
    x = made_up_members(40, 7)
    table = first_order_indices(x, np.ones(40), np.random.default_rng(0))
    assert table.S1.isna().all()


def made_up_result(driver: str, k: int = 68, seed: int = 8) -> EnsembleResult:
    """An EnsembleResult over the shipped members whose made-up 2035 residents follow one
    parameter, plus seed noise; hukou holders are seed noise only."""
    members = load_ensemble().members.iloc[:k]
    rng = np.random.default_rng(seed)
    x = (members[driver] - members[driver].mean()) / members[driver].std()
    rows = [{"member": m, "replicate": r, "seed": r, "year": year, "county": sim.CITY_CODE, "group": "all",
             "outcome": outcome, "value": value}
            for m, xi in zip(members.member, x) for r in range(2) for year in (2030, 2035)
            for outcome, value in (("residents", 2e6 + 1e5 * xi + rng.normal(0, 2e4)),
                                   ("hukou_holders", 2.5e6 + rng.normal(0, 2e4)))]
    return EnsembleResult(pd.DataFrame(rows), members.reset_index(drop=True), {"scenario": {"seed": 5}, "replicates": 2})


def test_drivers_of_an_ensemble_result_are_determined_and_name_the_driver():
    result = made_up_result("behaviour.settling.asc")
    table = result.drivers()
    pd.testing.assert_frame_equal(table, result.drivers())
    assert set(table.year) == {2035} and set(table.outcome) == {"residents", "hukou_holders"}
    res = table[table.outcome == "residents"].set_index("parameter")
    assert res.S1.idxmax() == "behaviour.settling.asc" and res.loc["behaviour.settling.asc", "lo"] > 0.5
    assert len(res) == 12 and set(res.index) == set(load_ensemble().parameters)
    noise = table[table.outcome == "hukou_holders"]
    assert noise.S1.abs().max() < 0.3 and (noise.hi >= 0).all()
    assert set(result.drivers(year=2030).year) == {2030}


def test_drivers_refuse_too_few_members_or_a_year_not_simulated():
    with pytest.raises(EnsembleError, match=f"drivers: expected at least {MIN_MEMBERS} members .* found 20"):
        made_up_result("behaviour.settling.asc", k=20).drivers()
    with pytest.raises(EnsembleError, match="drivers: field year: expected a simulated year .* found 2040"):
        made_up_result("behaviour.settling.asc").drivers(year=2040)


@pytest.fixture
def wide_console(monkeypatch):
    """The CLI's console 250 columns wide: it takes its width when urbsim.ui is first imported, which
    in a full test run is long before a test sets COLUMNS (rich cuts table cells to fit)."""
    from urbsim import ui
    monkeypatch.setattr(ui.console, "width", 250)


def test_ensemble_run_prints_the_drivers_table(monkeypatch, tmp_path, wide_console):
    from urbsim import cmd_ensemble
    from urbsim.cli import app

    monkeypatch.setattr(cmd_ensemble, "_run_over_ensemble", lambda *a: made_up_result("behaviour.outside.return_rate"))
    out = tmp_path / "bands.csv"
    res = CliRunner().invoke(app, ["ensemble", "run", str(REFORM), "--members", "68", "--drivers", "--out", str(out)],
                             env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "What drives the spread in 2035" in res.output
    first = next(ln for ln in res.output.splitlines() if "outside." in ln or "settling." in ln or "registry." in ln)
    assert "outside.return_rate" in first           # the driver's row comes first
    drivers = pd.read_csv(tmp_path / "bands_drivers.csv")
    assert set(drivers.columns) >= {"parameter", "outcome", "year", "S1", "lo", "hi", "correlated_with"}
    few = CliRunner().invoke(app, ["ensemble", "run", str(REFORM), "--members", "20", "--drivers"])
    assert few.exit_code == 2 and "expected at least 32 with --drivers" in few.output


# --- the build at a tiny scale -------------------------------------------------------------------

def test_a_tiny_build_from_the_whole_prior_box_runs_writes_and_loads(tmp_path):
    """Scale 0.002, waves of 6 and 4 points: with the model discrepancy made huge every point
    survives, so the file is written and read back; the first wave spans the whole prior box."""
    from experiments.ensemble_build import build_ensemble, fit_targets, write_ensemble

    t = fit_targets()
    loose = type(t)(t.names, t.relative, t.observed, t.v_obs, np.full_like(t.v_md, 1e6))
    waves = []
    b = build_ensemble(scale=0.002, seeds=1, noise_seeds=2, sizes=(6, 4), min_members=0, workers=0,
                       cache_dir=None, targets=loose, around_fit=0.0, on_wave=waves.append)
    assert [len(w.points) for w in waves] == [6, 4] and [w.survivors for w in waves] == [6, 4]
    assert np.allclose(waves[0].lo, 0) and np.allclose(waves[0].hi, 1)
    csv_path, _ = write_ensemble(b, "urbsim ensemble build (test)", tmp_path)
    ens = load_ensemble(csv_path)
    assert len(ens.members) == 10 and ens.provenance["start"] == "wave 1 over the whole prior box"
    assert [w["survivors"] for w in ens.provenance["waves"]] == [6, 4]


def test_a_tiny_build_pools_the_waves_from_the_fit_and_from_the_whole_prior_box(tmp_path):
    """The default build: waves from the box around the point fit, then a second run of waves whose
    first covers the whole prior box; every survivor of both is a member, each wave says its start."""
    from experiments.ensemble_build import build_ensemble, fit_targets, write_ensemble

    t = fit_targets()
    loose = type(t)(t.names, t.relative, t.observed, t.v_obs, np.full_like(t.v_md, 1e6))
    b = build_ensemble(scale=0.002, seeds=1, noise_seeds=2, sizes=(5, 3), prior_sizes=(4, 3), min_members=0,
                       workers=0, cache_dir=None, targets=loose, around_fit=0.15)
    assert [(w.start, w.number, len(w.points)) for w in b.match.waves] == [("fit", 1, 5), ("fit", 2, 3),
                                                                          ("prior", 1, 4), ("prior", 2, 3)]
    fit1, prior1 = b.match.waves[0], b.match.waves[2]
    assert (fit1.hi - fit1.lo).min() < 0.5 and np.allclose(prior1.lo, 0) and np.allclose(prior1.hi, 1)
    assert len(b.members()) == 15
    csv_path, _ = write_ensemble(b, "urbsim ensemble build (test)", tmp_path)
    prov = load_ensemble(csv_path).provenance
    assert [w["start"] for w in prov["waves"]] == ["fit", "fit", "prior", "prior"]
    assert "whole prior box" in prov["start"] and "around the point fit" in prov["start"]


@pytest.mark.parametrize("text, sizes", [("160,120", [160, 120]), ("3x100", [100, 100, 100])])
def test_wave_sizes_are_a_list_or_count_x_points(text, sizes):
    from urbsim.cmd_ensemble import _parse_waves

    assert _parse_waves(text) == sizes
    assert _parse_waves("0", allow_none=True) == []


def test_bad_wave_sizes_are_refused_with_one_line():
    from urbsim.cli import app

    res = CliRunner().invoke(app, ["ensemble", "build", "--prior-waves", "3xlots"], env={"COLUMNS": "200"})
    assert res.exit_code == 2 and "--prior-waves 3xlots: expected comma-separated whole numbers" in res.output


def test_the_default_first_wave_is_the_box_around_the_point_fit():
    from experiments.calibration_params import ENSEMBLE_PARAMETERS
    from experiments.ensemble_build import calibrated_values, start_box

    lo, hi = start_box(ENSEMBLE_PARAMETERS, 0.15)
    fitted = calibrated_values()
    for p, a, b in zip(ENSEMBLE_PARAMETERS, lo, hi):
        if p.path in fitted:
            assert b - a <= 0.3 + 1e-9 and a <= p.unit_of(fitted[p.path]) <= b
        else:
            assert (a, b) == (0, 1)
    assert start_box(ENSEMBLE_PARAMETERS, 0) is None


def test_ensemble_show_prints_waves_survivors_and_posterior_next_to_prior(wide_console):
    from urbsim.cli import app

    res = CliRunner().invoke(app, ["ensemble", "show"], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    prov = load_ensemble().provenance
    per_wave = ", ".join(f"{w['survivors']} of {w['points']}" for w in prov["waves"])
    assert f"{len(load_ensemble().members)} members, survivors per wave" in res.output
    assert f"from {len(prov['waves'])} waves ({per_wave})" in " ".join(res.output.split())
    row = next(ln for ln in res.output.splitlines() if "settling.asc" in ln)
    assert "[-10, 5]" in row            # the prior beside the posterior
