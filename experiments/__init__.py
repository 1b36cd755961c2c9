"""Sweeps, sensitivity analysis, calibration and validation: clients of `sim`'s public API.

Three separate steps (design, execution, analysis), each usable from a script or notebook:

    from experiments import load_sweep, plan_sweep, run_sweep, analyze
    spec = load_sweep("experiments/specs/smoke.yaml")   # validate the spec
    plan = plan_sweep(spec)                              # design rows × replicates -> runs
    report = run_sweep(spec, "sweeps/smoke", workers=2)  # or scheduler="tcp://host:8786"; resume=True
    result = analyze("sweeps/smoke")                      # tables, indices, plots in sweeps/smoke/analysis/
    result.top("hukou_urbanization_rate", 2030)

See docs/sweeps.md. This package never imports `dashboard`.
"""
from .analysis import Analysis, analyze, compute_indices, load_results, top_factors
from .design import Plan, RunTask, design_size, model_fingerprint, plan_sweep, replicate_seeds, scenario_of
from .execute import Keep, SweepReport, execute_run, open_executor, run_sweep, sweep_status
from .factors import Factor
from .spec import SweepError, SweepSpec
from .spec_file import load_sweep, parse_sweep, spec_yaml
from .store import RunStore

__all__ = [
    "Analysis", "Factor", "Keep", "Plan", "RunStore", "RunTask", "SweepError", "SweepReport", "SweepSpec",
    "analyze", "compute_indices", "design_size", "execute_run", "load_results", "load_sweep", "model_fingerprint",
    "open_executor", "parse_sweep", "plan_sweep", "replicate_seeds", "run_sweep", "scenario_of", "spec_yaml",
    "sweep_status", "top_factors",
]
