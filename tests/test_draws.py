"""Common random numbers (sim/draws.py): keyed draws, the same person's draw in two scenarios."""
from __future__ import annotations

import numpy as np
import pytest

from sim import with_overrides
from sim.draws import Draws
from sim.model import UrbanizationModel

from .conftest import small


def test_keyed_uniforms_are_uniform_and_independent_of_who_else_is_drawn():
    d = Draws(7).year(2030)
    ids = np.arange(200_000)
    u = d.uniform("x", ids)
    assert 0 <= u.min() and u.max() < 1
    assert abs(u.mean() - 0.5) < 0.005 and abs(u.var() - 1 / 12) < 0.002
    assert abs(np.corrcoef(u, d.uniform("y", ids))[0, 1]) < 0.01            # purposes independent
    assert abs(np.corrcoef(u, Draws(7).year(2031).uniform("x", ids))[0, 1]) < 0.01   # years too
    sub = ids[::7][::-1]
    assert np.array_equal(d.uniform("x", sub), u[sub])                       # whoever else is drawn
    assert np.array_equal(Draws(7).year(2030).uniform("x", ids), u)          # determinism
    assert not np.array_equal(Draws(8).year(2030).uniform("x", ids), u)
    f32 = d.uniform("x", ids, np.float32)
    assert f32.dtype == np.float32 and f32.max() < 1


def test_choice_normal_and_streams_follow_their_laws():
    d = Draws(3).year(2025)
    ids = np.arange(100_000)
    pick = d.choice("c", ids, np.array([1, 2, 3]), [0.2, 0.3, 0.5])
    assert np.allclose(np.bincount(pick, minlength=4)[1:] / len(ids), [0.2, 0.3, 0.5], atol=0.01)
    z = d.normal("n", ids, 5.0, 2.0)
    assert abs(z.mean() - 5.0) < 0.03 and abs(z.std() - 2.0) < 0.03
    assert d.stream("a").random() == Draws(3).year(2025).stream("a").random()
    assert d.stream("a").random() != d.stream("b").random()


def test_same_person_draws_the_same_in_two_scenarios(reform):
    """Two scenarios differing in the survey's sample rate (which decides nothing about anyone):
    every person alive in both makes the same death draw and the same leaving draw, so the same
    people die and leave, although the runs differ in another lever's outcome."""
    a = UrbanizationModel(small(reform, end_year=2023))
    b = UrbanizationModel(with_overrides(small(reform, end_year=2023), {"policy.statistics.survey_sample_rate": 0.02}))
    for _ in range(2):
        a.step()
        b.step()
    assert np.array_equal(b.pop.persons.view("id"), a.pop.persons.view("id"))
    pa, pb = a.pop.persons, b.pop.persons
    assert np.array_equal(pa.view("alive"), pb.view("alive")) and np.array_equal(pa.view("res"), pb.view("res"))
    ids = pa.id[a.alive()]
    assert np.array_equal(a.year_draws.uniform("death", ids), b.year_draws.uniform("death", ids))
    survey = [m.recorder.table().query("outcome == 'residents_survey_estimate'").value.sum() for m in (a, b)]
    assert survey[0] != survey[1], "the lever must change something for the test to mean anything"


def test_a_lever_on_settlement_leaves_deaths_and_births_of_the_same_people_alone(reform):
    """The purchase pathway closed changes who settles, not who dies or gives birth: over two
    years the same persons of the base population die in both scenarios."""
    sc = small(reform, end_year=2022)
    a, b = UrbanizationModel(sc), UrbanizationModel(with_overrides(sc, {"policy.purchase.enabled": False}))
    dead = []
    for m in (a, b):
        base = m.pop.persons.next_id
        m.step()
        m.step()
        p = m.pop.persons
        gone = p.view("id")[~p.view("alive")]
        dead.append(set(gone[gone < base].tolist()))
    assert dead[0] and len(dead[0] ^ dead[1]) < 0.2 * len(dead[0] | dead[1])
    settled = [int((m.pop.persons.view("settled_year") > 0).sum()) for m in (a, b)]
    assert settled[0] != settled[1], "the lever must change something for the test to mean anything"


def test_same_seed_same_outcomes(reform):
    from sim import run
    sc = small(reform, end_year=2022)
    assert run(sc).outcomes.equals(run(sc).outcomes)


def test_a_newborn_keeps_its_draw_key_when_a_lever_irrelevant_to_births_changes(reform, monkeypatch):
    """More arrivals (a lever on who comes, not on who gives birth) make the id counters diverge
    in the first year; the children born later to the same mothers still get the same draw keys
    (derived from the mother's key and the year) and so the same draws (their sex), under other ids."""
    from sim.population import demography
    born: list[list[tuple[int, int, bool]]] = []
    real = demography.births

    def recording(pop, *args, **kw):
        idx = real(pop, *args, **kw)
        p = pop.persons
        born[-1].extend(zip(p.key[idx].tolist(), p.id[idx].tolist(), p.female[idx].tolist()))
        return idx

    monkeypatch.setattr(demography, "births", recording)
    sc = small(reform, end_year=2024)
    runs = []
    for scenario in (sc, with_overrides(sc, {"behaviour.outside.in_rate": sc.behaviour.outside.in_rate * 2})):
        model = UrbanizationModel(scenario)
        born.append([])
        model.step()                       # the first year: arrivals differ, births not yet
        born[-1].clear()
        for _ in range(3):
            model.step()
        runs.append({key: (i, female) for key, i, female in born[-1]})
    a, b = runs
    common = a.keys() & b.keys()
    assert len(common) >= 0.85 * min(len(a), len(b)) and len(common) > 50
    assert all(a[k][1] == b[k][1] for k in common)                       # the same draws
    assert sum(a[k][0] != b[k][0] for k in common) > 0.5 * len(common), \
        "the ids must have diverged for the test to mean anything"
    assert all(k < 0 for k in common)                                   # origin keys: top bit set


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_chance_is_the_uniform_below_p_whatever_the_shortcut(dtype):
    """`chance` compares hashes with a threshold for a single p and gathers keys itself with
    `at`: the answers must be exactly `uniform(...) < p`, at the edges of [0, 1] too."""
    d = Draws(11).year(2033)
    keys = np.arange(50_000, dtype=np.int64) * 7 - 3
    u = d.uniform("c", keys, dtype)
    for p in (0.0, -0.5, 2.0 ** -24, 0.3, np.float32(0.3), np.float64(0.3), 1 - 2.0 ** -24, 1 - 2.0 ** -53,
              1.0, float("nan"), float(u[17]), float(u[17]) + 1e-17):
        assert np.array_equal(d.chance("c", keys, p, dtype), u < p), p
    p = np.linspace(0, 1, len(keys)).astype(dtype)
    assert np.array_equal(d.chance("c", keys, p, dtype), u < p)
    rows = np.array([5, 3, 3, 40_000, 0])
    assert np.array_equal(d.chance("c", keys, p[rows], dtype, at=rows), u[rows] < p[rows])
    assert np.array_equal(d.chance("c", keys, 0.4, dtype, at=rows), u[rows] < 0.4)


def test_counts_are_inverse_distribution_functions_of_a_keyed_uniform():
    """Poisson and binomial counts: scipy.stats' ppf at the same keyed uniforms, and a count that
    grows (weakly) with the mean, so that nearby scenarios draw nearby counts."""
    from scipy.stats import binom, poisson
    for year in range(2021, 2061):
        d = Draws(5).year(year)
        mean = np.array([0.0, 0.7, 3.2, 250.5, 4800.3])
        u = d.uniform("arrivals", np.arange(len(mean)))
        expected = np.where(mean > 0, poisson.ppf(u, np.maximum(mean, 1e-12)), 0).clip(0)
        assert np.array_equal(d.poisson("arrivals", mean), expected)
        assert np.all(d.poisson("arrivals", mean * 1.01) >= d.poisson("arrivals", mean))
        n = np.array([0, 10, 999, 400_000])
        u = d.uniform("survey", np.arange(len(n)))
        expected = np.where(n > 0, binom.ppf(u, np.maximum(n, 1), 0.01), 0).clip(0)
        assert np.array_equal(d.binomial("survey", n, 0.01), expected)
