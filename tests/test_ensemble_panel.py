"""The dashboard's parameter-ensemble panel: on the page, its figure and table in both languages,
every word of its Chinese view in Chinese."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from dashboard import ensemble_panel, i18n, layout
from sim.ensemble import HEADLINE, EnsembleResult
from tests.chinese_view import stray_words


@pytest.fixture
def result():
    """A made-up result of 3 members x 2 seeds over two years (a fixture, not model output)."""
    rng = np.random.default_rng(1)
    rows = [{"member": m, "replicate": r, "seed": 10 + 2 * m + r, "year": y, "county": sim.CITY_CODE, "group": "all",
             "outcome": o, "value": (0.5 if o.endswith("_rate") else 2e6) * (1 + 0.01 * m + 0.002 * rng.normal())}
            for m in range(3) for r in range(2) for y in (2020, 2021) for o in HEADLINE]
    return EnsembleResult(pd.DataFrame(rows), pd.DataFrame({"member": [1, 2, 3]}), {"replicates": 2})


def texts(component) -> list[str]:
    """Every string shown by a Dash component tree (children, table cells and column names)."""
    out = []
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        return [s for c in component for s in texts(c)]
    for name in ("children", "data", "columns"):
        value = getattr(component, name, None)
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out += [str(v) for d in value for k, v in d.items() if k != "id"]
        elif value is not None:
            out += texts(value)
    return out


def test_the_panel_is_on_the_page_with_its_chinese_words():
    page = layout.page([], None, "zh")
    panel = [c for c in texts(page) if c == i18n.t("ens_title", "zh")]
    assert panel, "the ensemble panel is missing from the page"
    for word in ("ens_title", "ens_help", "ens_k", "ens_go", "ens_run_of"):
        assert not stray_words(i18n.t(word, "zh").format(level="90%")), word


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figure_has_a_band_and_a_mean_for_each_headline_outcome(result, lang):
    fig = ensemble_panel._figure(result, lang)
    assert len(fig.data) == 2 * len(HEADLINE)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == [sim.OUTCOMES[o].label(lang) for o in HEADLINE]
    legend = {tr.name for tr in fig.data if tr.showlegend}
    assert legend == {i18n.t("ens_band", lang).format(level="90%"), i18n.t("ens_mean", lang)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figure_axes_read_like_the_other_charts(result, lang):
    """Rates in percent, counts as plain numbers with separators (not plotly's "2.35M"), each axis
    titled with its unit in the page's language."""
    fig = ensemble_panel._figure(result, lang)
    for i, outcome in enumerate(HEADLINE):
        mean = fig.data[2 * i + 1]
        axis = fig.layout["yaxis" if i == 0 else f"yaxis{i + 1}"]
        if outcome.endswith("_rate"):
            assert 40 < max(mean.y) < 60          # the fixture's 0.5, shown as 50 %
        else:
            assert axis.tickformat == ",.2~f"
        assert axis.title.text == i18n.unit(sim.OUTCOMES[outcome].unit, lang)
    if lang == "zh":
        assert not stray_words(" ".join(fig.layout[a].title.text for a in ("yaxis", "yaxis2", "yaxis3", "yaxis4")))


def test_the_table_gives_both_shares_in_the_chosen_language(result):
    words = texts(ensemble_panel._table(result, "zh"))
    assert not [w for s in words for w in stray_words(s)]
    assert i18n.t("ens_params_share", "zh") in words and i18n.t("ens_seeds_share", "zh") in words
    shares = [s for s in words if s.endswith("%")]
    assert len(shares) == 2 * len(HEADLINE)
    en = texts(ensemble_panel._table(result, "en"))
    assert "Share due to parameters" in en and any("pp" in s for s in en)


# --- the ensemble's runs on the replicate pool ---------------------------------------------------

@pytest.fixture(scope="module")
def short():
    from .conftest import SCENARIOS
    sc = sim.load_scenario(SCENARIOS / "tieling_reform_2020.yaml")
    return sim.with_overrides(sc, {"scale": 0.005, "end_year": sc.base_year + 2})


def test_the_ensemble_on_the_pool_is_the_serial_ensemble(short):
    from dashboard.ensemble_runs import run_ensemble
    from dashboard.pool import ReplicatePool

    serial = sim.run(short, ensemble=3, replicates=2)
    pool = ReplicatePool(2)
    pool.start()
    steps: list[tuple[int, int]] = []
    try:
        pooled = run_ensemble(short, 3, 2, lambda d, t: steps.append((d, t)), pool=pool)
    finally:
        pool.stop()
    pd.testing.assert_frame_equal(pooled.runs, serial.runs)
    pd.testing.assert_frame_equal(pooled.members, serial.members)
    assert pooled.manifest == serial.manifest
    assert steps[-1] == (12, 12) and max(d for d, _ in steps) == 12       # 3 members x 2 seeds x 2 years
    pd.testing.assert_frame_equal(pooled.variance_shares(), serial.variance_shares())


def test_without_a_pool_the_ensemble_runs_serially_with_progress_in_years(short):
    from dashboard.ensemble_runs import run_ensemble

    steps: list[tuple[int, int]] = []
    result = run_ensemble(short, 2, 2, lambda d, t: steps.append((d, t)))
    assert steps == [(2, 8), (4, 8), (6, 8), (8, 8)]
    assert sorted(result.runs.member.unique()) == sorted(result.members.member)
    with pytest.raises(sim.EnsembleError):
        run_ensemble(short, 1, 2)
