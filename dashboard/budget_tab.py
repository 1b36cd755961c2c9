"""The "budget" tab: people-linked spending and income per year, totals by item, the scorecard
with intervals over replicate seeds, the document's targets and why the compared scenarios
differ (`sim.scorecard`, `sim.explain`; docs/budget.md). Also the report's download buttons.
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, dcc, html, no_update

import sim
from sim import INCOME_ITEMS, SPENDING_ITEMS

from . import i18n
from .i18n.budget import TERMS, UNITS, term
from .data import RunSet

LEVEL = 0.9
YI = 1e8          # 亿元: budgets read in 100 million yuan
ITEM_COLOURS = ("#4c78a8", "#72b7b2", "#54a24b", "#eeca3b", "#f58518", "#e45756", "#b279a2", "#9d755d",
                "#bab0ac", "#ff9da6", "#79706e")


def runs_by_label(runsets: Sequence[RunSet]) -> dict[str, list[pd.DataFrame]]:
    """{label: [outcomes of replicate 0, 1, ...]}: replicate k has the same seed in every run set."""
    return {rs.label: [df.drop(columns=["replicate", "seed"], errors="ignore")
                       for _, df in sorted(rs.outcomes.groupby("replicate"), key=lambda kv: kv[0])]
            for rs in runsets}


def period(runsets: Sequence[RunSet]) -> tuple[int, int]:
    """The simulated years every compared run covers."""
    years = [(int(rs.outcomes.year.min()), int(rs.outcomes.year.max())) for rs in runsets]
    return max(b for b, _ in years) + 1, min(e for _, e in years)


def baseline_label(runsets: Sequence[RunSet], key: str | None) -> str:
    for rs in runsets:
        if rs.key == key:
            return rs.label
    return runsets[0].label


def fmt(value: float, unit: str) -> str:
    if pd.isna(value):
        return "–"
    if unit == "yuan":
        return f"{value / YI:,.2f}"
    return f"{value:,.0f}"


def cell(mean: float, low: float, high: float, unit: str) -> str:
    if pd.isna(low):
        return fmt(mean, unit)
    return f"{fmt(mean, unit)} [{fmt(low, unit)}, {fmt(high, unit)}]"


def measure_label(measure: str, unit: str, lang: str) -> str:
    name = measure.split(".", 1)[-1]
    prefix = ""
    if measure.startswith("spending."):
        prefix = i18n.t("spending", lang) + "：" if lang == "zh" else i18n.t("spending", lang) + ": "
    elif measure.startswith("income."):
        prefix = i18n.t("income", lang) + "：" if lang == "zh" else i18n.t("income", lang) + ": "
    u = UNITS.get(unit, (unit, unit))
    return f"{prefix}{term(name, lang)}（{u[0]}）" if lang == "zh" else f"{prefix}{term(name, lang)} ({u[1]})"


def scorecard_table(card: sim.Scorecard, lang: str) -> pd.DataFrame:
    """Rows: measures; columns: each scenario's mean [interval], and for the others the paired
    difference from the baseline."""
    t = card.totals
    out = {i18n.t("measure", lang): [measure_label(m, u, lang)
                                     for m, u in t[t.scenario == card.baseline][["measure", "unit"]].values]}
    for name in t.scenario.unique():
        part = t[t.scenario == name]
        out[name] = [cell(r.mean, r.low, r.high, r.unit) for r in part.itertuples()]
        if name != card.baseline:
            out[f"{name} {i18n.t('vs_baseline', lang)}"] = [cell(r.diff, r.diff_low, r.diff_high, r.unit)
                                                           for r in part.itertuples()]
    return pd.DataFrame(out)


def targets_table(card: sim.Scorecard, lang: str) -> pd.DataFrame:
    t = card.targets
    first = t[t.scenario == t.scenario.iloc[0]]
    out = {i18n.t("target", lang): list(first.zh if lang == "zh" else first.en),
           i18n.t("basis", lang): list(first.basis_zh if lang == "zh" else first.basis_en)}
    for name in t.scenario.unique():
        part = t[t.scenario == name]
        out[name] = [target_cell(r, lang) for r in part.itertuples()]
    return pd.DataFrame(out)


def target_cell(r, lang: str) -> str:
    share = f"{r.met_share:.0%}"
    if r.comparison in ("rising", "falling"):       # judged over the whole run: no first year
        return i18n.t("met_share", lang).format(share=share)
    if pd.isna(r.first_year):
        return i18n.t("met_never", lang).format(share=share)
    return i18n.t("met_cell", lang).format(share=share, year=int(r.first_year))


def explain_table(e: pd.DataFrame, a: str, b: str, lang: str) -> pd.DataFrame:
    unit = {"budget_spending": "yuan", "budget_income": "yuan"}
    rows = []
    for r in e.itertuples():
        u = unit.get(r.section, "persons")
        comp = i18n.option(r.component, lang) if r.component not in TERMS else term(r.component, lang)
        sec = measure_label(r.section, u, lang)
        rows.append((sec, comp, fmt(r.a, u), fmt(r.b, u), cell(r.diff, r.low, r.high, u)))
    return pd.DataFrame(rows, columns=[i18n.t("section", lang), i18n.t("component", lang), a, b,
                                       i18n.t("vs_baseline", lang)])


def fig_items(card: sim.Scorecard, lang: str, keys: dict[str, str] | None = None,
              difference: bool = False) -> go.Figure:
    """Stacked bars: each scenario's spending and income over the period, by item, with the
    interval of each total as an error bar; with `difference`, each other scenario's paired
    difference from the baseline instead."""
    t = card.totals
    names = [n for n in t.scenario.unique() if not (difference and n == card.baseline)]
    mean, low, high = ("diff", "diff_low", "diff_high") if difference else ("mean", "low", "high")
    keys = keys or {}
    fig = go.Figure()
    for side, items in (("spending", SPENDING_ITEMS), ("income", INCOME_ITEMS)):
        x = [names, [i18n.t(side, lang)] * len(names)]
        meta = [{"run": keys.get(n, n)} for n in names]
        for k, item in enumerate(items):
            values = [float(t[(t.scenario == n) & (t.measure == f"{side}.{item}")][mean].iloc[0]) / YI
                      for n in names]
            for n, v, m in zip(names, values, meta):     # one trace per run, so each names its run
                fig.add_bar(x=[[n], [i18n.t(side, lang)]], y=[v], name=term(item, lang), legendgroup=item,
                            showlegend=n == names[0], meta=m,
                            marker_color=ITEM_COLOURS[(k + (0 if side == "spending" else 7)) % len(ITEM_COLOURS)])
        tot = t[t.measure == f"budget_{side}"].set_index("scenario").loc[names]
        for i, n in enumerate(names):
            r = tot.loc[n]
            fig.add_scatter(x=[[n], [x[1][i]]], y=[r[mean] / YI], mode="markers", meta=meta[i],
                            marker=dict(size=1, color="rgba(0,0,0,0)"), showlegend=False, hoverinfo="skip",
                            error_y=dict(type="data", symmetric=False, array=[(r[high] - r[mean]) / YI],
                                         arrayminus=[(r[mean] - r[low]) / YI], color="#333"))
    fig.update_layout(barmode="relative", height=460, margin=dict(l=60, r=20, t=60, b=60),
                      title=i18n.t("fig_budget_items", lang).format(start=card.start, end=card.end),
                      yaxis_title=i18n.t("yi_yuan", lang), legend=dict(orientation="v"),
                      font=dict(family="Noto Sans CJK SC, Microsoft YaHei, sans-serif"))
    return fig


_COMPUTED: dict[tuple, tuple] = {}     # the results behind a run key never change: compute once


def compute(runsets: Sequence[RunSet], baseline_key: str | None):
    """(scorecard, explanation of the last run against the baseline or None, start, end)."""
    key = (tuple((rs.key, rs.label) for rs in runsets), baseline_key)
    if key not in _COMPUTED:
        if len(_COMPUTED) >= 16:
            _COMPUTED.pop(next(iter(_COMPUTED)))
        _COMPUTED[key] = _compute(runsets, baseline_key)
    return _COMPUTED[key]


def _compute(runsets: Sequence[RunSet], baseline_key: str | None):
    runs = runs_by_label(runsets)
    start, end = period(runsets)
    base = baseline_label(runsets, baseline_key)
    card = sim.scorecard(runs, baseline=base, start=start, end=end, level=LEVEL)
    others = [rs.label for rs in runsets if rs.label != base]
    e = sim.explain(runs[base], runs[others[-1]], start, end, level=LEVEL) if others else None
    return card, e, (others[-1] if others else None), start, end


def build(runsets: Sequence[RunSet], opts, time_panels) -> list:
    """The tab's blocks; `time_panels(items, title_key)` draws per-year lines with bands
    (dashboard.figures.fig_time_panels, passed in to avoid an import cycle)."""
    from .figures import Block
    lang = opts.lang
    card, e, other, start, end = compute(runsets, opts.baseline)
    n = int(card.totals.n.min())
    level = f"{LEVEL:.0%}"
    blocks = [
        Block("graph", "fig-budget-years", time_panels([[("budget_spending", "all")], [("budget_income", "all")]],
                                                        "fig_budget_years")),
        Block("graph", "fig-budget-items", fig_items(card, lang, {rs.label: rs.key for rs in runsets},
                                                     difference=opts.mode == "difference" and len(runsets) > 1)),
        Block("table", "scorecard-table", table=scorecard_table(card, lang),
              text=f"{i18n.t('scorecard', lang)} — "
                   + i18n.t("scorecard_note", lang).format(start=start, end=end, n=n, level=level)),
        Block("table", "targets-table", table=targets_table(card, lang),
              text=f"{i18n.t('targets', lang)} — {i18n.t('targets_note', lang)}"),
    ]
    if e is not None:
        blocks.append(Block("table", "explain-table", table=explain_table(e, card.baseline, other, lang),
                            text=i18n.t("explain_title", lang).format(a=card.baseline, b=other, start=start, end=end)
                            + " — " + i18n.t("explain_note", lang).format(level=level)))
        from .figures.explain import figure_for
        blocks.append(Block("graph", "fig-explain", figure_for(runsets, opts.baseline, lang)))
    else:
        blocks.append(Block("note", text=i18n.t("explain_needs_two", lang)))
    return blocks


# --- the report's buttons -------------------------------------------------------------

def report_controls(lang: str) -> html.Div:
    return html.Div([
        html.H3(i18n.t("report", lang), id="report-heading"),
        html.P(i18n.t("report_help", lang), className="help", id="report-help"),
        html.Button(i18n.t("report_html", lang), id="report-html", className="btn"),
        html.Button(i18n.t("report_pdf", lang), id="report-pdf", className="btn"),
        html.Button(i18n.t("report_xlsx", lang), id="report-xlsx", className="btn"),
        html.P(id="report-status", className="note"),
        dcc.Download(id="report-download"),
    ], className="card report", id="report-card")


def register(app, store) -> None:
    """Callbacks of the report card: the words follow the language, the buttons download."""
    from dash import ctx

    from . import report
    from .data import runsets_from

    @app.callback(Output("report-heading", "children"), Output("report-help", "children"),
                  Output("report-html", "children"), Output("report-pdf", "children"),
                  Output("report-xlsx", "children"), Input("lang-switch", "value"))
    def translate(lang):
        return tuple(i18n.t(k, lang) for k in ("report", "report_help", "report_html", "report_pdf", "report_xlsx"))

    @app.callback(Output("report-download", "data"), Output("report-status", "children"),
                  Input("report-html", "n_clicks"), Input("report-pdf", "n_clicks"), Input("report-xlsx", "n_clicks"),
                  State("runs", "data"), State("baseline", "value"), State("lang-switch", "value"),
                  prevent_initial_call=True)
    def download(_h, _p, _x, runs, baseline, lang):
        runsets, _ = runsets_from(runs, store)
        if not runsets:
            return no_update, i18n.t("report_no_runs", lang)
        kind = {"report-html": "html", "report-pdf": "pdf", "report-xlsx": "xlsx"}[ctx.triggered_id]
        card, e, other, start, end = compute(runsets, baseline)
        stem = "铁岭情景报告" if lang == "zh" else "tieling_scenario_report"
        if kind == "xlsx":
            data = report.workbook(runsets, card, e, other, lang)
            return dcc.send_bytes(data, f"{stem}.xlsx"), ""
        page = report.report_html(runsets, card, e, other, lang)
        if kind == "html":
            return dict(content=page, filename=f"{stem}.html", type="text/html"), ""
        try:
            return dcc.send_bytes(report.pdf(page), f"{stem}.pdf"), ""
        except report.PdfUnavailable:
            return no_update, i18n.t("report_pdf_failed", lang)
