"""Plots of a sweep analysis: index bar charts and outcome-versus-factor scatters,
each as a PNG (matplotlib) and an interactive HTML page (plotly).

Plots are drawn for the city (211200) and group `all` when the store holds them
(otherwise the first county and group stored), one pair per outcome and year.
The HTML pages share one `plotly.min.js` written beside them, so they open offline.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from sim import CITY_CODE, OUTCOMES

from .design import LEVEL_PREFIX
from .store import atomic_write

TITLES = {"S1": "first order S1", "ST": "total ST", "S2": "second order S2", "mu_star": "mu*", "mu": "mu",
          "sigma": "sigma", "spearman": "Spearman rho"}
METHODS = {"sobol": "Sobol'", "morris": "Morris", "lhs": "Spearman (LHS)", "grid": "Spearman (grid)"}
SHOWN = {"sobol": ["S1", "ST"], "morris": ["mu_star", "sigma"], "lhs": ["spearman"], "grid": ["spearman"]}


def _pick(values: pd.Series, preferred: str) -> str:
    vals = list(dict.fromkeys(values))
    return preferred if preferred in vals else vals[0]


def _label(outcome: str) -> str:
    info = OUTCOMES.get(outcome)
    return f"{info.en} ({info.unit})" if info else outcome


def _short(path: str) -> str:
    """policy.graduates.settlement -> graduates.settlement (axis labels)."""
    parts = path.split(".")
    return ".".join(parts[1:]) if len(parts) > 2 else path


# Fonts with Chinese (labels may hold 落户, the backtest's county names), first installed wins:
# Linux (fonts-noto-cjk, which .ci/run installs; WenQuanYi, AR PL), macOS, Windows. matplotlib's
# default (DejaVu Sans) has no Chinese and draws empty boxes; naming the fonts in
# `font.sans-serif` is not enough, matplotlib falls back glyph by glyph only along `font.family`.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei", "AR PL UMing CN",
             "PingFang SC", "Heiti SC", "Microsoft YaHei", "SimHei")


def font_families() -> list[str]:
    """matplotlib's `font.family` for our plots: DejaVu Sans, then the first installed CJK font
    for the glyphs DejaVu lacks (glyph-by-glyph fallback, matplotlib >= 3.6)."""
    from matplotlib import font_manager
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans"] + [f for f in CJK_FONTS if f in installed][:1]


def write_plots(folder: Path, meta: dict, tidy: pd.DataFrame, indices: pd.DataFrame) -> list[Path]:
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context({"font.family": font_families()}), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        warnings.filterwarnings("ignore", message="findfont")
        return _write_plots(folder, meta, tidy, indices)


def _write_plots(folder: Path, meta: dict, tidy: pd.DataFrame, indices: pd.DataFrame) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    county = _pick(tidy["county"], CITY_CODE)
    group = _pick(tidy["group"], "all")
    method = meta["spec"]["design"]["method"]
    files: list[Path] = []
    sel = tidy[(tidy.county == county) & (tidy.group == group)]
    for (outcome, year), part in sel.groupby(["outcome", "year"], sort=True):
        where = f"{outcome} {year}, county {county}, group {group}"
        ind = indices[(indices.outcome == outcome) & (indices.year == year) & (indices.county == county)
                      & (indices.group == group)]
        if not ind.empty:
            files += _index_plot(folder / f"indices_{outcome}_{year}", ind, method, where)
        files += _scatter_plot(folder / f"scatter_{outcome}_{year}", part, meta["factors"], _label(outcome), where)
    return files


def _index_plot(stem: Path, ind: pd.DataFrame, method: str, where: str) -> list[Path]:
    import matplotlib.pyplot as plt
    import plotly.graph_objects as go

    shown = [i for i in SHOWN[method] if i in set(ind["index"])]
    rank = {"sobol": "ST", "morris": "mu_star"}.get(method, shown[0])   # largest at the top
    order = (ind[ind["index"] == rank].assign(_k=lambda d: d["value"].abs())
             .sort_values("_k", ascending=True)["factor"].tolist())
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(order) + 1.6))
    height = 0.8 / len(shown)
    ys = np.arange(len(order))
    figly = go.Figure()
    for k, index in enumerate(shown):
        d = ind[ind["index"] == index].set_index("factor").reindex(order)
        err = d["conf"].to_numpy(dtype=float)
        ax.barh(ys + (k - (len(shown) - 1) / 2) * height, d["value"], height=height,
                xerr=None if np.all(np.isnan(err)) else np.nan_to_num(err), capsize=2, label=TITLES[index])
        figly.add_bar(y=[_short(f) for f in order], x=d["value"], orientation="h", name=TITLES[index],
                      error_x=dict(type="data", array=np.nan_to_num(err).tolist(), visible=not np.all(np.isnan(err))))
    ax.set_yticks(ys, [_short(f) for f in order])
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_title(f"{METHODS[method]} indices\n{where}", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    files = _save(fig, figly.update_layout(title=f"{METHODS[method]} indices: {where}", barmode="group",
                                           height=120 + 40 * len(order)), stem)
    plt.close(fig)
    return files


def _scatter_plot(stem: Path, part: pd.DataFrame, factors: list[dict], ylabel: str, where: str) -> list[Path]:
    import matplotlib.pyplot as plt
    from plotly.subplots import make_subplots

    k = len(factors)
    cols = min(k, 3)
    rows = math.ceil(k / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False)
    figly = make_subplots(rows=rows, cols=cols, subplot_titles=[_short(f["path"]) for f in factors])
    rng = np.random.default_rng(0)   # jitter of categorical points only
    y = part["value"].to_numpy(dtype=float)
    for i, f in enumerate(factors):
        ax = axes[i // cols][i % cols]
        if f["kind"] == "choice":
            x = part[LEVEL_PREFIX + f["path"]].to_numpy(dtype=float)
            xj = x + rng.uniform(-0.15, 0.15, size=len(x))
            labels = [str(c) if not isinstance(c, list) else "+".join(map(str, c)) or "none" for c in f["choices"]]
            ax.set_xticks(range(len(labels)), labels, rotation=20, fontsize=7)
        else:
            xj = part[f["path"]].to_numpy(dtype=float)
            labels = None
        ax.scatter(xj, y, s=8, alpha=0.5)
        ax.set_xlabel(_short(f["path"]), fontsize=8)
        if i % cols == 0:
            ax.set_ylabel(ylabel, fontsize=8)
        figly.add_scatter(x=xj, y=y, mode="markers", marker=dict(size=5, opacity=0.5), showlegend=False,
                          row=i // cols + 1, col=i % cols + 1)
        if labels is not None:
            figly.update_xaxes(tickvals=list(range(len(labels))), ticktext=labels, row=i // cols + 1, col=i % cols + 1)
    for j in range(k, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    fig.suptitle(where, fontsize=10)
    fig.tight_layout()
    figly.update_layout(title=f"{ylabel}: {where}", height=300 * rows)
    files = _save(fig, figly, stem)
    plt.close(fig)
    return files


def _save(fig, figly, stem: Path) -> list[Path]:
    png, html = stem.with_suffix(".png"), stem.with_suffix(".html")
    atomic_write(png, lambda f: fig.savefig(f, format="png", dpi=110))
    # include_plotlyjs="directory" references plotly.min.js beside the page (written once below).
    text = figly.to_html(include_plotlyjs="directory", full_html=True)
    atomic_write(html, lambda f: f.write(text), mode="w")
    js = stem.parent / "plotly.min.js"
    if not js.exists():
        from plotly.offline import get_plotlyjs
        atomic_write(js, lambda f: f.write(get_plotlyjs()), mode="w")
    return [png, html]
