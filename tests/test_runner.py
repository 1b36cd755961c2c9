"""`sim.runner.run`: a scenario (or its file) from the base to the end year, progress each year,
a manifest that says what ran, and a micro sample that changes no outcome."""
from __future__ import annotations

import pandas as pd

from sim import load_scenario
from sim.runner import RunResult, code_version, run

from .conftest import SCENARIOS, small


def test_a_run_reports_progress_and_says_what_ran():
    sc = small(load_scenario(SCENARIOS / "tieling_reform_2020.yaml"), scale=0.005, end_year=2022)
    seen = []
    result = run(sc, progress=lambda done, total: seen.append((done, total)))
    assert isinstance(result, RunResult)
    assert seen == [(1, 2), (2, 2)]
    m = result.manifest
    assert m["seed"] == sc.seed and m["scenario"]["end_year"] == 2022 and m["code_version"] == code_version()
    assert m["persons_simulated"] > 0 and m["wall_time_s"] >= m["build_time_s"] >= 0
    assert set(result.outcomes.year) == {2020, 2021, 2022}
    # A micro sample comes back with the run and changes no outcome.
    sampled = run(sc, micro=0.1)
    pd.testing.assert_frame_equal(sampled.outcomes, result.outcomes)
    assert sampled.persons is not None and len(sampled.persons) > 0
