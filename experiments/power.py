"""How many replicates and what scale a difference between scenarios needs, from measured noise.

    python -m experiments.power                 # or: urbsim bench --power (a few minutes)
    python -m experiments.power --seeds 8 --scales 0.01,0.05,0.1 --year 2035
    python -m experiments.power --docs-only     # rewrite docs/sweeps.md's block from the stored table

Runs each comparison of `COMPARISONS` (the reform against the rules before it, and two levers
against the reform) with the same `seeds` seeds in both scenarios (common random numbers) at each
scale, and measures, for the headline outcomes of `year`, the standard deviation over seeds of the
paired difference. From it, with Student's t (90%, as `urbsim compare` prints):

- the half-width of the 90% interval of a difference with 5 and with 10 replicates, t * SD / sqrt(R);
- the replicates needed for a difference of the size in `SIZES` to be told from noise: the
  smallest R (at least 2) whose half-width is below that size.

Writes `docs/tables/power.csv` (whole or not at all) and the table between
`<!-- begin generated: power -->` and `<!-- end generated: power -->` in docs/sweeps.md;
tests/test_docs.py checks that the block shows what the file holds. The dashboard's help next
to the replicates reads the same file (dashboard/i18n/power.py).
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TABLE = ROOT / "docs" / "tables" / "power.csv"
DOC = ROOT / "docs" / "sweeps.md"
BLOCK = "power"
REFORM = "scenarios/tieling_reform_2020.yaml"
BASELINE = "scenarios/baseline_pre_reform.yaml"
# name: (label, (scenario file, overrides) of the scenario, and of the one it is compared with)
COMPARISONS: dict[str, tuple[str, tuple[str, dict], tuple[str, dict]]] = {
    "reform": ("reform − rules before it", (REFORM, {}), (BASELINE, {})),
    "purchase_closed": ("purchase pathway closed − reform", (REFORM, {"policy.purchase.enabled": False}), (REFORM, {})),
    "graduates_closed": ("graduate settlement closed − reform",
                         (REFORM, {"policy.graduates.settlement": "closed"}), (REFORM, {})),
}
# The headline outcomes (city, all groups) and the difference each row asks about.
SIZES = {"residents": 2000.0, "hukou_holders": 2000.0,
         "hukou_urbanization_rate": 0.001, "resident_urbanization_rate": 0.001}
REPLICATES_SHOWN = (5, 10)
MAX_REPLICATES = 500
COLUMNS = ["comparison", "outcome", "scale", "year", "seeds", "mean_difference", "sd_paired",
           "half_width_5", "half_width_10", "size", "replicates_needed"]


def half_width(sd: float, replicates: int, level: float = 0.90) -> float:
    """Half-width of the Student-t interval of a mean of `replicates` paired differences."""
    from scipy import stats
    return float(stats.t.ppf(0.5 + level / 2, replicates - 1) * sd / math.sqrt(replicates))


def replicates_needed(sd: float, size: float, most: int = MAX_REPLICATES) -> int | None:
    """The fewest replicates (at least 2) whose 90% half-width is below `size` (None: more than `most`)."""
    for r in range(2, most + 1):
        if half_width(sd, r) < size:
            return r
    return None


def city_values(path: str, overrides: dict, seed: int, scale: float, year: int) -> dict[str, float]:
    from sim import CITY_CODE, load_scenario, run, with_overrides
    sc = with_overrides(load_scenario(ROOT / path), {**overrides, "seed": seed, "scale": scale, "end_year": year})
    o = run(sc).outcomes
    o = o[(o.county == CITY_CODE) & (o.group == "all") & (o.year == year) & o.outcome.isin(list(SIZES))]
    return dict(zip(o.outcome, o.value))


def measure(scales=(0.01, 0.05, 0.1), seeds: int = 8, year: int = 2035, first_seed: int = 1,
            say: Callable[[str], None] = lambda line: None) -> pd.DataFrame:
    """The power table (COLUMNS): each comparison at each scale with `seeds` paired seeds."""
    if seeds < 3:
        raise ValueError(f"seeds: expected at least 3, found {seeds}")
    rows = []
    for scale in scales:
        cache: dict[tuple, dict[str, float]] = {}       # scenarios shared by comparisons run once
        for name, (_, a, b) in COMPARISONS.items():
            diffs = {k: [] for k in SIZES}
            for seed in range(first_seed, first_seed + seeds):
                values = []
                for path, over in (a, b):
                    key = (path, tuple(sorted(over.items())), seed)
                    if key not in cache:
                        cache[key] = city_values(path, over, seed, scale, year)
                    values.append(cache[key])
                for k in SIZES:
                    diffs[k].append(values[0][k] - values[1][k])
            say(f"scale {scale:g}: {name} done")
            for k, size in SIZES.items():
                d = np.array(diffs[k])
                sd = float(d.std(ddof=1))
                rows.append({"comparison": name, "outcome": k, "scale": scale, "year": year, "seeds": seeds,
                             "mean_difference": float(d.mean()), "sd_paired": sd,
                             "half_width_5": half_width(sd, 5), "half_width_10": half_width(sd, 10),
                             "size": size, "replicates_needed": replicates_needed(sd, size)})
    return pd.DataFrame(rows, columns=COLUMNS)


# --- the table in the docs -------------------------------------------------------------

def _amount(outcome: str, value: float) -> str:
    """A difference as the docs show it: persons to the nearest 10, rates in percentage points."""
    if outcome.endswith("_rate"):
        return f"{value * 100:.2f} pp"
    return f"{round(value, -1):,.0f}".replace(",", " ")


def markdown(table: pd.DataFrame) -> list[str]:
    """The power table as markdown rows: one row per comparison and outcome, per scale the seed SD
    of the paired difference and the replicates a difference of the stated size needs."""
    from sim import OUTCOMES
    scales = sorted(table.scale.unique())
    head = ["comparison", "outcome", "difference to tell"]
    for s in scales:
        head += [f"SD at {s:g}", f"replicates at {s:g}"]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, (label, _, _) in COMPARISONS.items():
        for outcome in SIZES:
            part = table[(table.comparison == name) & (table.outcome == outcome)].set_index("scale")
            if part.empty:
                continue
            cells = [label, OUTCOMES[outcome].en if outcome in OUTCOMES else outcome,
                     _amount(outcome, float(part.iloc[0]["size"]))]
            for s in scales:
                r = part.loc[s]
                n = r["replicates_needed"]
                cells += [_amount(outcome, float(r["sd_paired"])),
                          f"> {MAX_REPLICATES}" if pd.isna(n) else str(int(n))]
            rows.append("| " + " | ".join(cells) + " |")
    seeds, year = int(table.seeds.iloc[0]), int(table.year.iloc[0])
    rows += ["", f"Measured {year}, city level, {seeds} paired seeds per scale (`python -m experiments.power`). "
             "SD: standard deviation over seeds of the paired difference; replicates: the fewest paired "
             "replicates whose 90% interval is narrower than ± the difference to tell."]
    return rows


def load(path: Path = TABLE) -> pd.DataFrame:
    return pd.read_csv(path)


def write(table: pd.DataFrame, path: Path = TABLE, doc: Path = DOC) -> None:
    """The table file (written whole) and the docs block rendered from it."""
    from sim import regenerate, write_text_whole
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_whole(path, table.to_csv(index=False, float_format="%.6g"))
    write_text_whole(doc, regenerate(doc.read_text(encoding="utf-8"), {BLOCK: lambda: markdown(load(path))}))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--scales", default="0.01,0.05,0.1")
    ap.add_argument("--year", type=int, default=2035)
    ap.add_argument("--docs-only", action="store_true", help="rewrite docs/sweeps.md's block from the stored table")
    a = ap.parse_args(argv)
    if a.docs_only:
        write(load())
    else:
        scales = tuple(float(s) for s in a.scales.split(","))
        write(measure(scales, a.seeds, a.year, say=print))
    print("\n".join(markdown(load())))


if __name__ == "__main__":
    main()
