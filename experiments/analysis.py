"""Analysis of a stored sweep: the tidy results table, sensitivity indices and plots.

`analyze(DIR)` reads only the store (sweep.json, design.parquet, runs/), so it can
run long after the sweep, on another machine, and again with other settings. It
writes into DIR/analysis/:

    results.parquet, results.csv   one row per (design row, replicate, year, county, group, outcome)
    summary.parquet, summary.csv   replicate mean, sd, min and max by design row
    indices.parquet, indices.csv   sensitivity indices by outcome, year, county and group
    effects.parquet, effects.csv   main effect of each factor level with a 90% interval (effects.py)
    variance.parquet, variance.csv share of the variance due to the factors and to the seeds
    failures.csv                   runs that failed, with their error
    notes.md                       how factors were encoded and what could not be computed
    plots/*.png, plots/*.html      index bar charts and outcome-versus-factor scatters (plots=True)

Indices by design: `sobol` gives S1 and ST (and S2 with second order) with confidence
intervals (SALib `sobol.analyze`); `morris` gives mu, mu*, sigma and a confidence
interval of mu* (SALib `morris.analyze`, on the unit-cube sample); `lhs` and `grid`
give Spearman rank correlations with Fisher-z confidence intervals. Replicates of a
design row are averaged first (they share seeds across rows). Choice factors enter
as their integer level (0, 1, ...), listed in notes.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim import CITY_CODE

from .design import LEVEL_PREFIX, UNIT_PREFIX
from .effects import main_effects, variance_shares
from .store import RunStore, atomic_write

KEYS = ["outcome", "year", "county", "group"]
INDEX_COLUMNS = KEYS + ["method", "factor", "index", "value", "conf", "encoding"]
RANK_BY = {"sobol": "ST", "morris": "mu_star", "lhs": "spearman", "grid": "spearman"}


@dataclass
class Analysis:
    """The tables `analyze` computed, and the files it wrote."""
    out: Path
    method: str
    results: pd.DataFrame
    summary: pd.DataFrame
    indices: pd.DataFrame
    failures: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    effects: pd.DataFrame = field(default_factory=pd.DataFrame)    # main effects with 90% intervals
    variance: pd.DataFrame = field(default_factory=pd.DataFrame)   # variance shares: factors, seeds

    def top(self, outcome: str, year: int, county: str = CITY_CODE, group: str = "all", n: int = 3) -> pd.DataFrame:
        return top_factors(self.indices, outcome, year, county, group, n)


def top_factors(indices: pd.DataFrame, outcome: str, year: int, county: str = CITY_CODE, group: str = "all",
                n: int = 3) -> pd.DataFrame:
    """The n most influential factors for one outcome, by ST (Sobol'), mu* (Morris) or |Spearman rho|."""
    sel = indices[(indices.outcome == outcome) & (indices.year == year) & (indices.county == county)
                  & (indices.group == group)]
    if sel.empty:
        return sel
    rank = RANK_BY[sel.method.iloc[0]]
    sel = sel[sel["index"] == rank].copy()
    sel["_key"] = sel["value"].abs()
    return sel.sort_values("_key", ascending=False).drop(columns="_key").head(n).reset_index(drop=True)


# --- loading -----------------------------------------------------------------------

def load_results(out: str | Path) -> pd.DataFrame:
    """The tidy results of a stored sweep: design columns (row, replicate, seed, run_id,
    factor values, choice levels) joined with every stored run's outcomes."""
    store = RunStore(out)
    store.meta()
    design = store.design()
    keep = [c for c in design.columns if not c.startswith(UNIT_PREFIX)]
    results = store.results()
    tidy = design[keep].merge(results, on="run_id", how="inner")
    return tidy.sort_values(["row", "replicate", "outcome", "year", "county", "group"], kind="stable") \
        .reset_index(drop=True)


def _failures(store: RunStore, design: pd.DataFrame) -> pd.DataFrame:
    recs = store.failures()
    ids = set(design["run_id"])
    rows = [{"run_id": rid, "error": r.get("error", ""), "host": r.get("host"),
             "rows": ",".join(str(x) for x in sorted(set(design.loc[design.run_id == rid, "row"]))[:20])}
            for rid, r in recs.items() if rid in ids]
    return pd.DataFrame(rows, columns=["run_id", "error", "host", "rows"])


# --- indices -----------------------------------------------------------------------

def _row_means(tidy: pd.DataFrame, n_rows: int) -> pd.DataFrame:
    """Replicate mean of each design row, one column per (outcome, year, county, group)."""
    wide = tidy.pivot_table(index="row", columns=KEYS, values="value", aggfunc="mean", dropna=False)
    return wide.reindex(range(n_rows))


def _sobol(problem: dict, y: np.ndarray, second_order: bool, resamples: int, conf: float, seed: int) -> list[tuple]:
    from SALib.analyze import sobol

    si = sobol.analyze(problem, y, calc_second_order=second_order, num_resamples=resamples, conf_level=conf,
                       seed=seed)
    names = problem["names"]
    out = []
    for i, name in enumerate(names):
        out.append((name, "S1", si["S1"][i], si["S1_conf"][i]))
        out.append((name, "ST", si["ST"][i], si["ST_conf"][i]))
    if second_order:
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                out.append((f"{names[i]} × {names[j]}", "S2", si["S2"][i, j], si["S2_conf"][i, j]))
    return out


def _morris(problem: dict, x: np.ndarray, y: np.ndarray, levels: int, resamples: int, conf: float,
            seed: int) -> list[tuple]:
    from SALib.analyze import morris

    si = morris.analyze(problem, x, y, num_resamples=resamples, conf_level=conf, num_levels=levels, seed=seed)
    out = []
    for i, name in enumerate(problem["names"]):
        out.append((name, "mu", si["mu"][i], np.nan))
        out.append((name, "mu_star", si["mu_star"][i], si["mu_star_conf"][i]))
        out.append((name, "sigma", si["sigma"][i], np.nan))
    return out


def _spearman(xs: dict[str, np.ndarray], y: np.ndarray, conf: float) -> list[tuple]:
    from scipy import stats

    out = []
    z = stats.norm.ppf(0.5 + conf / 2)
    for name, x in xs.items():
        ok = ~(np.isnan(x) | np.isnan(y))
        n = int(ok.sum())
        if n < 4 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
            out.append((name, "spearman", np.nan, np.nan))
            continue
        rho = float(stats.spearmanr(x[ok], y[ok]).statistic)
        r = min(max(rho, -0.999999), 0.999999)
        step = z / math.sqrt(n - 3)   # Fisher z interval, mapped back and halved
        half = (math.tanh(math.atanh(r) + step) - math.tanh(math.atanh(r) - step)) / 2
        out.append((name, "spearman", rho, half))
    return out


def compute_indices(meta: dict, design: pd.DataFrame, tidy: pd.DataFrame, *, resamples: int = 1000,
                    conf: float = 0.95) -> tuple[pd.DataFrame, list[str]]:
    """Sensitivity indices for every (outcome, year, county, group) in the results, and notes."""
    spec = meta["spec"]
    method = spec["design"]["method"]
    factors = meta["factors"]
    names = [f["path"] for f in factors]
    encoding = {f["path"]: f["encoding"] for f in factors}
    n_rows = int(meta["n_rows"])
    first = design[design.replicate == 0].sort_values("row").set_index("row")
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    notes: list[str] = []
    records: list[dict] = []
    if tidy.empty:
        return pd.DataFrame(columns=INDEX_COLUMNS), ["no stored results: nothing to analyse"]
    wide = _row_means(tidy, n_rows)
    for key in wide.columns:
        y = wide[key].to_numpy(dtype=float)
        label = f"{key[0]} {key[1]} county {key[2]} group {key[3]}"
        missing = int(np.isnan(y).sum())
        if method in ("sobol", "morris") and missing:
            notes.append(f"{label}: {missing} of {n_rows} design rows have no value (failed runs or not recorded); "
                         f"{method} indices need every row: not computed")
            continue
        if np.nanstd(y) == 0:
            notes.append(f"{label}: the outcome does not vary across the design; indices not computed")
            continue
        if method == "sobol":
            rows = _sobol(problem, y, bool(spec["design"].get("second_order")), resamples, conf, spec["seed"])
        elif method == "morris":
            x = first[[UNIT_PREFIX + n for n in names]].to_numpy(dtype=float)
            rows = _morris(problem, x, y, int(spec["design"]["levels"]), resamples, conf, spec["seed"])
        else:
            xs = {}
            for f in factors:
                col = LEVEL_PREFIX + f["path"] if f["kind"] == "choice" else f["path"]
                xs[f["path"]] = first[col].to_numpy(dtype=float)
            rows = _spearman(xs, y, conf)
        for factor, index, value, ci in rows:
            records.append({"outcome": key[0], "year": int(key[1]), "county": key[2], "group": key[3],
                            "method": method, "factor": factor, "index": index, "value": float(value),
                            "conf": float(ci), "encoding": encoding.get(factor, "interaction")})
    return pd.DataFrame.from_records(records, columns=INDEX_COLUMNS), notes


def summarize(tidy: pd.DataFrame, factor_columns: list[str]) -> pd.DataFrame:
    """Replicate statistics by design row: n, mean, sd, min, max of each outcome."""
    if tidy.empty:
        return pd.DataFrame()
    by = ["row", *factor_columns, *KEYS]
    g = tidy.groupby(by, dropna=False, sort=True)["value"]
    out = g.agg(n="count", mean="mean", sd="std", min="min", max="max").reset_index()
    return out


# --- the whole step ------------------------------------------------------------------

def _write_table(df: pd.DataFrame, folder: Path, stem: str, csv: bool = True) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.parquet"]
    atomic_write(paths[0], lambda f: df.to_parquet(f, index=False))
    if csv:
        paths.append(folder / f"{stem}.csv")
        atomic_write(paths[1], lambda f: df.to_csv(f, index=False), mode="w")
    return paths


def analyze(out: str | Path, *, plots: bool = False, resamples: int = 1000, conf: float = 0.95) -> Analysis:
    """Analyse the sweep stored in `out` and write DIR/analysis/ (see the module doc). Raises SweepError."""
    store = RunStore(out)
    meta = store.meta()
    design = store.design()
    tidy = load_results(out)
    method = meta["spec"]["design"]["method"]
    factor_columns = [f["path"] for f in meta["factors"]]
    failures = _failures(store, design)
    indices, notes = compute_indices(meta, design, tidy, resamples=resamples, conf=conf)
    summary = summarize(tidy, factor_columns)
    effects, variance = main_effects(meta, tidy), variance_shares(meta, tidy)
    done = store.done()
    n_missing = len(set(design.run_id) - done - set(failures.run_id))
    head = [f"sweep {meta['name']}: {meta['n_runs']} runs ({meta['n_rows']} design rows × {meta['replicates']} "
            f"replicates), {len(set(design.run_id) & done)} stored, {len(failures)} failed, {n_missing} not run",
            f"design: {method}; model code {meta['code_version']} (git {meta.get('git_version', '?')})"]
    for f in meta["factors"]:
        head.append(f"factor {f['path']}: {f['encoding']}")
    notes = head + notes
    folder = store.analysis_dir
    files: list[Path] = []
    files += _write_table(tidy, folder, "results")
    files += _write_table(summary, folder, "summary")
    files += _write_table(indices, folder, "indices")
    files += _write_table(effects, folder, "effects")
    files += _write_table(variance, folder, "variance")
    fpath = folder / "failures.csv"
    atomic_write(fpath, lambda f: failures.to_csv(f, index=False), mode="w")
    files.append(fpath)
    npath = folder / "notes.md"
    atomic_write(npath, lambda f: f.write("# Sweep analysis notes\n\n" + "".join(f"- {n}\n" for n in notes)),
                 mode="w")
    files.append(npath)
    if plots and not tidy.empty:
        from .plots import write_plots
        files += write_plots(folder / "plots", meta, tidy, indices)
    return Analysis(store.root, method, tidy, summary, indices, failures, notes, files, effects, variance)

