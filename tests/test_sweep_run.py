"""Running sweeps into a run store: determinism across workers, failures, resume, analysis."""
from __future__ import annotations

import json
import os

import pandas as pd
import pytest

import experiments.execute as execute
from experiments import (RunStore, SweepError, analyze, load_results, load_sweep, plan_sweep, run_sweep, scenario_of,
                         sweep_status)

from .test_sweep_support import write_spec


def run_files(out) -> set[str]:
    return {p.name for p in (out / "runs").iterdir()}


def test_results_do_not_depend_on_the_number_of_workers(tmp_path):
    spec = load_sweep(write_spec(tmp_path))
    one = run_sweep(spec, tmp_path / "one", workers=1)
    two = run_sweep(spec, tmp_path / "two", workers=2)
    assert one.n_runs == two.n_runs == 12 and one.ran == two.ran == 12 and not one.failed and not two.failed
    assert run_files(tmp_path / "one") == run_files(tmp_path / "two")
    a, b = load_results(tmp_path / "one"), load_results(tmp_path / "two")
    assert len(a) == 12 * 3 * 2       # runs × outcomes × years (city, group all)
    pd.testing.assert_frame_equal(a, b)
    meta = json.loads((tmp_path / "one" / "sweep.json").read_text())
    assert meta["n_runs"] == 12 and meta["spec"]["name"] == "t" and meta["code_version"]
    assert meta["seeds"] == plan_sweep(spec).seeds
    # each run file holds only what was asked, plus its factor values and seed
    one_file = pd.read_parquet(next((tmp_path / "one" / "runs").iterdir()))
    assert set(one_file.outcome) == {"hukou_urbanization_rate", "residents", "settlements"}
    assert set(one_file.year) == {2021, 2022} and set(one_file.county) == {"211200"}
    assert {"run_id", "seed", "policy.graduates.settlement", "policy.publicity.reach_per_year"} <= set(one_file.columns)


def test_failed_runs_are_recorded_and_do_not_stop_the_sweep(tmp_path):
    # end_year 2019 is before the base year 2020: that cell's scenario is invalid.
    spec = load_sweep(write_spec(tmp_path, factors={"end_year": {"choices": [2019, 2021]},
                                                    "policy.purchase.enabled": {}},
                                 end_year=None, years=[2021], replicates=1))
    seen = []
    report = run_sweep(spec, tmp_path / "out", workers=2, on_failure=lambda rid, e: seen.append(e))
    assert report.n_runs == 4 and len(report.failed) == 2 and len(seen) == 2
    assert all("invalid scenario" in e and "end_year" in e and "2019" in e for e in report.failed.values())
    assert len(run_files(tmp_path / "out")) == 2
    rec = json.loads((tmp_path / "out" / "failed" / f"{next(iter(report.failed))}.json").read_text())
    assert rec["factors"]["end_year"] == 2019 and "invalid scenario" in rec["error"]
    status = sweep_status(tmp_path / "out")
    assert status["done"] == 2 and status["failed"] == 2 and not status["missing"]
    result = analyze(tmp_path / "out", plots=False)
    assert len(result.failures) == 2
    # a resume tries the failures again (they fail again) and keeps the stored runs
    again = run_sweep(spec, tmp_path / "out", workers=0, resume=True)
    assert again.already_done == 2 and again.ran == 2 and len(again.failed) == 2


def test_an_exception_inside_a_run_is_recorded(tmp_path, monkeypatch):
    real = execute.run_scenario

    def flaky(scenario, progress=None):
        if scenario.policy.graduates.settlement == "closed":
            raise RuntimeError("injected failure")
        return real(scenario, progress)

    monkeypatch.setattr(execute, "run_scenario", flaky)
    spec = load_sweep(write_spec(tmp_path, replicates=1))
    report = run_sweep(spec, tmp_path / "out", workers=0)
    assert report.n_runs == 6 and len(report.failed) == 2
    assert all(e == "RuntimeError: injected failure" for e in report.failed.values())
    rec = json.loads(next((tmp_path / "out" / "failed").iterdir()).read_text())
    assert "Traceback" in rec["traceback"] and rec["factors"]["policy.graduates.settlement"] == "closed"
    monkeypatch.setattr(execute, "run_scenario", real)
    fixed = run_sweep(spec, tmp_path / "out", workers=0, resume=True)
    assert fixed.already_done == 4 and fixed.ran == 2 and not fixed.failed
    assert not list((tmp_path / "out" / "failed").iterdir())


def test_resume_runs_only_what_is_missing(tmp_path):
    spec = load_sweep(write_spec(tmp_path, replicates=1))
    out = tmp_path / "out"
    run_sweep(spec, out, workers=0)
    files = sorted((out / "runs").iterdir())
    kept = {p.name: os.stat(p).st_ino for p in files[2:]}
    for p in files[:2]:
        p.unlink()
    (out / "runs" / f"{files[0].name}.tmp-123-abcdef12").write_bytes(b"half a file")
    with pytest.raises(SweepError, match="already holds a sweep; pass --resume"):
        run_sweep(spec, out, workers=0)
    report = run_sweep(spec, out, workers=0, resume=True)
    assert report.already_done == 4 and report.ran == 2 and report.removed_temp == 1
    assert run_files(out) == {p.name for p in files}
    assert all(os.stat(out / "runs" / n).st_ino == ino for n, ino in kept.items())   # untouched
    assert not RunStore(out).temp_files()
    # a stored run's full scenario is rebuilt from sweep.json and the run's factor values and seed
    design = RunStore(out).design()
    row = design.iloc[3]
    sc = scenario_of(out, row.run_id)
    assert sc.seed == row.seed and sc.scale == 0.005 and sc.end_year == 2022
    assert sc.policy.graduates.settlement == row["policy.graduates.settlement"]
    assert sc.policy.publicity.reach_per_year == row["policy.publicity.reach_per_year"]


def test_resume_adds_replicates_and_runs_only_the_new_ones(tmp_path):
    out = tmp_path / "out"
    run_sweep(load_sweep(write_spec(tmp_path, replicates=2)), out, workers=0)
    before = {p.name: os.stat(p).st_ino for p in (out / "runs").iterdir()}
    three = load_sweep(write_spec(tmp_path, replicates=3))
    report = run_sweep(three, out, workers=0, resume=True)
    assert report.already_done == 12 and report.ran == 6 and not report.failed    # 6 design rows × 1 new seed
    assert all(os.stat(out / "runs" / n).st_ino == ino for n, ino in before.items())   # old runs untouched
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["replicates"] == 3 and meta["n_runs"] == 18 and meta["replicates_added"][0]["from"] == 2
    # the grown store is the sweep that had 3 replicates from the start
    fresh = tmp_path / "fresh"
    run_sweep(three, fresh, workers=0)
    pd.testing.assert_frame_equal(RunStore(out).design(), RunStore(fresh).design())
    pd.testing.assert_frame_equal(load_results(out), load_results(fresh))
    assert sweep_status(out)["missing"] == []
    with pytest.raises(SweepError, match="holds 3 replicates, the spec asks for 2; --resume can add"):
        run_sweep(load_sweep(write_spec(tmp_path, replicates=2)), out, workers=0, resume=True)


def test_resume_refuses_a_different_sweep(tmp_path):
    out = tmp_path / "out"
    run_sweep(load_sweep(write_spec(tmp_path, replicates=1)), out, workers=0)
    with pytest.raises(SweepError, match=r"different spec \(differs in replicates, seed\)"):
        run_sweep(load_sweep(write_spec(tmp_path, replicates=2, seed=12)), out, workers=0, resume=True)
    with pytest.raises(SweepError, match=r"differs in end_year\).*only `replicates` may grow"):
        run_sweep(load_sweep(write_spec(tmp_path, end_year=2023, replicates=1)), out, workers=0, resume=True)
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("x")
    with pytest.raises(SweepError, match="exists and is not an empty folder"):
        run_sweep(load_sweep(write_spec(tmp_path)), other, workers=0)


@pytest.mark.parametrize("design, indices", [
    ({"method": "sobol", "n": 4}, {"S1", "ST"}),
    ({"method": "morris", "trajectories": 4}, {"mu", "mu_star", "sigma"}),
    ({"method": "lhs", "n": 8}, {"spearman"}),
])
def test_analysis_writes_tables_indices_and_plots(tmp_path, design, indices):
    spec = load_sweep(write_spec(tmp_path, design=design, replicates=1, end_year=2022, years=[2022],
                                 outcomes=["hukou_urbanization_rate", "settlements"]))
    out = tmp_path / "out"
    report = run_sweep(spec, out, workers=0)
    assert not report.failed
    result = analyze(out, resamples=50, plots=True)
    n_rows = plan_sweep(spec).n_rows
    assert len(result.results) == n_rows * 2          # design rows × outcomes (one year, city, group all)
    assert set(result.indices["index"]) == indices
    assert set(result.indices.factor) == set(spec.factors)
    assert set(result.indices.outcome) == {"hukou_urbanization_rate", "settlements"}
    top = result.top("hukou_urbanization_rate", 2022)
    assert 1 <= len(top) <= 2
    folder = out / "analysis"
    for name in ("results.parquet", "results.csv", "indices.parquet", "indices.csv", "summary.csv", "notes.md",
                 "failures.csv"):
        assert (folder / name).is_file(), name
    assert pd.read_csv(folder / "results.csv").shape[0] == len(result.results)
    notes = (folder / "notes.md").read_text()
    assert "policy.graduates.settlement: " in notes and "0=unrestricted" in notes
    plots = {p.name for p in (folder / "plots").iterdir()}
    assert {"indices_hukou_urbanization_rate_2022.png", "indices_hukou_urbanization_rate_2022.html",
            "scatter_settlements_2022.png", "scatter_settlements_2022.html", "plotly.min.js"} <= plots
