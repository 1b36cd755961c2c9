"""The parameter-ensemble panel: one compared run's scenario run again over K members of the
parameter ensemble (`sim.run(..., ensemble=K)`, 2 seeds each; docs/calibration.md, "Ensemble"),
shown as the headline outcomes' bands with the shares of the variance due to parameters and to
seeds. Every word is in `i18n/ensemble.py`.

The card's callbacks, which run the ensemble in the background on the replicate pool, are in
callbacks/ensemble.py.
"""
from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html
from plotly.subplots import make_subplots

import sim
from sim import EnsembleResult

from . import i18n
from .figures.base import is_fraction, outcome_unit
from .figures.drawing import axis_format, hover_format

HEADLINE = EnsembleResult.HEADLINE
REPLICATES = 2
MAX_K = 50
LEVEL = 0.9
HIDDEN, SHOWN = {"visibility": "hidden"}, {"visibility": "visible"}


def panel(lang: str) -> html.Section:
    t = i18n.t
    return html.Section([
        html.H3(t("ens_title", lang), id="ens-title"),
        html.P(t("ens_help", lang).format(level=f"{LEVEL:.0%}"), className="help", id="ens-help"),
        html.Div([
            html.Div([html.Label(t("ens_run_of", lang), id="ens-run-label"),
                      dcc.Dropdown(id="ens-run", options=[], value=None, clearable=False)], className="field wide"),
            html.Div([html.Label(t("ens_k", lang), id="ens-k-label"),
                      dcc.Input(id="ens-k", type="number", min=2, max=MAX_K, step=1, value=5)], className="field"),
            html.Button(t("ens_go", lang), id="ens-go", className="btn"),
            html.Button(t("cancel", lang), id="ens-cancel", className="btn", disabled=True),
            html.Div([html.Progress(id="ens-progress", value="0", max="1"),
                      html.Span(id="ens-progress-text", className="progress-text")],
                     id="ens-progress-wrap", className="progress-wrap", style=HIDDEN),
        ], className="options-row"),
        html.Div(id="ens-message", role="status", className="run-message"),
        dcc.Store(id="ens-data"),
        dcc.Loading(html.Div(id="ens-view"), type="dot"),
    ], className="card", id="ensemble-card")


def _figure(result, lang: str) -> go.Figure:
    bands = result.bands(LEVEL)
    labels = [sim.OUTCOMES[o].label(lang) for o in HEADLINE]
    fig = make_subplots(rows=2, cols=2, subplot_titles=labels, horizontal_spacing=0.1, vertical_spacing=0.15)
    for i, outcome in enumerate(HEADLINE):
        b = bands[bands.outcome == outcome]
        row, col, first = i // 2 + 1, i % 2 + 1, i == 0
        factor = 100.0 if is_fraction(outcome) else 1.0   # rates in %, as on the other charts
        fig.add_trace(go.Scatter(x=list(b.year) + list(b.year[::-1]),
                                 y=[factor * v for v in list(b.hi) + list(b.lo[::-1])],
                                 fill="toself", fillcolor="rgba(76,120,168,0.25)", line={"width": 0},
                                 name=i18n.t("ens_band", lang).format(level=f"{LEVEL:.0%}"), showlegend=first,
                                 legendgroup="band", hoverinfo="skip"), row=row, col=col)
        fig.add_trace(go.Scatter(x=b.year, y=factor * b["mean"], line={"color": "#4c78a8"},
                                 name=i18n.t("ens_mean", lang), showlegend=first, legendgroup="mean",
                                 hovertemplate=f"%{{x}}: %{{y:{hover_format(outcome)}}}<extra></extra>"),
                      row=row, col=col)
        # plain numbers with separators, like the other charts (plotly's default prints "2.35M")
        fig.update_yaxes(tickformat=axis_format(outcome), title_text=i18n.unit(outcome_unit(outcome), lang),
                         row=row, col=col)
    fig.update_xaxes(tickformat="d")
    fig.update_layout(height=520, margin={"t": 40, "b": 30, "l": 50, "r": 20}, legend={"orientation": "h"})
    return fig


def _table(result, lang: str) -> list:
    t = i18n.t
    shares = result.variance_shares()
    year = int(shares.year.max())
    end = shares[shares.year == year]
    rows = [{"outcome": sim.OUTCOMES[r.outcome].label(lang),
             "sd": (f"{100 * r.total_sd:.2f} {t('ens_pp', lang)}" if r.outcome.endswith("_rate")
                    else f"{r.total_sd:,.0f}"),
             "params": "–" if r.parameter_share != r.parameter_share else f"{r.parameter_share:.0%}",
             "seeds": "–" if r.seed_share != r.seed_share else f"{r.seed_share:.0%}"} for r in end.itertuples()]
    head = html.Tr([html.Th(t(k, lang)) for k in ("ens_outcome", "ens_sd", "ens_params_share", "ens_seeds_share")])
    body = [html.Tr([html.Td(r[c]) for c in ("outcome", "sd", "params", "seeds")]) for r in rows]
    k = len(result.members)
    return [html.P(t("ens_table_note", lang).format(year=year, k=k, runs=k * REPLICATES), className="note"),
            html.Table([html.Thead(head), html.Tbody(body)], className="summary")]
