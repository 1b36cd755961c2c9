"""The page's part for scenarios saved on the server (dashboard/saved.py; its callbacks are
dashboard/callbacks/saved.py): a button that saves the edited scenario under its name, the
overwrite question, the link to share, and the list of saved scenarios."""
from __future__ import annotations

from dash import dcc, html

from . import i18n


def section(lang: str) -> html.Div:
    def T(key, tag=html.Span, **kw):
        return tag(i18n.t(key, lang), id={"type": "t", "key": "ui:" + key}, **kw)
    return html.Div([
        T("saved_heading", html.H4),
        T("saved_help", html.P, className="help"),
        html.Div([html.Button(T("save_server"), id="save-server-btn", className="btn small")], className="button-row"),
        dcc.ConfirmDialog(id="overwrite-confirm"),
        html.Div(id="saved-message", role="status"),
        html.Div([T("saved_link"), html.A(id="saved-link", href="", target="_blank")], id="saved-link-row",
                 className="hint", style={"display": "none"}),
        dcc.Dropdown(id="saved-list", options=[], value=None, placeholder=i18n.t("saved_pick", lang),
                     clearable=True, searchable=True),
    ], className="saved", id="saved-section")
