"""Main effects with intervals and variance shares: a known effect is found, a factor without
one gets an interval around 0, on a synthetic design and on real sweeps of the model."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from experiments import analyze, load_sweep, run_sweep
from experiments.effects import main_effects, variance_shares
from urbsim import ui
from urbsim.cmd_sweep import register

from .test_sweep_support import write_spec

KEY = {"outcome": "y", "year": 2030, "county": "211200", "group": "all"}


def synthetic(method: str, effect: float, noise: float, seeds: int = 6, seed: int = 0):
    """A 2 × 2 grid (or 40 LHS-like rows) where factor `a` adds `effect`, factor `b` nothing, each
    seed shifts every row alike (common random numbers) and each run has its own noise."""
    rng = np.random.default_rng(seed)
    shift = rng.normal(0, 1.0, seeds)                 # large, shared by all rows of a seed
    if method == "grid":
        rows = [(a, b) for a in (0.0, 1.0) for b in (0.0, 1.0)]
    else:
        rows = list(zip(rng.uniform(0, 1, 40), rng.uniform(0, 1, 40)))
    recs = []
    for r, (a, b) in enumerate(rows):
        for k in range(seeds):
            recs.append({"row": r, "replicate": k, "a": a, "b": b, **KEY,
                         "value": 10 + effect * a + shift[k] + rng.normal(0, noise)})
    meta = {"spec": {"design": {"method": method}},
            "factors": [{"path": p, "kind": "float", "lo": 0.0, "hi": 1.0} for p in ("a", "b")]}
    return meta, pd.DataFrame(recs)


@pytest.mark.parametrize("method", ["grid", "lhs"])
def test_pairing_by_seed_finds_the_effect_and_the_seeds_share(method):
    meta, tidy = synthetic(method, effect=0.5, noise=0.1, seed=1)
    a = main_effects(meta, tidy).set_index("factor").loc["a"]
    assert a.low > 0
    assert a.high - a.low < 0.5    # pairing by seed removed the seed shifts (sd 1.0), else this would be wide
    shares = variance_shares(meta, tidy).set_index("source")["share"]
    assert shares.sum() == pytest.approx(1.0)
    assert shares["seeds (within design rows)"] > 0.5         # the seed shifts dominate the variance


@pytest.mark.parametrize("method", ["grid", "lhs"])
def test_the_90_percent_intervals_cover_the_truth_about_90_percent_of_the_time(method):
    hits_a = hits_b = found = 0
    trials = 200
    for seed in range(trials):
        meta, tidy = synthetic(method, effect=0.5, noise=0.1, seed=seed)
        eff = main_effects(meta, tidy).set_index("factor")
        hits_a += eff.loc["a", "low"] <= 0.5 <= eff.loc["a", "high"]
        hits_b += eff.loc["b", "low"] <= 0 <= eff.loc["b", "high"]
        found += eff.loc["a", "low"] > 0
    # binomial(200, 0.9): sd 0.021, so 0.83-0.97 is more than three sd either side
    assert 0.83 <= hits_a / trials <= 0.97 and 0.83 <= hits_b / trials <= 0.97
    assert found == trials


def test_grid_effects_use_every_level_against_the_first():
    meta, tidy = synthetic("grid", effect=0.5, noise=0.1)
    top = tidy[tidy.a == 1.0]
    tidy = pd.concat([tidy, top.assign(row=top.row + 4, a=2.0, value=top.value + 0.5)])   # a third level, +1.0
    eff = main_effects(meta, tidy)
    got = eff[eff.factor == "a"].set_index("level")
    assert list(got.index) == ["1", "2"] and set(got.versus) == {"0"}
    assert got.loc["2", "effect"] == pytest.approx(1.0, abs=0.1)
    assert (got.n == 6).all() and set(got.method) == {"paired by seed"}


def test_a_single_replicate_gives_no_grid_interval():
    meta, tidy = synthetic("grid", effect=0.5, noise=0.1, seeds=1)
    eff = main_effects(meta, tidy)
    assert eff.effect.notna().all() and eff.low.isna().all() and eff.high.isna().all()


def test_analyze_finds_the_home_purchase_pathway_and_no_effect_of_the_survey_rate(tmp_path, monkeypatch):
    # the purchase pathway (clause 六) certainly adds settlements; the statistical survey's sample
    # rate only changes how a survey is drawn, not who settles
    spec = load_sweep(write_spec(
        tmp_path, design={"method": "grid", "levels": 2}, replicates=3, end_year=2023, years=[2023],
        factors={"policy.purchase.enabled": {}, "policy.statistics.survey_sample_rate": {"lo": 0.001, "hi": 0.01}},
        outcomes=["hukou_urbanization_rate", "settlements"]))
    out = tmp_path / "out"
    assert not run_sweep(spec, out, workers=0).failed
    a = analyze(out)
    assert not (out / "analysis" / "plots").exists()               # plots only when asked
    eff = a.effects[(a.effects.county == "211200") & (a.effects.group == "all")].set_index(["outcome", "factor"])
    purchase = eff.loc[("hukou_urbanization_rate", "policy.purchase.enabled")]
    assert (purchase.level, purchase.versus, purchase.n) == ("true", "false", 3)
    assert purchase.low > 0
    survey = eff.loc[("settlements", "policy.statistics.survey_sample_rate")]
    assert survey.low <= 0 <= survey.high
    shares = a.variance[a.variance.outcome == "settlements"].set_index("source")["share"]
    assert shares.sum() == pytest.approx(1.0)
    assert shares["policy.purchase.enabled"] > shares["policy.statistics.survey_sample_rate"]
    assert 0 < shares["seeds (within design rows)"] < 1
    saved = pd.read_csv(out / "analysis" / "effects.csv")
    assert len(saved) == len(a.effects) and {"effect", "low", "high"} <= set(saved.columns)
    assert (out / "analysis" / "variance.parquet").is_file()
    # the command prints the effects with their intervals and the seeds' share; plots on request
    app = typer.Typer()
    register(app)
    monkeypatch.setattr(ui.console, "width", 200)      # one line per table row, whatever the terminal
    res = CliRunner().invoke(app, ["analyze", str(out)])
    assert res.exit_code == 0, res.output
    assert "main effects, 90% interval" in res.output and "true vs false" in res.output
    assert "seeds' share" in res.output and not (out / "analysis" / "plots").exists()
    res = CliRunner().invoke(app, ["analyze", str(out), "--plots"])
    assert res.exit_code == 0 and any((out / "analysis" / "plots").glob("*.png"))


def test_analyze_fits_effects_of_an_lhs_sweep(tmp_path):
    spec = load_sweep(write_spec(
        tmp_path, design={"method": "lhs", "n": 8}, replicates=2, end_year=2022, years=[2022],
        factors={"behaviour.outside.out_rate_peak": {"lo": 0.02, "hi": 0.12},
                 "policy.statistics.survey_sample_rate": {"lo": 0.001, "hi": 0.01}},
        outcomes=["residents"]))
    out = tmp_path / "out"
    assert not run_sweep(spec, out, workers=0).failed
    eff = analyze(out).effects.set_index("factor")
    out_rate = eff.loc["behaviour.outside.out_rate_peak"]
    assert out_rate.method == "linear fit, seed intercepts" and out_rate.high < 0    # more leave: fewer residents
    survey = eff.loc["policy.statistics.survey_sample_rate"]
    assert survey.low <= 0 <= survey.high
