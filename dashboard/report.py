"""A report to take to the meeting: one printable HTML page (Jinja2), the same page as PDF
(printed by headless Chromium), and an Excel workbook (openpyxl) of the compared runs —
scenarios and their levers in words, the scorecard with intervals, the targets, why the runs
differ (in a table and in the budget tab's bars with their intervals), key charts and the
model's known limits. Used by the dashboard and `urbsim scorecard`.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, select_autoescape

import sim

from . import i18n
from .budget_tab import LEVEL, explain_table, fig_items, scorecard_table, targets_table
from .figures.explain import fig_explain
from .i18n.budget import LIMITS


class PdfUnavailable(RuntimeError):
    """No Chromium to print with, or it failed."""


@dataclass
class ReportRun:
    label: str
    scenario: sim.Scenario | None
    seeds: list[int]
    scale: float
    replicates: list[pd.DataFrame]


def from_runsets(runsets) -> list[ReportRun]:
    from .budget_tab import runs_by_label
    reps = runs_by_label(runsets)
    out = []
    for rs in runsets:
        try:
            sc = sim.parse_scenario(rs.scenario_yaml, rs.label) if rs.scenario_yaml else None
        except sim.ScenarioError:
            sc = None
        out.append(ReportRun(rs.label, sc, list(rs.seeds), rs.scale, reps[rs.label]))
    return out


def from_results(scenarios: Sequence[sim.Scenario], runs: dict[str, list]) -> list[ReportRun]:
    out = []
    for sc in scenarios:
        results = runs[sc.name]
        out.append(ReportRun(sc.name, sc, [r.manifest["seed"] for r in results], sc.scale,
                             [r.outcomes for r in results]))
    return out


def _value_words(value, lang: str) -> str:
    if isinstance(value, bool):
        return i18n.t("on", lang) if value else ("否" if lang == "zh" else "no")
    if isinstance(value, list):
        return "、".join(i18n.option(v, lang) for v in value) if lang == "zh" else \
            ", ".join(i18n.option(v, lang) for v in value)
    if isinstance(value, str):
        return i18n.option(value, lang)
    return f"{value:,g}"


def lever_changes(sc: sim.Scenario | None, base: sim.Scenario | None, lang: str) -> list[str]:
    """The levers where `sc` differs from `base`, in words: label (clause): base value → value."""
    if sc is None or base is None:
        return []
    a, b = base.model_dump(mode="json"), sc.model_dump(mode="json")
    out = []
    for lever in sim.LEVERS:
        va, vb = a, b
        for k in lever.path.split("."):
            va, vb = va[k], vb[k]
        if isinstance(va, list):
            va, vb = sorted(va), sorted(vb)
        if va != vb:
            unit = i18n.unit(lever.unit, lang)
            out.append(f"{lever.label(lang)}（{lever.clause}）: {_value_words(va, lang)} → {_value_words(vb, lang)}"
                       f"{' ' + unit if unit and not isinstance(vb, (str, list, bool)) else ''}")
    return out


def _mean_series(reps: list[pd.DataFrame], outcome: str, group: str = "all") -> pd.Series:
    frames = [r[(r.outcome == outcome) & (r.group == group) & (r.county == sim.CITY_CODE)].set_index("year").value
              for r in reps]
    return pd.concat(frames, axis=1).mean(axis=1).sort_index() if frames else pd.Series(dtype=float)


def key_charts(runs: list[ReportRun], lang: str) -> list[go.Figure]:
    """Lines of the scenario means: urbanization rates, settlements, spending and income per year."""
    figs = []
    for outcomes, scale in ((("resident_urbanization_rate", "hukou_urbanization_rate"), 100),
                            (("settlements",), 1), (("budget_spending", "budget_income"), 1e-8)):
        fig = go.Figure()
        for r in runs:
            for o in outcomes:
                s = _mean_series(r.replicates, o)
                if o not in ("resident_urbanization_rate", "hukou_urbanization_rate", "hukou_holders"):
                    s = s[s.index > s.index.min()]
                fig.add_scatter(x=s.index, y=s.values * scale, mode="lines",
                                name=f"{r.label} · {sim.OUTCOMES[o].label(lang)}")
        unit = {100: "%", 1: i18n.unit("persons/year", lang), 1e-8: i18n.t("yi_yuan", lang)}[scale]
        fig.update_layout(title=" / ".join(sim.OUTCOMES[o].label(lang) for o in outcomes), height=360,
                          yaxis_title=unit, xaxis=dict(tickformat="d"), margin=dict(l=60, r=20, t=50, b=40),
                          font=dict(family="Noto Sans CJK SC, Microsoft YaHei, sans-serif"))
        figs.append(fig)
    return figs


TEMPLATE = """<!doctype html>
<html lang="{{ 'zh-CN' if lang == 'zh' else 'en' }}"><head><meta charset="utf-8">
<title>{{ title }}</title>
<style>
 body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }
 h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
 table { border-collapse: collapse; margin: .6em 0; font-size: .85em; }
 th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: right; }
 th:first-child, td:first-child { text-align: left; }
 .note { color: #555; font-size: .85em; }
 .chart { page-break-inside: avoid; }
 @media print { body { margin: 1cm; } h2 { page-break-after: avoid; } }
</style></head><body>
<h1>{{ title }}</h1>
<p class="note">{{ made_label }}: {{ made }} · {{ version }}</p>
<h2>{{ h_scenarios }}</h2>
{% for r in runs %}
<h3>{{ r.label }}{% if r.is_base %} ★ {{ baseline_word }}{% endif %}</h3>
<p>{{ r.description }}</p>
<p class="note">{{ r.info }}</p>
{% if not r.is_base %}<p>{{ h_levers }}:</p><ul>{% for c in r.changes %}<li>{{ c }}</li>{% else %}<li>{{ no_changes }}</li>{% endfor %}</ul>{% endif %}
{% endfor %}
<h2>{{ h_scorecard }}</h2><p class="note">{{ scorecard_note }}</p>{{ scorecard | safe }}
<h2>{{ h_targets }}</h2><p class="note">{{ targets_note }}</p>{{ targets | safe }}
{% if explanation %}<h2>{{ h_explain }}</h2><p class="note">{{ explain_note }}</p>{{ explanation | safe }}{% endif %}
<h2>{{ h_charts }}</h2>
{% for c in charts %}<div class="chart">{{ c | safe }}</div>{% endfor %}
<h2>{{ h_limits }}</h2><ul>{% for l in limits %}<li>{{ l }}</li>{% endfor %}</ul>
</body></html>
"""
_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def report_html(runs, card: sim.Scorecard, e: pd.DataFrame | None, other: str | None, lang: str) -> str:
    """The whole report as one HTML page (plotly.js inlined once, so it opens offline)."""
    runs = runs if runs and isinstance(runs[0], ReportRun) else from_runsets(runs)
    t = i18n.t
    base = next((r for r in runs if r.label == card.baseline), runs[0])
    level = f"{LEVEL:.0%}"
    items = []
    for r in runs:
        desc = ""
        if r.scenario is not None:
            desc = getattr(r.scenario, "description_zh", "") if lang == "zh" else ""
            desc = (desc or r.scenario.description).strip()
        items.append(dict(label=r.label, is_base=r is base, description=desc,
                          info=t("report_run_info", lang).format(scale=f"{r.scale:g}", n=len(r.replicates),
                                                                 seeds=", ".join(str(s) for s in r.seeds)),
                          changes=lever_changes(r.scenario, base.scenario, lang)))
    charts = [fig_items(card, lang)] + breakdown_charts(runs, card, e, other, lang) + key_charts(runs, lang)
    chart_html = [f.to_html(full_html=False, include_plotlyjs=(k == 0), default_width="100%")
                  for k, f in enumerate(charts)]
    n = int(card.totals.n.min())
    return _ENV.from_string(TEMPLATE).render(
        lang=lang, title=t("report_title", lang), made_label=t("report_made", lang),
        made=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), version=sim.code_version(),
        h_scenarios=t("report_scenarios", lang), runs=items, baseline_word=t("baseline", lang),
        h_levers=t("report_levers_changed", lang), no_changes=t("report_no_lever_changes", lang),
        h_scorecard=t("scorecard", lang),
        scorecard_note=t("scorecard_note", lang).format(start=card.start, end=card.end, n=n, level=level),
        scorecard=scorecard_table(card, lang).to_html(index=False, escape=True),
        h_targets=t("targets", lang), targets_note=t("targets_note", lang),
        targets=targets_table(card, lang).to_html(index=False, escape=True),
        h_explain=(t("explain_title", lang).format(a=card.baseline, b=other, start=card.start, end=card.end)
                   if e is not None else ""),
        explain_note=t("explain_note", lang).format(level=level),
        explanation=explain_table(e, card.baseline, other, lang).to_html(index=False, escape=True)
        if e is not None else "",
        h_charts=t("report_charts", lang), charts=chart_html,
        h_limits=t("report_limits", lang), limits=[zh if lang == "zh" else en for zh, en in LIMITS])


def breakdown(runs: list[ReportRun], card: sim.Scorecard, other: str) -> pd.DataFrame:
    """Why `other` differs from the baseline, part by part, paired by seed (sim.explain_breakdown)."""
    reps = {r.label: r.replicates for r in runs}
    return sim.explain_breakdown(reps[card.baseline], reps[other], card.start, card.end, level=card.level)


def breakdown_charts(runs: list[ReportRun], card: sim.Scorecard, e: pd.DataFrame | None, other: str | None,
                     lang: str) -> list[go.Figure]:
    """The budget tab's bars of why the runs differ (settlements, hukou holders, net budget, each
    part with its interval as an error bar), when there is a run to compare with the baseline."""
    if e is None or other is None:
        return []
    fig = fig_explain(breakdown(runs, card, other), card.baseline, other, card.start, card.end, lang)
    # a printed page is narrower than the tab: the long title goes on three lines
    title = fig.layout.title.text
    for old, new in (("（", "<br>（"), (" (", "<br>("), ("；各", "；<br>各"), ("; parts", ";<br>parts")):
        title = title.replace(old, new, 1)
    fig.update_layout(title={"text": title, "font": {"size": 13}}, margin={"t": 110})
    return [fig]


def breakdown_sheet(runs: list[ReportRun], card: sim.Scorecard, other: str) -> pd.DataFrame:
    """The difference by pathway, agent kind, item and county (sim.explain_breakdown), with units."""
    b = breakdown(runs, card, other)
    unit = b.measure.map(lambda m: "yuan" if m.startswith("budget") else "persons")
    return b.assign(unit=unit, baseline=card.baseline, scenario=other)


def workbook(runs, card: sim.Scorecard, e: pd.DataFrame | None, other: str | None, lang: str) -> bytes:
    """An Excel workbook: scorecard, targets, explanation, budget by year and item, scenarios;
    sheet names in both languages, a unit on every measure."""
    runs = runs if runs and isinstance(runs[0], ReportRun) else from_runsets(runs)
    t = i18n.t
    sheets = {t("sheet_scorecard", lang): card.totals.assign(
                  label=[sim_label(m, lang) for m in card.totals.measure]),
              t("sheet_targets", lang): card.targets}
    if e is not None:
        sheets[t("sheet_explain", lang)] = e.assign(baseline=card.baseline, scenario=other)
        sheets[t("sheet_breakdown", lang)] = breakdown_sheet(runs, card, other)
    budget = []
    for r in runs:
        for k, df in enumerate(r.replicates):
            part = df[df.outcome.isin(["budget_spending", "budget_income"])].assign(scenario=r.label, replicate=k,
                                                                                   unit="yuan/year")
            budget.append(part)
    sheets[t("sheet_budget", lang)] = pd.concat(budget, ignore_index=True) if budget else pd.DataFrame()
    sheets[t("sheet_scenarios", lang)] = pd.DataFrame(
        [(r.label, len(r.replicates), r.scale, ", ".join(map(str, r.seeds)),
          "; ".join(lever_changes(r.scenario, runs[0].scenario, lang))) for r in runs],
        columns=["scenario", "replicates", "scale", "seeds", "levers vs first"])
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, df in sheets.items():
            df.to_excel(xl, sheet_name=name[:31], index=False)
    return buf.getvalue()


def sim_label(measure: str, lang: str) -> str:
    from .i18n.budget import term
    return term(measure.split(".", 1)[-1], lang)


def chromium() -> str | None:
    for name in (os.environ.get("URBSIM_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def pdf(page: str, timeout_s: float = 120) -> bytes:
    """Print the HTML page to PDF with headless Chromium (the browser the tests use)."""
    exe = chromium()
    if exe is None:
        raise PdfUnavailable("no Chromium found")
    with tempfile.TemporaryDirectory(prefix="urbsim-report-", dir=os.environ.get("URBSIM_TMP")) as tmp:
        src, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp}/profile",
               "--no-pdf-header-footer", "--virtual-time-budget=5000", f"--print-to-pdf={out}", src.as_uri()]
        try:
            subprocess.run(cmd, capture_output=True, timeout=timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            raise PdfUnavailable(str(err)) from None
        if not out.is_file() or out.stat().st_size == 0:
            raise PdfUnavailable("Chromium wrote no PDF")
        return out.read_bytes()
