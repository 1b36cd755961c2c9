"""The registered population of 2020, estimated from the record and the model's own flows.

The 2020 census did not publish the registered (hukou) population, and our data hold none for
2020 (sim/data/README.md). How the estimate in `sim/data/register_2020.csv` is made:

1. The city total on the census date (2020-11-01): the least-squares line through the recorded
   year-end totals 2017-2019 (293.7万, 291.7万, 289万; sim.observed.register_points), carried
   on to 2020-11-01 (1 year and 10 months after the end of 2018, the series' middle).
2. Its split by county, and each county's town share: the 2010-start backtest
   (scenarios/backtest_2010.yaml, the calibrated parameters, which fit the register 2017-2019),
   run to the end of 2020 with several seeds; the mean per county, scaled so that the counties
   add up to the total of step 1 (the town shares are the model's, unscaled).

    python -m experiments.register --scale 0.1 --seeds 4      # prints the table and writes the file
"""
from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sim import CITY_CODE, COUNTIES, load_scenario, register_points, run, with_overrides, write_text_whole

CODES = tuple(c.code for c in COUNTIES)

CENSUS_T = 2019 + 10 / 12     # 2020-11-01 on the series' time axis, where year Y stands for its end
OUT = "register_2020.csv"


def record_total_at_census() -> tuple[float, str]:
    """The city's registered population on the census date, from the 2017-2019 line."""
    pts = register_points()
    city = pts[(pts.county == CITY_CODE) & (pts.outcome == "hukou_holders")]
    slope, intercept = np.polyfit(city.year.to_numpy(float), city.value.to_numpy(float), 1)
    value = float(intercept + slope * CENSUS_T)
    how = (f"least-squares line through the city's year-end totals {', '.join(f'{int(y)}' for y in city.year)} "
           f"({slope:+,.0f} a year), at 2020-11-01")
    return value, how


def backtest_2020(scale: float, seeds: list[int]) -> pd.DataFrame:
    """Per county: the backtest's mean registered population and town share at the end of 2020."""
    base = load_scenario("scenarios/backtest_2010.yaml")
    frames = []
    for seed in seeds:
        o = run(with_overrides(base, {"scale": scale, "seed": seed, "end_year": 2020})).outcomes
        o = o[(o.year == 2020) & (o.group == "all")]
        frames.append(o.pivot_table(index="county", columns="outcome", values="value")
                      [["hukou_holders", "urban_hukou_holders"]])
    mean = sum(frames[1:], frames[0]) / len(frames)
    return mean.loc[list(CODES)]


def estimate(scale: float = 0.1, seeds: list[int] | None = None) -> pd.DataFrame:
    seeds = seeds or [1, 2, 3, 4]
    total, how = record_total_at_census()
    model = backtest_2020(scale, seeds)
    factor = total / model.hukou_holders.sum()
    out = pd.DataFrame({
        "code": list(CODES),
        "hukou_holders": (model.hukou_holders * factor).round().astype(int).to_numpy(),
        "urban_hukou_share": (model.urban_hukou_holders / model.hukou_holders).round(4).to_numpy(),
    })
    out["source"] = (f"city total: {how} = {total:,.0f}; split by county and town shares: the 2010 backtest's "
                     f"end of 2020 (scale {scale:g}, seeds {','.join(map(str, seeds))}, mean), counties scaled by "
                     f"{factor:.4f} to the total; experiments/register.py")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--seeds", type=int, default=4)
    ap.add_argument("--dry-run", action="store_true", help="print the table; write nothing")
    args = ap.parse_args(argv)
    table = estimate(args.scale, list(range(1, args.seeds + 1)))
    print(table.drop(columns="source").to_string(index=False))
    print(f"total {table.hukou_holders.sum():,}")
    if not args.dry_run:
        path = Path(str(resources.files("sim") / "data" / OUT))
        write_text_whole(path, table.to_csv(index=False))
        print(f"wrote {path.name}")


if __name__ == "__main__":
    main()
