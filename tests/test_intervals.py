"""Paired-difference intervals (sim.intervals) and `urbsim compare` with replicates."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from sim import intervals
from urbsim.cli import app

from .conftest import SCENARIOS


def test_mean_interval_is_the_t_interval():
    x = np.array([1.0, 2.5, 3.0, 4.2, 5.1])
    got = intervals.mean_interval(x, 0.9)
    low, high = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert got.mean == pytest.approx(x.mean())
    assert (got.low, got.high) == (pytest.approx(low), pytest.approx(high))
    assert got.sd == pytest.approx(x.std(ddof=1)) and got.n == 5


def test_ninety_percent_intervals_cover_the_true_mean_nine_times_in_ten():
    rng = np.random.default_rng(7)
    samples = rng.normal(3.0, 2.0, (4000, 5))
    covered = [(iv := intervals.mean_interval(s)).low <= 3.0 <= iv.high for s in samples]
    assert np.mean(covered) == pytest.approx(0.9, abs=0.015)


def test_pairing_cancels_the_noise_the_replicates_share():
    rng = np.random.default_rng(1)
    shared = rng.normal(0, 100, 6)          # noise common to both scenarios of one seed
    base = 1000 + shared + rng.normal(0, 1, 6)
    scen = base + 5 + rng.normal(0, 1, 6)
    paired = intervals.paired_difference(scen, base)
    unpaired_sd = math.sqrt(np.var(scen, ddof=1) / 6 + np.var(base, ddof=1) / 6)
    assert not paired.includes_zero and paired.low < 5 < paired.high
    assert (paired.high - paired.low) < unpaired_sd


def test_one_replicate_has_no_interval_and_is_not_called_distinguishable():
    d = intervals.paired_difference([3.0], [1.0])
    assert d.mean == 2.0 and math.isnan(d.low) and math.isnan(d.high)
    assert d.includes_zero and d.verdict == "one replicate: no interval"


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="equal counts"):
        intervals.paired_difference([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="level"):
        intervals.mean_interval([1.0, 2.0], 1.5)
    with pytest.raises(ValueError, match="replicates"):
        intervals.replicate_seeds(1, 0)


def test_replicate_seeds_start_at_the_given_seed_and_do_not_depend_on_the_count():
    assert intervals.replicate_seeds(20200, 3) == [20200, 20201, 20202]
    assert intervals.replicate_seeds(20200, 5)[:3] == intervals.replicate_seeds(20200, 3)


def _runs(seeds_b):
    rows = []
    for name, seeds, shift in (("a", [1, 2, 3], 0.0), ("b", seeds_b, 10.0)):
        for r, s in enumerate(seeds):
            rows.append({"scenario": name, "replicate": r, "seed": s, "year": 2030, "outcome": "x",
                         "value": 100.0 * s + shift + (r == 1)})
    return pd.DataFrame(rows)


def test_compare_table_pairs_replicates_by_seed():
    t = intervals.compare_table(_runs([1, 2, 3]), "a").set_index("scenario")
    assert t.loc["b", "difference"] == pytest.approx(10.0)
    assert t.loc["b", "low"] == pytest.approx(10.0) and t.loc["b", "high"] == pytest.approx(10.0)
    assert bool(t.loc["b", "distinguishable"])
    assert t.loc["a", "mean"] == pytest.approx(200 + 1 / 3)
    with pytest.raises(ValueError, match="same seeds"):
        intervals.compare_table(_runs([4, 5, 6]), "a")


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """The reform against the pre-reform rules and against a copy of itself, two replicates each."""
    tmp = tmp_path_factory.mktemp("compare")
    twin = tmp / "twin.yaml"
    twin.write_text((SCENARIOS / "baseline_pre_reform.yaml").read_text(encoding="utf-8").replace(
        "name: baseline_pre_reform", "name: baseline_twin"), encoding="utf-8")
    out = tmp / "cmp.csv"
    res = CliRunner().invoke(app, ["compare", str(SCENARIOS / "baseline_pre_reform.yaml"),
                                   str(SCENARIOS / "tieling_reform_2020.yaml"), str(twin), "--scale", "0.01",
                                   "--replicates", "2", "--seed", "7", "--end-year", "2023", "--years", "2022,2023",
                                   "--out", str(out)], env={"COLUMNS": "200"})
    return res, pd.read_csv(out) if out.exists() else None


def test_compare_prints_intervals_and_marks_noise(compared):
    res, _ = compared
    assert res.exit_code == 0, res.output
    assert "90% interval" in " ".join(res.output.split())
    assert "tieling_reform_2020 - baseline_pre_reform" in res.output
    assert "baseline_twin - baseline_pre_reform" in res.output
    flat = " ".join(res.output.split())        # the console may wrap lines
    assert "not distinguishable from noise" in flat
    assert "seeds 7, 8" in flat


def test_compare_csv_records_scale_seeds_replicates_and_intervals(compared):
    _, df = compared
    assert set(df.columns) >= {"year", "outcome", "scenario", "baseline", "mean", "sd", "difference", "low", "high",
                               "level", "distinguishable", "replicates", "seeds", "scale"}
    assert set(df.year) == {2022, 2023}
    assert (df.replicates == 2).all() and (df.seeds == "7 8").all() and (df.scale == 0.01).all()
    assert (df.baseline == "baseline_pre_reform").all()
    base = df[df.scenario == "baseline_pre_reform"].set_index(["year", "outcome"])
    for name in ("tieling_reform_2020", "baseline_twin"):
        d = df[df.scenario == name].set_index(["year", "outcome"])
        assert np.allclose(d["difference"], d["mean"] - base.loc[d.index, "mean"])
        assert (d.low <= d.difference).all() and (d.difference <= d.high).all()
    # The same rules under another name: the same runs, no difference, not distinguishable.
    twin = df[df.scenario == "baseline_twin"]
    assert (twin.difference == 0).all() and not twin.distinguishable.astype(bool).any()


def test_compare_refuses_bad_replicates_and_level():
    for args, field in ((["--replicates", "0"], "--replicates"), (["--level", "1.2"], "--level")):
        res = CliRunner().invoke(app, ["compare", str(SCENARIOS / "baseline_pre_reform.yaml"),
                                       str(SCENARIOS / "tieling_reform_2020.yaml"), *args])
        assert res.exit_code == 2 and field in res.output
