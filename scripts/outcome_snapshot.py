"""Identical outcomes before and after a change that should change no result.

    python scripts/outcome_snapshot.py save FOLDER      # run every library scenario, keep the tables
    python scripts/outcome_snapshot.py compare FOLDER   # run again, exit 1 naming what differs

Every scenario of scenarios/*.yaml is run at `--scale` (0.02) with `--seeds` (2) seeds, the
scenario's own seed and the next ones; each outcome table is kept as Parquet and compared
exactly (same rows, columns, dtypes and values, NaN equal to NaN). Used for refactors: a commit
that changes a result says which and why (docs/decisions.md).
"""
from __future__ import annotations

import argparse
import io
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]


def run_one(path: str, seed_offset: int, scale: float) -> tuple[str, pd.DataFrame]:
    os.environ["URBSIM_POPULATION_CACHE"] = "off"      # synthesis runs with the code as it is
    from sim import load_scenario, run, with_overrides

    sc = load_scenario(path)
    sc = with_overrides(sc, {"scale": scale, "seed": sc.seed + seed_offset})
    return f"{Path(path).stem}-{seed_offset}", run(sc).outcomes


def run_all(scale: float, seeds: int, workers: int) -> dict[str, pd.DataFrame]:
    jobs = [(str(p), k, scale) for p in sorted((ROOT / "scenarios").glob("*.yaml")) for k in range(seeds)]
    with ProcessPoolExecutor(workers) as pool:
        return dict(pool.map(run_one, *zip(*jobs)))


def differences(name: str, old: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    if list(old.columns) != list(new.columns):
        return [f"{name}: columns differ: {sorted(set(old.columns) ^ set(new.columns))}"]
    if len(old) != len(new):
        return [f"{name}: {len(old)} rows before, {len(new)} after"]
    try:
        pd.testing.assert_frame_equal(old.reset_index(drop=True), new.reset_index(drop=True), check_exact=True)
    except AssertionError as e:
        changed = [c for c in old.columns if not old[c].reset_index(drop=True).equals(new[c].reset_index(drop=True))]
        return [f"{name}: columns with other values: {', '.join(changed) or str(e).splitlines()[0]}"]
    return []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=("save", "compare"))
    ap.add_argument("folder", type=Path)
    ap.add_argument("--scale", type=float, default=0.02)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args(argv)
    tables = run_all(a.scale, a.seeds, a.workers)
    if a.action == "save":
        a.folder.mkdir(parents=True, exist_ok=True)
        for name, table in tables.items():
            table.to_parquet(a.folder / f"{name}.parquet")
        print(f"saved {len(tables)} outcome tables")
        return 0
    problems = []
    for name, table in tables.items():
        kept = a.folder / f"{name}.parquet"
        if not kept.exists():
            problems.append(f"{name}: not in {a.folder}")
            continue
        buf = io.BytesIO()              # the same Parquet round trip as the kept table
        table.to_parquet(buf)
        problems += differences(name, pd.read_parquet(kept), pd.read_parquet(buf))
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{len(tables) - len(problems)} of {len(tables)} outcome tables identical")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
