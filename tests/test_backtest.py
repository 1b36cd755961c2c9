"""Backtest output: every county, the expected columns and files; national context series."""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from experiments.backtest import FIT_COLUMNS, backtest, national_series, plot_all, write_backtest
from experiments.calibration_data import CODES, MEASURES
from experiments.plots import font_families
from sim import CITY_CODE

pytestmark = pytest.mark.xdist_group("backtest")

BACKTEST = Path(__file__).resolve().parents[1] / "scenarios" / "backtest_2010.yaml"
PLOTS = ("residents.png", "urban_share.png", "age_shares.png", "household_size.png", "registered_elsewhere.png",
         "urbanization_gap.png")


@pytest.fixture(scope="module")
def small_backtest(tmp_path_factory):
    bt = backtest(scale=0.005, seeds=2, scenario=BACKTEST, workers=0, cache_dir=None)
    out = tmp_path_factory.mktemp("bt") / "backtest"
    return bt, out, write_backtest(bt, out)


def test_backtest_has_every_county_and_measure(small_backtest):
    bt, out, files = small_backtest
    fit = pd.read_csv(out / "fit.csv", dtype={"county": str})
    assert tuple(fit.columns) == FIT_COLUMNS
    assert set(fit.county) == set(CODES) | {CITY_CODE}
    assert set(fit.measure) == set(MEASURES)
    assert len(fit) == (len(CODES) + 1) * len(MEASURES)
    assert fit[["census", "census_2010", "sim_mean"]].notna().all().all()
    assert (fit.sim_min <= fit.sim_mean + 1e-9).all() and (fit.sim_mean <= fit.sim_max + 1e-9).all()
    assert set(fit.role) == {"fit", "held_out"}
    assert bt.scenario.end_year == 2020 and bt.scenario.base_year == 2010
    per_seed = pd.read_csv(out / "per_seed.csv", dtype={"county": str})
    assert per_seed.seed.nunique() == 2 and set(per_seed.county) == set(CODES) | {CITY_CODE}


def test_backtest_writes_series_summary_and_plots(small_backtest):
    bt, out, files = small_backtest
    city = pd.read_csv(out / "city_series.csv")
    assert city.year.min() == 2010 and city.year.max() == 2020
    for col in ("resident_urbanization_rate_mean", "hukou_urbanization_rate_mean", "urbanization_gap_mean",
                "urbanization_gap_std"):
        assert col in city.columns
    for name in PLOTS + ("summary.json", "national.csv"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")]   # no temporary folder left


def test_plots_draw_the_chinese_names_when_a_chinese_font_is_installed(small_backtest, tmp_path):
    bt, _, _ = small_backtest
    if len(font_families()) < 2:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plot_all(bt, tmp_path)
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing[:3]


def test_national_series_uses_one_version():
    n = national_series()
    res = n[n.series == "resident"].set_index("year").value_pct
    hk = n[n.series == "hukou"].set_index("year").value_pct
    assert res[2010] == pytest.approx(49.68) and res[2020] == pytest.approx(63.89)
    assert hk[2020] == pytest.approx(45.4)
    assert 2014 not in hk.index            # the MPS 35.9% is on another basis
    assert n.year.between(2010, 2020).all()


def test_backtest_command_errors_exit_2(tmp_path):
    from urbsim.cmd_calibrate import register
    app = typer.Typer()
    register(app)
    res = CliRunner().invoke(app, ["backtest", "--out", str(tmp_path / "o"), "--scenario", "no/such.yaml"])
    assert res.exit_code == 2 and "file not found" in res.output
    f = tmp_path / "file"
    f.write_text("x")
    res = CliRunner().invoke(app, ["backtest", "--out", str(f), "--scenario", str(BACKTEST)])
    assert res.exit_code == 2 and "not a folder" in res.output
