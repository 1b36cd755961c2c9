"""The EMA Workbench adapter (optional extra `[ema]`): parameters of the right kind and range,
experiments that equal direct runs, replications by seed."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench", reason="the optional extra [ema] is not installed")

import sim  # noqa: E402
from experiments.ema import ema_model, ema_parameter  # noqa: E402

from .test_sweep_support import REFORM  # noqa: E402

SMALL = {"scale": 0.005, "end_year": 2022}


def test_paths_become_ema_parameters_of_their_kind_and_range():
    p = ema_parameter("behaviour.outside.out_rate_peak")
    assert p.name == "behaviour__outside__out_rate_peak" and p.variable_name == ["behaviour.outside.out_rate_peak"]
    info = next(i for i in sim.PARAMETERS if i.path == "behaviour.outside.out_rate_peak")
    assert isinstance(p, ema.RealParameter) and (p.lower_bound, p.upper_bound) == (info.lo, info.hi)
    assert isinstance(ema_parameter("policy.settlement.residence_years_required", (0, 3)), ema.IntegerParameter)
    assert isinstance(ema_parameter("policy.purchase.enabled"), ema.BooleanParameter)
    cat = ema_parameter("policy.graduates.settlement")
    assert isinstance(cat, ema.CategoricalParameter)
    assert [c.value for c in cat.categories] == ["unrestricted", "conditional", "closed"]
    with pytest.raises(ValueError, match="multi-option lever; give its choices"):
        ema_parameter("policy.purchase.dependents")
    with pytest.raises(ValueError, match="unknown outcomes"):
        ema_model(REFORM, outcomes=["hukou_rate"])


def test_experiments_run_the_model_and_equal_direct_runs():
    model = ema_model(REFORM, uncertainties={"behaviour.outside.out_rate_peak": (0.03, 0.09)},
                      levers=["policy.purchase.enabled"], outcomes=["hukou_urbanization_rate", "settlements"],
                      overrides=SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        experiments, outcomes = ema.perform_experiments(model, scenarios=2, policies=2)
    assert len(experiments) == 4
    assert outcomes["hukou_urbanization_rate"].shape == (4, 3)            # experiments × years 2020-2022
    assert list(outcomes["TIME"][0]) == [2020, 2021, 2022]
    row = experiments.iloc[3]
    direct = sim.run(sim.with_overrides(sim.load_scenario(REFORM), {
        **SMALL, "behaviour.outside.out_rate_peak": float(row["behaviour__outside__out_rate_peak"]),
        "policy.purchase.enabled": bool(row["policy__purchase__enabled"])})).outcomes
    city = direct[(direct.county == sim.CITY_CODE) & (direct.group == "all") & (direct.outcome == "settlements")]
    assert np.isnan(outcomes["settlements"][3][0])                      # a flow: nothing in the base year
    np.testing.assert_allclose(outcomes["settlements"][3][1:], city.sort_values("year")["value"].to_numpy())
    assert len({tuple(x) for x in outcomes["hukou_urbanization_rate"][:, 1:]}) == 4     # inputs reach the model


def test_seeds_make_a_replicator_model():
    model = ema_model(REFORM, uncertainties=["behaviour.settling.beta_land_loss"], outcomes=["settlements"],
                      overrides=SMALL, seeds=[1, 2])
    assert isinstance(model, ema.ReplicatorModel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, outcomes = ema.perform_experiments(model, scenarios=2)
    assert outcomes["settlements"].shape == (2, 2, 3)                     # experiments × seeds × years
    assert not np.array_equal(outcomes["settlements"][0, 0], outcomes["settlements"][0, 1])
