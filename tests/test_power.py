"""Guidance from measured noise (experiments/power.py): the replicates a difference needs, the
table in docs/sweeps.md and the dashboard's hint, both read from docs/tables/power.csv; and the
common-random-numbers report (experiments/crn.py)."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from experiments import power
from experiments.crn import Registered, crn_report, ratio_interval, switched
from sim.doc_tables import stale


def test_the_power_table_in_the_docs_shows_what_the_file_holds():
    """docs/sweeps.md's block is the rendering of docs/tables/power.csv: regenerate both with
    `python -m experiments.power` (or only the block with `--docs-only`)."""
    table = power.load()
    assert set(power.COLUMNS) <= set(table.columns)
    assert set(table.comparison) == set(power.COMPARISONS) and set(table.outcome) == set(power.SIZES)
    text = power.DOC.read_text(encoding="utf-8")
    assert stale(text, {power.BLOCK: lambda: power.markdown(table)}) == [], \
        "docs/sweeps.md's power table is stale: run `python -m experiments.power --docs-only`"


def test_the_stored_table_is_consistent_with_its_own_standard_deviations():
    """Each row's replicates and half-widths follow from its SD (not typed by hand)."""
    for r in power.load().itertuples():
        assert r.half_width_5 == pytest.approx(power.half_width(r.sd_paired, 5), rel=1e-4, abs=1e-12)
        expected = power.replicates_needed(r.sd_paired, r.size)
        assert (pd.isna(r.replicates_needed) and expected is None) or r.replicates_needed == expected


@pytest.mark.parametrize("sd,size", [(1.0, 0.5), (3000.0, 2000.0), (0.002, 0.001), (0.0, 1.0), (50.0, 1.0)])
def test_replicates_needed_is_the_fewest_whose_interval_is_narrower_than_the_difference(sd, size):
    n = power.replicates_needed(sd, size)
    if n is None:
        assert power.half_width(sd, power.MAX_REPLICATES) >= size
        return
    assert power.half_width(sd, n) < size
    assert n == 2 or power.half_width(sd, n - 1) >= size


def _table(sds: dict[float, float]) -> pd.DataFrame:
    """A power table with the given paired SDs of every outcome by scale, its other columns derived."""
    rows = []
    for name in power.COMPARISONS:
        for outcome, size in power.SIZES.items():
            for scale, sd in sds.items():
                s = sd * size
                rows.append({"comparison": name, "outcome": outcome, "scale": scale, "year": 2035, "seeds": 8,
                             "mean_difference": 0.0, "sd_paired": s, "half_width_5": power.half_width(s, 5),
                             "half_width_10": power.half_width(s, 10), "size": size,
                             "replicates_needed": power.replicates_needed(s, size)})
    return pd.DataFrame(rows, columns=power.COLUMNS)


def test_write_puts_the_file_and_the_docs_block_in_step(tmp_path):
    doc = tmp_path / "sweeps.md"
    doc.write_text("intro\n<!-- begin generated: power -->\nSTALE ROWS\n<!-- end generated: power -->\nafter\n", encoding="utf-8")
    path = tmp_path / "tables" / "power.csv"
    table = _table({0.01: 3.0, 0.1: 0.5})
    power.write(table, path, doc)
    text = doc.read_text(encoding="utf-8")
    assert "STALE ROWS" not in text and text.startswith("intro\n") and text.endswith("after\n")
    assert stale(text, {power.BLOCK: lambda: power.markdown(power.load(path))}) == []
    needed = table.query("comparison == 'reform' and outcome == 'residents'").replicates_needed.tolist()
    assert f"| {int(needed[0])} | " in text and needed[0] > needed[1]


def test_the_dashboard_hint_reads_the_same_file_in_both_languages(tmp_path):
    from dashboard.i18n.power import MISSING, power_hint
    path = tmp_path / "power.csv"
    table = _table({0.01: 3.0, 0.05: 1.2, 0.1: 0.5})
    table.to_csv(path, index=False)
    zh, en = power_hint(path)
    for outcome in ("residents", "hukou_urbanization_rate"):
        for r in table.query("comparison == 'reform' and outcome == @outcome").itertuples():
            assert f"{r.scale * 100:g}%: {int(r.replicates_needed)}" in en
            assert f"{r.scale * 100:g}%：{int(r.replicates_needed)} 次" in zh
    assert "2,000 of residents" in en and "常住人口相差 2,000 人" in zh
    assert not re.search(r"[A-Za-z]", zh), zh                     # every word of the Chinese view in Chinese
    assert power_hint(tmp_path / "missing.csv") == MISSING


def test_crn_report_pairs_seeds_and_compares_with_independent_runs():
    rep = crn_report(scale=0.005, seeds=3, year=2023)
    t = rep.table.set_index("outcome")
    assert list(rep.values.index) == [1, 2, 3]
    for k in t.index:
        r = rep.values[("reform", k)].to_numpy()
        b = rep.values[("baseline", k)].to_numpy()
        assert t.loc[k, "sd_paired"] == pytest.approx(np.std(r - b, ddof=1))
        assert t.loc[k, "sd_independent"] == pytest.approx(np.sqrt(r.var(ddof=1) + b.var(ddof=1)))
        assert t.loc[k, "ratio_low"] <= t.loc[k, "ratio"] <= t.loc[k, "ratio_high"]
    # Same seeds share their noise: residents a few years in differ far less than independent runs.
    assert t.loc["residents", "ratio"] < 0.5
    # The reform settles people the pre-reform rules do not; nearly never the other way round.
    assert (rep.switched.up > 0).all() and (rep.switched.down < rep.switched.up).all()
    assert 0 < t.loc["hukou_urbanization_rate", "floor_ratio"] < np.inf


def test_switched_matches_persons_by_key_and_counts_their_households():
    reform = Registered(key=np.array([5, 1, 2, 3, 9]), town=np.array([True, True, True, False, True]),
                        household=np.array([50, 10, 10, 30, 90]))
    baseline = Registered(key=np.array([1, 2, 3, 5, 7]), town=np.array([False, False, True, True, False]),
                          household=np.array([11, 11, 31, 51, 71]))
    out = switched(reform, baseline)
    # 1 and 2 switched up (one household of two), 3 down; 5 is town in both; 9 and 7 are in one run only
    assert out == {"up": 2, "down": 1, "households": 1, "sum_squares": 4, "holders": 5}


def test_ratio_interval_covers_the_ratio_and_narrows_with_more_seeds():
    gen = np.random.default_rng(3)
    def width(n):
        common = gen.normal(size=n)
        r, b = common + 0.3 * gen.normal(size=n), common + 0.3 * gen.normal(size=n)
        low, high = ratio_interval(r, b)
        ratio = (r - b).std(ddof=1) / np.sqrt(r.var(ddof=1) + b.var(ddof=1))
        assert low <= ratio <= high
        return high - low
    assert width(200) < width(8)
