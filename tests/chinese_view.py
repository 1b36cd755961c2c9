"""What counts as a stray English word in the dashboard's Chinese view.

A planner reading the Chinese view should meet no English word. What may stay in Latin
letters is what is not a word of English prose:
- names a planner types or reads in files: field paths and identifiers (`policy.purchase.enabled`,
  `tieling_reform_2020`), file names and paths, web addresses, values quoted from a file ('closed');
- units and format names that Chinese texts write in Latin letters too (m², km², KB, YAML, CSV, UTF-8);
- proper nouns: the romanised county names shown beside the Chinese ones, the map source, cited authors;
- the language switch's own "English".
Numbers are never words.
"""
from __future__ import annotations

import re

import sim

FORMATS = {"YAML", "CSV", "Parquet", "B", "KB", "MB", "UTF", "PNG", "PDF", "GeoJSON"}
PROPER_NOUNS = {"English", "DataV", "GeoAtlas", "GCJ", "GeoJsons", "Chen", "Fan", "Rogers", "Castro", "Hao",
                "GB"}     # cited authors; GB, the prefix of China's national standards
# romanised place names, e.g. "Yinzhou District", "Tieling City"
PLACES = {w for c in [sim.CITY_CODE] + [c.code for c in sim.COUNTIES]
          for w in re.findall(r"[A-Za-z]+", sim.county_label(c, "en"))}
ALLOWED = FORMATS | PROPER_NOUNS | PLACES

_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
# a token with _ . / : = \ or @ in it is an identifier, path, file name or address, not prose
_MACHINE = re.compile(r"[^\s，。；：、（）()【】\[\]<>《》“”]*[_./:=\\@][^\s，。；：、（）()【】\[\]<>《》“”]*")
_UNITS = re.compile(r"k?m²|m\(x\)")
_WORD = re.compile(r"[A-Za-z]+")


def stray_words(text: str, allowed: set[str] = ALLOWED) -> list[str]:
    """English words in `text` that the Chinese view should not show."""
    text = _QUOTED.sub(" ", text)
    text = _MACHINE.sub(" ", text)
    text = _UNITS.sub(" ", text)
    return [w for w in _WORD.findall(text) if w not in allowed]
