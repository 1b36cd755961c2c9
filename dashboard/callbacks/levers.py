"""The lever panel: a search box that shows only the levers and behaviour parameters whose
label, hint or clause matches (opening their sections), and a button that collapses every
section. Both run in the browser: the panel has about 110 controls, and filtering them is
a matter of showing and hiding rows, not of the server."""
from __future__ import annotations

from dash import Input, Output, State

SEARCH_JS = """
function(query, lang, words) {
    const terms = (query || '').toLowerCase().split(/\\s+/).filter(t => t);
    const sections = document.querySelectorAll('#controls details.clause, #controls details.param-block');
    let n = 0;
    sections.forEach(sec => {
        let any = false;
        sec.querySelectorAll('.lever, .param').forEach(row => {
            const text = (row.innerText + ' ' + (row.title || '') + ' '
                          + sec.querySelector('summary').innerText + ' '
                          + (sec.querySelector('summary').title || '')).toLowerCase();
            const hit = terms.every(t => text.includes(t));
            row.style.display = hit ? '' : 'none';
            if (hit) { any = true; n += 1; }
        });
        sec.style.display = any ? '' : 'none';
        if (terms.length) { sec.open = any; }
    });
    const adv = document.getElementById('advanced');
    if (adv && terms.length) {
        adv.open = [...adv.querySelectorAll('.param')].some(r => r.style.display !== 'none');
    }
    if (!terms.length) { return ''; }
    const pair = (words || {}).search_matches || ['{n}', '{n}'];
    return (lang === 'zh' ? pair[0] : pair[1]).replace('{n}', n);
}
"""

COLLAPSE_JS = """
function(n) {
    if (!n) { return window.dash_clientside.no_update; }
    document.querySelectorAll('#controls details').forEach(d => { d.open = false; });
    return window.dash_clientside.no_update;
}
"""


def register(app) -> None:
    app.clientside_callback(SEARCH_JS, Output("lever-search-count", "children"),
                            Input("lever-search", "value"), Input("lang-switch", "value"),
                            State("lever-search-words", "data"))
    app.clientside_callback(COLLAPSE_JS, Output("collapse-btn", "title"), Input("collapse-btn", "n_clicks"),
                            prevent_initial_call=True)
