"""Backtest: the 2010-base run against the 7th census (2020), by county, with its seed spread.

`backtest()` runs `scenarios/backtest_2010.yaml` to the end of 2020 with several seeds
(the calibrated defaults from `sim/data/calibration.json` apply, as in any scenario),
and `write_backtest()` writes into a folder:

    fit.csv           county x measure: census 2020 (and 2010), simulated mean, s.d., min, max,
                      error (relative for residents, household size, registered elsewhere;
                      a difference of shares otherwise), whether the measure is fitted or held out
    per_seed.csv      county x seed: every measure
    city_series.csv   city by year: residents, hukou holders, resident and hukou urbanization
                      rates and their gap (mean and s.d. over seeds)
    national.csv      China's resident and hukou urbanization rates (figures.csv), for context
    register.csv      the registered population between the censuses: the record (city 2017-2019,
                      Tieling County 2018-2019, town shares) next to the model's mean and s.d.
    summary.json      mean absolute errors across the 7 counties, scale, seeds, code version
    *.png             residents, urban share, age shares, household size, registered elsewhere,
                      the urbanization gap against China's

Files are written into a temporary folder beside the target and moved in at the end.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from sim import (CITY_CODE, COUNTIES, Scenario, ScenarioError, code_version, folder_written_whole, load_scenario,
                 with_overrides)

from .calibrate import DEFAULT_CACHE, DEFAULT_SCENARIO, FIT_YEAR, CalibrationError, Evaluator, RunCache, \
    fit_statistics, headline_errors, make_executor
from .calibration_data import CODES, FIT_MEASURES, LABELS, census_targets, code_fingerprint, register_table, \
    series_frame, summary_frame
from .plots import font_families

NAMES = {c.code: c.en for c in COUNTIES} | {CITY_CODE: "Tieling City"}
NAMES_ZH = {c.code: c.zh for c in COUNTIES} | {CITY_CODE: "铁岭市"}
FIT_COLUMNS = ("county", "name", "name_zh", "measure", "role", "census_2010", "census", "sim_mean", "sim_sd",
               "sim_min", "sim_max", "error", "error_kind")


@dataclass
class Backtest:
    scenario: Scenario
    seeds: list[int]
    fit: pd.DataFrame
    per_seed: pd.DataFrame
    city: pd.DataFrame
    national: pd.DataFrame
    errors: dict[str, float]
    wall_time_s: float
    register: pd.DataFrame | None = None


def national_series() -> pd.DataFrame:
    """China's resident and hukou urbanization rates 2010-2020 from figures.csv (percent).

    Resident: the annual bulletins 2011-2019 (as first published, before the revision that
    followed the 2020 census; one version throughout) and the two censuses (2010, 2020).
    Hukou: the NBS/MPS series (2015-2019, 2020 = 45.4); the 2014 MPS statement of 35.9% is
    on another basis (it does not meet 39.9% in 2015) and is left out."""
    path = resources.files("sim") / "data" / "figures.csv"
    with path.open("rb") as f:
        df = pd.read_csv(f)
    df = df[df["geography"] == "China"]
    ind = df["indicator"].astype(str)
    resident = df[(ind == "resident (常住人口) urbanization rate")
                  | ind.str.startswith("resident urbanization rate (6th census)")
                  | ind.str.startswith("resident (常住人口) urbanization rate (7th census")]
    hukou = df[ind.str.startswith("hukou (户籍人口) urbanization rate") & ~ind.str.contains("MPS statement")
               & ~ind.str.contains("qualitative")]
    rows = []
    for kind, part in (("resident", resident), ("hukou", hukou)):
        part = part[pd.to_numeric(part["value"], errors="coerce").notna()]
        part = part.assign(year=part["year"].astype(int), value=part["value"].astype(float))
        part = part[(part.year >= 2010) & (part.year <= 2020)]
        for year, g in part.groupby("year"):
            exact = g[~g.indicator.str.contains(r"\(", regex=True)]
            pick = (exact if len(exact) else g).iloc[0]
            rows.append({"year": year, "series": kind, "value_pct": pick.value,
                         "census": "th census" in pick.indicator, "indicator": pick.indicator,
                         "source": pick.source_url_or_repo_path})
    out = pd.DataFrame(rows).sort_values(["series", "year"]).reset_index(drop=True)
    return out


def backtest_scenario(path: Path | str = DEFAULT_SCENARIO, scale: float = 0.1) -> Scenario:
    try:
        return with_overrides(load_scenario(path), {"scale": scale, "end_year": FIT_YEAR})
    except ScenarioError as e:
        raise CalibrationError(e.problems) from None


def backtest(*, scale: float = 0.1, seeds: int = 5, scenario: Path | str = DEFAULT_SCENARIO, workers: int = 2,
             cache_dir: Path | str | None = DEFAULT_CACHE, seed: int = 2020,
             on_run: Callable[[bool], None] | None = None) -> Backtest:
    """Run the backtest with `seeds` replicate seeds and compare with the census."""
    from .design import replicate_seeds

    if seeds < 1:
        raise CalibrationError("--seeds must be at least 1")
    start = time.perf_counter()
    sc = backtest_scenario(scenario, scale)
    seed_list = replicate_seeds(seed, seeds)
    with make_executor(min(workers, seeds)) as ex:
        ev = Evaluator(sc, [], seed_list, RunCache(cache_dir, code_fingerprint()), ex, on_run)
        results = ev.evaluate([[]])[0]
    census, census10 = census_targets(FIT_YEAR), census_targets(2010)
    per_seed_frames = [summary_frame(r) for r in results]
    fitted = tuple(_calibration_provenance().get("targets") or FIT_MEASURES)
    fit = fit_statistics(per_seed_frames, census, fitted)
    fit.insert(1, "name", fit.county.map(NAMES))
    fit.insert(2, "name_zh", fit.county.map(NAMES_ZH))
    fit.insert(5, "census_2010", [census10.loc[c, m] for c, m in zip(fit.county, fit.measure)])
    per_seed = pd.concat([f.assign(seed=s).reset_index() for f, s in zip(per_seed_frames, seed_list)],
                         ignore_index=True)
    series = pd.concat([series_frame(r).assign(seed=s).reset_index() for r, s in zip(results, seed_list)])
    value_cols = [c for c in series.columns if c not in ("year", "seed")]
    city = series.groupby("year")[value_cols].agg(["mean", "std"])
    city.columns = [f"{a}_{b}" for a, b in city.columns]
    register = register_table([r["register"] for r in results])
    errors = headline_errors(fit)
    for outcome, g in register[register.role == "fit"].groupby("outcome"):
        errors[f"register_{outcome}"] = float(g.error.abs().mean())
    return Backtest(sc, seed_list, fit[list(FIT_COLUMNS)], per_seed, city.reset_index(), national_series(),
                    errors, time.perf_counter() - start, register)


# --- writing -----------------------------------------------------------------------

def write_backtest(bt: Backtest, out: Path | str, plots: bool = True) -> list[Path]:
    """Write the backtest's tables and plots into `out`, all or nothing."""
    out = Path(out)
    with folder_written_whole(out) as tmp:
        bt.fit.to_csv(tmp / "fit.csv", index=False)
        bt.per_seed.to_csv(tmp / "per_seed.csv", index=False)
        bt.city.to_csv(tmp / "city_series.csv", index=False)
        bt.national.to_csv(tmp / "national.csv", index=False)
        if bt.register is not None:
            bt.register.to_csv(tmp / "register.csv", index=False)
        summary = {"mean_abs_error": bt.errors, "scale": bt.scenario.scale, "seeds": bt.seeds,
                   "scenario": bt.scenario.name, "end_year": bt.scenario.end_year, "code_version": code_version(),
                   "calibration": _calibration_provenance(), "wall_time_s": round(bt.wall_time_s, 1)}
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
        if plots:
            plot_all(bt, tmp)
        names = sorted(f.name for f in tmp.iterdir())
    return [out / name for name in names]


def _calibration_provenance() -> dict:
    path = resources.files("sim") / "data" / "calibration.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    prov = data.get("provenance", {})
    return {"values": data.get("values", {}), "command": prov.get("command"), "date": prov.get("date"),
            "targets": prov.get("targets")}


# --- plots -------------------------------------------------------------------------

def _county_bars(ax, fit: pd.DataFrame, measure: str, scale: float = 1.0, fmt: str = "{:.0f}") -> None:
    d = fit[(fit.measure == measure) & fit.county.isin(CODES)].set_index("county").loc[list(CODES)]
    x = np.arange(len(d))
    w = 0.27
    ax.bar(x - w, d.census_2010 * scale, w, color="#c7d3e0", label="census 2010")
    ax.bar(x, d.census * scale, w, color="#4c72b0", label="census 2020")
    lo = (d.sim_mean - d.sim_min) * scale
    hi = (d.sim_max - d.sim_mean) * scale
    ax.bar(x + w, d.sim_mean * scale, w, color="#dd8452", label="simulated 2020 (mean; bar: seed min-max)",
           yerr=np.vstack([lo, hi]), capsize=2, ecolor="#333333")
    ax.set_xticks(x, [f"{NAMES[c].split(' ')[0]}\n{c}" for c in d.index], fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    for xi, (_, r) in zip(x, d.iterrows()):
        ax.annotate(("{:+.1%}" if r.error_kind == "relative" else "{:+.1f}pp").format(
            r.error * (1 if r.error_kind == "relative" else 100)),
            (xi + w, max(r.sim_max, r.census) * scale), ha="center", va="bottom", fontsize=7, color="#8c3b00")


def plot_all(bt: Backtest, out: Path) -> list[Path]:
    """The backtest's figures as PNG files in `out`: the county measures, the age shares, the
    urbanization gap and (with the record) the registered population. Returns the files."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tag = f"backtest 2010->2020, scale {bt.scenario.scale}, {len(bt.seeds)} seeds"
    files = []
    with plt.rc_context({"font.family": font_families()}):
        figures = [(_county_plot(plt, bt, measure, scale, unit, tag), name)
                   for measure, scale, unit, name in COUNTY_PLOTS]
        figures += [(_age_plot(plt, bt, tag), "age_shares.png"), (_gap_plot(plt, bt, tag), "urbanization_gap.png")]
        if bt.register is not None:
            figures.append((_register_plot(plt, bt, tag), "registered.png"))
        for fig, name in figures:
            fig.tight_layout()
            fig.savefig(out / name, dpi=110)
            plt.close(fig)
            files.append(out / name)
    return files


# The measures drawn by county: (measure, scale, unit, file).
COUNTY_PLOTS = (("residents", 1e-3, "thousand persons", "residents.png"),
                ("urban_share", 100, "% of residents", "urban_share.png"),
                ("household_size", 1, "persons per family household", "household_size.png"),
                ("registered_elsewhere", 1e-3, "thousand persons", "registered_elsewhere.png"))


def _county_plot(plt, bt: Backtest, measure: str, scale: float, unit: str, tag: str):
    fig, ax = plt.subplots(figsize=(9, 4.2))
    _county_bars(ax, bt.fit, measure, scale)
    ax.set_ylabel(unit)
    role = "fit target" if measure in ("residents", "urban_share") else "held out"
    ax.set_title(f"{LABELS[measure]} by county ({role}); {tag}", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
    if measure == "household_size":
        ax.set_ylim(1.5, None)
    return fig


def _age_plot(plt, bt: Backtest, tag: str):
    """The shares of the three age groups by county (held out)."""
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4), sharey=False)
    for ax, m in zip(axes, ("age_0_14", "age_15_64", "age_65_plus")):
        _county_bars(ax, bt.fit, m, 100)
        ax.set_title(f"{LABELS[m]} (held out)", fontsize=9)
        ax.set_ylabel("% of residents")
        lo = bt.fit[(bt.fit.measure == m)][["census_2010", "census", "sim_min"]].min().min() * 100
        ax.set_ylim(max(lo - 5, 0), None)
        ax.tick_params(axis="x", labelsize=6)
    axes[0].legend(fontsize=6, loc="lower left")
    fig.suptitle(tag, fontsize=9)
    return fig


def _gap_plot(plt, bt: Backtest, tag: str):
    """Tieling's simulated resident and hukou rates and their gap (±2 s.d.), against China's
    series, Tieling's censuses and the register's record."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    c = bt.city
    for col, label, color in (("resident_urbanization_rate", "Tieling resident rate (sim)", "#dd8452"),
                              ("hukou_urbanization_rate", "Tieling hukou rate (sim)", "#55a868"),
                              ("urbanization_gap", "Tieling gap (sim)", "#c44e52")):
        ax.plot(c.year, 100 * c[f"{col}_mean"], color=color, label=label, lw=2)
        ax.fill_between(c.year, 100 * (c[f"{col}_mean"] - 2 * c[f"{col}_std"].fillna(0)),
                        100 * (c[f"{col}_mean"] + 2 * c[f"{col}_std"].fillna(0)), color=color, alpha=0.2)
    _national_series(ax, bt.national.pivot_table(index="year", columns="series", values="value_pct"))
    census = census_targets(FIT_YEAR).loc[CITY_CODE, "urban_share"], census_targets(2010).loc[CITY_CODE, "urban_share"]
    ax.plot([2010, 2020], [100 * census[1], 100 * census[0]], "D", color="#4c72b0", label="Tieling census (resident)")
    if bt.register is not None:
        share = bt.register[(bt.register.outcome == "hukou_urbanization_rate") & (bt.register.county == CITY_CODE)]
        ax.plot(share.year, 100 * share.value, "*", color="#2ca02c", ms=12, label="Tieling hukou rate (record)")
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xlabel("year (end of year; census points 1 November)")
    ax.set_ylabel("%")
    ax.set_title(f"Resident vs hukou urbanization: Tieling (simulated, ±2 s.d.) and China; {tag}", fontsize=9)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return fig


def _national_series(ax, n) -> None:
    """China's resident and hukou rates and their gap, where the national table has them."""
    if "resident" in n:
        ax.plot(n.index, n["resident"], "o--", color="#8c8c8c", label="China resident rate", ms=4)
    if "hukou" in n:
        ax.plot(n.index, n["hukou"], "s--", color="#4c4c4c", label="China hukou rate", ms=4)
    if {"resident", "hukou"} <= set(n.columns):
        gap = (n["resident"] - n["hukou"]).dropna()
        ax.plot(gap.index, gap.values, "^:", color="black", label="China gap", ms=4)


def _register_plot(plt, bt: Backtest, tag: str):
    """The city's registered population: simulated (±2 s.d.) against the census and the record."""
    fig, ax = plt.subplots(figsize=(8, 4.5))
    c = bt.city
    mean, sd = c["hukou_holders_mean"] / 1e4, c["hukou_holders_std"].fillna(0) / 1e4
    ax.plot(c.year, mean, color="#55a868", lw=2, label="registered population (sim, ±2 s.d.)")
    ax.fill_between(c.year, mean - 2 * sd, mean + 2 * sd, color="#55a868", alpha=0.2)
    from sim import load_census
    ax.plot([2010], [load_census(2010).hukou.sum() / 1e4], "D", color="#4c72b0", label="census 2010 (户籍人口)")
    rec = bt.register[(bt.register.outcome == "hukou_holders") & (bt.register.county == CITY_CODE)]
    ax.plot(rec.year, rec.value / 1e4, "*", color="black", ms=12, label="record 2017-2019 (figures.csv)")
    ax.set_xlabel("year (end of year)")
    ax.set_ylabel("10k persons (万人)")
    ax.set_title(f"Registered (hukou) population of Tieling: model and record; {tag}", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig
