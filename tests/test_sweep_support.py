"""Helpers shared by the sweep tests (no tests here): tiny specs written into a temporary folder."""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
REFORM = ROOT / "scenarios" / "tieling_reform_2020.yaml"


def spec_dict(**fields) -> dict:
    """A small valid spec: a 3 × 2 grid, 2 replicates, scale 0.005, 2020-2022."""
    spec = {
        "name": "t",
        "base": str(REFORM),
        "scale": 0.005,
        "end_year": 2022,
        "seed": 11,
        "replicates": 2,
        "design": {"method": "grid", "levels": 2},
        "factors": {
            "policy.graduates.settlement": {},
            "policy.publicity.reach_per_year": {"lo": 0.1, "hi": 0.6},
        },
        "outcomes": ["hukou_urbanization_rate", "residents", "settlements"],
        "years": [2021, 2022],
    }
    spec.update(fields)
    return spec


def write_spec(folder: Path, name: str = "spec.yaml", **fields) -> Path:
    path = Path(folder) / name
    path.write_text(yaml.safe_dump(spec_dict(**fields), sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
