"""How much common random numbers help: paired vs independent differences between two scenarios.

`urbsim bench --crn` (or `python -m experiments.crn`) runs the reform and the pre-reform rules with
the same seeds and reports, for city outcomes in one year:

- the correlation over seeds of the two scenarios' values with the same seed;
- the standard deviation over seeds of the paired difference (reform_s - baseline_s), and the one
  the difference would have with independent seeds, sqrt(Var(reform) + Var(baseline)) over seeds
  (from all the runs, not from one arbitrary pairing of them, which with 8 seeds varies by a
  third from pairing to pairing);
- their ratio (the issue's target: paired at most 30% of independent), with a 90% bootstrap
  interval over seeds (an SD from 8 seeds is good to about a quarter), and the paired difference
  with its 90% interval;
- where the paired noise of the hukou rate comes from (`switched`): the persons, matched by draw
  key, who hold Tieling hukou in both runs of a seed and a town one in the reform's run only. The
  reform changes their chance of settling, so their draws must decide differently in the two
  runs: no common random numbers remove that noise. Its SD over seeds, as a share of the
  independent SD, is the floor of the rate's ratio (`floor_ratio`); beside it the SD the count
  would have if each switched household were an independent draw with a small chance
  (sqrt of the sum over seeds' households of the squared number switched), which says whether the
  switched decisions are that independent noise or something upstream (docs/sweeps.md, "What pairing buys").
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim import CITY_CODE, OUTSIDE, UrbanizationModel, load_scenario, paired_difference, with_overrides

ROOT = Path(__file__).resolve().parents[1]
REFORM = ROOT / "scenarios" / "tieling_reform_2020.yaml"
BASELINE = ROOT / "scenarios" / "baseline_pre_reform.yaml"
OUTCOMES = ("hukou_urbanization_rate", "residents", "resident_urbanization_rate", "hukou_holders")
BOOTSTRAP = 2000      # resamples of the seeds for the ratio's interval
LEVEL = 0.9


@dataclass
class CrnReport:
    table: pd.DataFrame        # one row per outcome
    values: pd.DataFrame       # seed x (scenario, outcome)
    switched: pd.DataFrame     # one row per seed: persons switched to town hukou by the reform alone
    scale: float
    year: int
    seeds: list[int]
    seconds: float


@dataclass
class Registered:
    """The Tieling hukou holders of a run's last year, by draw key: town hukou or not, household key."""
    key: np.ndarray
    town: np.ndarray
    household: np.ndarray

    @classmethod
    def of(cls, model) -> "Registered":
        p, h = model.pop.persons, model.pop.households
        alive = model.pop.alive()
        reg = alive[p.hk[alive] != OUTSIDE]
        return cls(p.key[reg], p.hk_urban[reg], h.key[p.hh[reg]])


def city_run(scenario, seed: int, scale: float, year: int) -> tuple[dict[str, float], Registered]:
    """The city's outcomes in `year` and its registered persons then."""
    model = UrbanizationModel(with_overrides(scenario, {"seed": seed, "scale": scale, "end_year": year}))
    model.run()
    o = model.recorder.table()
    o = o[(o.county == CITY_CODE) & (o.group == "all") & (o.year == year) & o.outcome.isin(OUTCOMES)]
    return dict(zip(o.outcome, o.value)), Registered.of(model)


def switched(reform: Registered, baseline: Registered) -> dict[str, float]:
    """Persons registered in Tieling in both runs (by key) who hold town hukou in one run only:
    `up` (the reform's) and `down` (the baseline's), the households of `up` in the reform's run,
    the sum of their squared counts (the variance of `up` were each household one independent draw
    with a small chance) and the reform's number of holders (the rate's denominator)."""
    common, r_at, b_at = np.intersect1d(reform.key, baseline.key, assume_unique=True, return_indices=True)
    r_town, b_town = reform.town[r_at], baseline.town[b_at]
    up = r_town & ~b_town
    _, per_household = np.unique(reform.household[r_at][up], return_counts=True)
    return {"up": int(up.sum()), "down": int((b_town & ~r_town).sum()), "households": len(per_household),
            "sum_squares": int((per_household.astype(np.int64) ** 2).sum()), "holders": len(reform.key)}


def ratio_interval(r: np.ndarray, b: np.ndarray, level: float = LEVEL, n: int = BOOTSTRAP) -> tuple[float, float]:
    """Percentile bootstrap interval of sd(r - b) / sqrt(var r + var b), resampling seeds (pairs)."""
    gen = np.random.default_rng(0)     # fixed: the same table for the same runs
    at = gen.integers(0, len(r), (n, len(r)))
    rr, bb = r[at], b[at]
    indep = np.sqrt(rr.var(axis=1, ddof=1) + bb.var(axis=1, ddof=1))
    ok = indep > 0
    ratios = (rr - bb).std(axis=1, ddof=1)[ok] / indep[ok]
    tail = (1 - level) / 2
    return float(np.quantile(ratios, tail)), float(np.quantile(ratios, 1 - tail))


def crn_report(scale: float = 0.05, seeds: int = 8, year: int = 2035, first_seed: int = 1,
               say=lambda line: None) -> CrnReport:
    """Run both scenarios with `seeds` seeds and compare paired with independent differences."""
    if seeds < 3:
        raise ValueError(f"seeds: expected at least 3, found {seeds}")
    reform, baseline = load_scenario(REFORM), load_scenario(BASELINE)
    seed_list = list(range(first_seed, first_seed + seeds))
    start = time.perf_counter()
    rows, flips = [], []
    for s in seed_list:
        (r_vals, r_reg), (b_vals, b_reg) = (city_run(sc, s, scale, year) for sc in (reform, baseline))
        for name, vals in (("reform", r_vals), ("baseline", b_vals)):
            rows += [(s, name, k, v) for k, v in vals.items()]
        flips.append({"seed": s, **switched(r_reg, b_reg)})
        say(f"seed {s} done ({time.perf_counter() - start:.0f} s)")
    values = pd.DataFrame(rows, columns=["seed", "scenario", "outcome", "value"]).pivot_table(
        index="seed", columns=["scenario", "outcome"], values="value")
    flips = pd.DataFrame(flips).set_index("seed")
    table = pd.DataFrame([_row(k, values[("reform", k)].to_numpy(), values[("baseline", k)].to_numpy())
                          for k in OUTCOMES])
    _add_floor(table, flips)
    return CrnReport(table, values, flips, scale, year, seed_list, time.perf_counter() - start)


def _row(outcome: str, r: np.ndarray, b: np.ndarray) -> dict:
    d = paired_difference(r, b)
    sd_p, sd_i = (r - b).std(ddof=1), np.sqrt(r.var(ddof=1) + b.var(ddof=1))
    low, high = ratio_interval(r, b)
    return {"outcome": outcome, "correlation": float(np.corrcoef(r, b)[0, 1]), "sd_paired": sd_p,
            "sd_independent": sd_i, "ratio": sd_p / sd_i if sd_i > 0 else np.nan, "ratio_low": low,
            "ratio_high": high, "difference": d.mean, "low": d.low, "high": d.high}


def _add_floor(table: pd.DataFrame, flips: pd.DataFrame) -> None:
    """The hukou rate's floor: the SD over seeds of the switched persons' share of the holders, as
    a share of the rate's independent SD; and the same from independent household draws."""
    rate = table.outcome == "hukou_urbanization_rate"
    sd_i = float(table.loc[rate, "sd_independent"].iloc[0])
    holders = flips.holders.mean()
    table["floor_ratio"] = np.nan
    table["floor_ratio_independent_draws"] = np.nan
    table.loc[rate, "floor_ratio"] = (flips.up / flips.holders).std(ddof=1) / sd_i
    table.loc[rate, "floor_ratio_independent_draws"] = np.sqrt(flips.sum_squares.mean()) / holders / sd_i


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--year", type=int, default=2035)
    a = ap.parse_args(argv)
    rep = crn_report(a.scale, a.seeds, a.year, say=print)
    print(rep.table.to_string(index=False))
    print(rep.switched.to_string())


if __name__ == "__main__":
    main()
