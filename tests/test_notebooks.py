"""The example notebooks run from top to bottom (at a small scale: the parameters cell is replaced)."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# Notebook -> the parameters cell's replacement (small and short, so the suite stays fast).
SMALL = {
    "micro_panel.ipynb": "SCALE = 0.005\nEND_YEAR = 2023\nSEEDS = [1, 2]\nPANEL_SAMPLE = 0.5",
    "sweep_sobol.ipynb": "SCALE = 0.005\nEND_YEAR = 2022\nN = 4\nREPLICATES = 2\nWORKERS = 0",
}
# Notebook -> phrases its printed output must contain (it got to its last steps).
PRINTS = {
    "micro_panel.ipynb": ("90% interval", "person-years of"),
    "sweep_sobol.ipynb": ("20 design rows × 2 replicates", "90% interval", "seeds' share of the variance of"),
}

pytestmark = pytest.mark.xdist_group("notebooks")


def test_every_notebook_is_run_here():
    assert {p.name for p in EXAMPLES.glob("*.ipynb")} == set(SMALL)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_notebook_runs(name, tmp_path):
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    params = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# Parameters"))
    params.source = "# Parameters\n" + SMALL[name]
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream")
    assert all(phrase in printed for phrase in PRINTS[name]), printed
