"""The model as an EMA Workbench model (optional extra: `pip install -e '.[ema]'`).

    from ema_workbench import perform_experiments
    from experiments.ema import ema_model

    model = ema_model("scenarios/tieling_reform_2020.yaml",
                      uncertainties=["behaviour.outside.return_rate", "behaviour.settling.beta_land_loss"],
                      levers=["policy.graduates.settlement", "policy.purchase.enabled"],
                      outcomes=["hukou_urbanization_rate", "residents"],
                      overrides={"scale": 0.01, "end_year": 2030})
    experiments, outcomes = perform_experiments(model, scenarios=16, policies=2)
    experiments["policy__graduates__settlement"]    # EMA's names: dots become "__"
    outcomes["hukou_urbanization_rate"]     # runs × years, city level; outcomes["TIME"] holds the years

Uncertainties are usually behavioural parameters (`sim.parameters_table()`) and levers
policy levers (`sim.levers_table()`), but any scenario path works as either. Each becomes
the EMA parameter of its kind, over the path's whole range unless a `(lo, hi)` pair or
a list of choices is given: float → RealParameter, int → IntegerParameter, bool →
BooleanParameter, option → CategoricalParameter (multi-option levers need explicit choices,
each a list). Outcomes are `TimeSeriesOutcome`s: one value per year from the base year to
the end year, for one county (default the city) and group (default "all"); a flow
that has no value in the base year (settlements, ...) is NaN there. EMA names must be
Python identifiers, so a path's parameter is named with `__` for its dots
(`policy__purchase__enabled`: the column in EMA's experiments table).

Every EMA experiment runs with the scenario's seed unless `seeds` is given: then the model
is a `ReplicatorModel` that runs each experiment once per seed (common random numbers
across experiments, as in `urbsim sweep`), and EMA returns runs × replications × years.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from sim import CITY_CODE, LEVERS, PARAMETERS, Scenario, load_scenario, run, with_overrides

Range = tuple[float, float] | Sequence[Any]


def _require_ema():
    try:
        import ema_workbench
    except ImportError:
        raise ImportError("the EMA Workbench adapter needs the optional extra: pip install -e '.[ema]' "
                          "(ema-workbench)") from None
    return ema_workbench


@dataclass(frozen=True)
class TielingFunction:
    """What EMA calls for one experiment: scenario paths as keyword arguments, outcomes as
    time series. A plain picklable object, so EMA's multiprocessing evaluator can ship it."""
    base: dict                      # Scenario.model_dump(mode="json")
    outcomes: tuple[str, ...]
    county: str = CITY_CODE
    group: str = "all"

    def __call__(self, **values: Any) -> dict[str, np.ndarray]:
        sc = with_overrides(Scenario.model_validate(self.base), values)
        table = run(sc).outcomes
        sel = table[(table.county == self.county) & (table.group == self.group)]
        years = np.arange(sc.base_year, sc.end_year + 1)
        out = {"TIME": years.astype(float)}
        for name in self.outcomes:
            series = sel[sel.outcome == name].set_index("year")["value"]
            out[name] = series.reindex(years).to_numpy(dtype=float)
        return out


def _info(path: str):
    for item in (*LEVERS, *PARAMETERS):
        if item.path == path:
            return item
    return None


def ema_name(path: str) -> str:
    """EMA (3.0) wants Python identifiers as names: "policy.purchase.enabled" -> "policy__purchase__enabled".
    The model function still receives the dotted path (EMA's `variable_name`)."""
    return path.replace(".", "__")


def ema_parameter(path: str, spec: Range | None = None):
    """The EMA parameter for a scenario path: its kind and range from the schema, or `spec`
    ((lo, hi) for numbers, a list of choices otherwise)."""
    ema = _require_ema()
    info = _info(path)
    kind = info.kind if info is not None else None
    named = {"name": ema_name(path), "variable_name": path}
    if spec is not None and kind not in ("int", "float"):
        return ema.CategoricalParameter(categories=list(spec), **named)
    if kind is None:
        raise ValueError(f"{path}: not a lever or behavioural parameter; give its choices or (lo, hi) range")
    lo, hi = spec if spec is not None else (info.lo, info.hi)
    if kind == "float":
        return ema.RealParameter(lower_bound=float(lo), upper_bound=float(hi), **named)
    if kind == "int":
        return ema.IntegerParameter(lower_bound=int(lo), upper_bound=int(hi), **named)
    if kind == "bool":
        return ema.BooleanParameter(**named)
    if kind == "choice":
        return ema.CategoricalParameter(categories=list(info.options), **named)
    raise ValueError(f"{path}: a multi-option lever; give its choices, e.g. {{'{path}': [[], {list(info.options)}]}}")


def _parameters(items: Iterable[str] | Mapping[str, Range | None]) -> list:
    pairs = items.items() if isinstance(items, Mapping) else ((p, None) for p in items)
    return [ema_parameter(path, spec) for path, spec in pairs]


def ema_model(scenario: str | Path | Scenario = "scenarios/tieling_reform_2020.yaml", *,
              uncertainties: Iterable[str] | Mapping[str, Range | None] = (),
              levers: Iterable[str] | Mapping[str, Range | None] = (),
              outcomes: Sequence[str] = ("hukou_urbanization_rate", "resident_urbanization_rate"),
              overrides: Mapping[str, Any] | None = None, county: str = CITY_CODE, group: str = "all",
              seeds: Sequence[int] | None = None, name: str = "tieling"):
    """An EMA Workbench `Model` (or `ReplicatorModel` with `seeds`) of a scenario. See the module doc."""
    ema = _require_ema()
    from sim import OUTCOMES

    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if overrides:
        base = with_overrides(base, dict(overrides))
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown:
        raise ValueError(f"unknown outcomes {unknown}; expected names of sim.OUTCOMES")
    function = TielingFunction(base.model_dump(mode="json"), tuple(outcomes), county, group)
    if seeds is not None:
        model = ema.ReplicatorModel(name, function=function)
        model.replications = [{"seed": int(s)} for s in seeds]
    else:
        model = ema.Model(name, function=function)
    model.uncertainties = _parameters(uncertainties)
    model.levers = _parameters(levers)
    model.outcomes = [ema.TimeSeriesOutcome(o) for o in ("TIME", *outcomes)]
    return model
