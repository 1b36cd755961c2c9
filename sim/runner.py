"""`run(scenario) -> RunResult`: one simulation from a scenario, with its manifest."""
from __future__ import annotations

import json
import platform
import subprocess
import time
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from .files import check_output_folder, folder_replaced_whole
from .panel import HOUSEHOLD_FILE, PERSON_FILE, Panel
from .scenario import Scenario, load_scenario

PACKAGES = ("mesa", "numpy", "pandas", "pyarrow", "pydantic")


@dataclass
class RunResult:
    """Tidy outcomes (year, county, group, outcome, value) and the manifest of the run; with
    `run(..., micro=F)`, the person and household panels (one row per agent-year, sim/panel.py)."""
    outcomes: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    persons: pd.DataFrame | None = None
    households: pd.DataFrame | None = None

    @property
    def scenario(self) -> Scenario:
        return Scenario.model_validate(self.manifest["scenario"])

    def save(self, out_dir: str | Path, overwrite: bool = False) -> Path:
        """Write outcomes.parquet, outcomes.csv and manifest.json (and persons.parquet and
        households.parquet when the run has panels) into out_dir, all or nothing: into a hidden
        partial folder beside it, renamed into place at the end (sim.files.folder_replaced_whole).
        A folder holding a previous run's output is replaced only with `overwrite`; one holding other
        files never (OutputError)."""
        check_output_folder(out_dir, overwrite)
        with folder_replaced_whole(out_dir) as tmp:
            self.write(tmp)
        return Path(out_dir)

    def write(self, folder: Path) -> None:
        """Write the files into an existing folder (`save` makes it all or nothing)."""
        self.outcomes.to_parquet(folder / "outcomes.parquet", index=False)
        self.outcomes.to_csv(folder / "outcomes.csv", index=False)
        for name, frame in ((PERSON_FILE, self.persons), (HOUSEHOLD_FILE, self.households)):
            if frame is not None:
                frame.to_parquet(folder / name, index=False)
        (folder / "manifest.json").write_text(json.dumps(self.manifest, indent=2, ensure_ascii=False),
                                              encoding="utf-8")

    @classmethod
    def load(cls, out_dir: str | Path) -> "RunResult":
        """A saved run; its panels are read too when the folder has them."""
        out = Path(out_dir)
        panels = [pd.read_parquet(out / name) if (out / name).exists() else None
                  for name in (PERSON_FILE, HOUSEHOLD_FILE)]
        return cls(pd.read_parquet(out / "outcomes.parquet"),
                   json.loads((out / "manifest.json").read_text(encoding="utf-8")), *panels)


@lru_cache(maxsize=1)
def code_version() -> str:
    """The git commit of the code, or the package version outside a checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        if out.returncode == 0:
            dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                                   capture_output=True, text=True, timeout=5).stdout.strip()
            return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return "tieling-urbsim " + metadata.version("tieling-urbsim")


def _versions() -> dict[str, str]:
    v = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            v[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            v[name] = "missing"
    return v


def run(scenario: Scenario | str | Path, progress: Callable[[int, int], None] | None = None, *,
        micro: float | Panel | None = None, ensemble: int | None = None, replicates: int = 2):
    """Run a scenario (or a scenario file) from its base year to its end year.

    `progress(done_years, total_years)` is called after each year, if given. `micro`: a sample
    fraction (0-1] of persons and households (by stable id) whose year-by-year panels come back
    in `result.persons` and `result.households`, or a `sim.panel.Panel` (e.g. one writing them
    to Parquet files as the run goes). Sampling changes no outcome.

    `ensemble=K`: run over K members of the parameter ensemble (sim/ensemble.py), `replicates`
    seeds each, and return a `sim.ensemble.EnsembleResult` (bands, variance shares); `progress`
    then counts runs. Without it (the default) nothing here changes: one run, a RunResult.
    """
    if ensemble is not None:
        if micro is not None:
            raise ValueError("run: micro panels are for one run, not an ensemble; found both micro and ensemble")
        from .ensemble import run_ensemble
        return run_ensemble(scenario, ensemble, replicates=replicates, progress=progress)
    from .model import UrbanizationModel   # imported late: keeps `import sim` light

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    panel = Panel(micro) if isinstance(micro, (int, float)) else micro
    start = time.perf_counter()
    model = UrbanizationModel(scenario)
    built = time.perf_counter()
    total = scenario.end_year - scenario.base_year
    try:
        if panel is not None:
            panel.observe(model)
        while model.year < scenario.end_year:
            model.step()
            if panel is not None:
                panel.observe(model)
            if progress is not None:
                progress(model.year - scenario.base_year, total)
    except BaseException:
        if panel is not None:
            panel.abort()
        raise
    end = time.perf_counter()
    manifest = {
        "scenario": scenario.model_dump(mode="json"),
        "seed": scenario.seed,
        "code_version": code_version(),
        "packages": _versions(),
        "wall_time_s": round(end - start, 3),
        "build_time_s": round(built - start, 3),
        "persons_simulated": int(model.pop.persons.view("alive").sum()),
    }
    if panel is None:
        return RunResult(model.recorder.table(), manifest)
    panel.close()
    manifest["micro_sample"] = panel.sample
    in_memory = panel.folder is None
    return RunResult(model.recorder.table(), manifest, panel.persons if in_memory else None,
                     panel.households if in_memory else None)
