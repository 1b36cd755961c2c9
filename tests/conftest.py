"""Shared fixtures: small, short runs so `make test` stays within minutes on 2 cores."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from sim import Scenario, load_scenario, run, with_overrides

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

# Keep scratch files (browser profiles, Dask space, Hypothesis examples) in the system temporary folder.
os.environ.setdefault("URBSIM_TMP", tempfile.gettempdir())
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "urbsim-hypothesis"))
os.environ.setdefault("URBSIM_POPULATION_CACHE", os.path.join(tempfile.gettempdir(), "urbsim-test-populations"))
os.environ.setdefault("URBSIM_SAVED_DB", os.path.join(tempfile.gettempdir(), "urbsim-test-saved", "saved_scenarios.sqlite"))


def small(scenario: Scenario, **kw) -> Scenario:
    """A scenario shrunk for tests: scale 0.01 and 5 years unless told otherwise."""
    over = {"scale": kw.pop("scale", 0.01), "end_year": kw.pop("end_year", scenario.base_year + 5)}
    over.update(kw)
    return with_overrides(scenario, over)


@pytest.fixture(scope="session")
def reform() -> Scenario:
    return load_scenario(SCENARIOS / "tieling_reform_2020.yaml")


@pytest.fixture(scope="session")
def reform_small_result(reform):
    return run(small(reform))
