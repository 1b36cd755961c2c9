"""The dashboard's translation table: every word the page shows, in Chinese and English.

One table, split by topic into modules of `(zh, en)` pairs:

| module | holds |
|---|---|
| `ui.py` | the page's own words: buttons, headings, notes, status lines (`t(key, lang)`) |
| `units.py` | units of outcomes, levers and behaviour parameters (`unit(u, lang)`) |
| `options.py` | option values, breakdown groups, parameter blocks (`option`, `block`) |
| `parameters.py` | labels of the behaviour parameters by path (`parameter(path, lang)`) |
| `messages.py` | Chinese templates of scenario problems (`problem(text, lang)`) |
| `power.py` | the replicates a difference needs, read from docs/tables/power.csv (`power_hint`) |
| `budget.py`, `charts.py`, `saved.py` | words of the budget tab and report, of the charts' targets and breakdown, of saved scenarios (`t`) |
| `hover.py` | hover texts: levers' notes and parameters' sources in Chinese (`hover.translated`) |
| `live.py` | automatic re-runs: the switch, the out-of-date note (`t`) |
| `ensemble.py` | the parameter-ensemble card's words (`t`) |

Labels of levers, clauses, outcomes and counties come from their declarations in `sim`
(LEVERS, CLAUSES, OUTCOMES, county_label), which carry both languages; scenario
descriptions from the scenario files (`description`, `description_zh`).

To add words for a new part of the page, add a module here with a `UI` dict of
`key: (zh, en)` and list it in `PARTS`; `t()` then finds its keys (a key may be defined
once only — checked at import).
"""
from __future__ import annotations

from . import budget as _budget, charts as _charts, ensemble as _ensemble, messages, saved as _saved
from . import options as _options, parameters as _parameters, power as _power, ui as _ui, units as _units
from . import live as _live

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

PARTS = (_ui, _budget, _charts, _saved, _power, _live, _ensemble)
UI: dict[str, tuple[str, str]] = {}
for _part in PARTS:
    _dup = set(UI) & set(_part.UI)
    assert not _dup, f"{_part.__name__}: keys defined twice: {sorted(_dup)}"
    UI.update(_part.UI)

UNITS = _units.UNITS
OPTIONS = _options.OPTIONS
BLOCKS = _options.BLOCKS
PARAMETERS = _parameters.PARAMETERS


def _pair(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def t(key: str, lang: str) -> str:
    """A chrome string; unknown keys show themselves so a missing entry is visible, not fatal."""
    pair = UI.get(key)
    return key if pair is None else _pair(pair, lang)


def _pick(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    pair = table.get(key)
    return key.replace("_", " ") if pair is None else _pair(pair, lang)


def unit(u: str, lang: str) -> str:
    return _pick(UNITS, u, lang) if u else ""


def option(value: str, lang: str) -> str:
    return _pick(OPTIONS, str(value), lang)


def block(name: str, lang: str) -> str:
    return _pick(BLOCKS, name, lang)


def parameter(path: str, lang: str) -> str:
    """A behaviour parameter's label; its last path part when the table lacks it."""
    pair = PARAMETERS.get(path)
    return path.rsplit(".", 1)[-1].replace("_", " ") if pair is None else _pair(pair, lang)


# the dashboard's own problems, written in English with these entries and a file name after them
PROBLEM_KEYS = ("upload_too_big", "upload_not_text", "upload_not_yaml", "upload_unreadable")


def problem(text: str, lang: str) -> str:
    """A scenario problem (English from `sim` or from the entries in PROBLEM_KEYS) in `lang`."""
    if lang == "zh":
        for key in PROBLEM_KEYS:
            zh, en = UI[key]
            if text.startswith(en):
                return zh + text[len(en):]
    return messages.problem(text, lang)
