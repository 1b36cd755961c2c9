"""The guidance under the run bar: how many replicates a difference needs at each scale, in both
languages, read from docs/tables/power.csv (measured and written by `python -m experiments.power`,
which also writes its table in docs/sweeps.md). Without the file the hint says so."""
from __future__ import annotations

import csv
from pathlib import Path

import sim

TABLE = Path(__file__).resolve().parents[2] / "docs" / "tables" / "power.csv"
COMPARISON = "reform"                                   # the reform against the rules before it
SHOWN = ("residents", "hukou_urbanization_rate")
MISSING = ("所需重复次数尚未实测。", "The replicates a difference needs have not been measured here.")


def _size(outcome: str, value: float, lang: str) -> str:
    if outcome.endswith("_rate"):
        return f"{value * 100:.2f} 个百分点" if lang == "zh" else f"{value * 100:.2f} pp"
    return f"{value:,.0f} 人" if lang == "zh" else f"{value:,.0f}"


def _needed(value: str, lang: str) -> str:
    n = value or ("500 次以上" if lang == "zh" else "over 500")
    return f"{n} 次" if lang == "zh" and value else n


def power_hint(path: Path = TABLE) -> tuple[str, str]:
    """(zh, en): per headline outcome, the replicates a difference of the table's size needs at
    each measured scale, for the reform against the rules before it."""
    if not path.is_file():
        return MISSING
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["comparison"] == COMPARISON]
    parts: dict[str, list[str]] = {"zh": [], "en": []}
    for outcome in SHOWN:
        mine = sorted((r for r in rows if r["outcome"] == outcome), key=lambda r: float(r["scale"]))
        if not mine:
            continue
        info, size = sim.OUTCOMES[outcome], float(mine[0]["size"])
        for lang in parts:
            scales = ("，" if lang == "zh" else ", ").join(
                f"{float(r['scale']) * 100:g}%：{_needed(r['replicates_needed'], lang)}" if lang == "zh" else
                f"{float(r['scale']) * 100:g}%: {_needed(r['replicates_needed'], lang)}" for r in mine)
            name = info.zh if lang == "zh" else info.en.lower()
            parts[lang].append(f"{name}相差 {_size(outcome, size, lang)}（比例 {scales}）" if lang == "zh" else
                               f"{_size(outcome, size, lang)} of {name} ({scales})")
    if not parts["en"]:
        return MISSING
    seeds = rows[0]["seeds"]
    return ("分辨改革与改革前规则之差所需的重复次数（90% 区间窄于该差值；每种比例实测 " + seeds + " 个种子）："
            + "；".join(parts["zh"]) + "。",
            "Replicates needed to tell the reform from the rules before it (90% interval narrower than the "
            f"difference; measured with {seeds} seeds per scale): " + "; ".join(parts["en"]) + ".")


UI = {"power_hint": power_hint()}
