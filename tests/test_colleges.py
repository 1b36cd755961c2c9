"""Tieling's colleges (sim/population/education.py): students from outside Tieling live where
they study, registered elsewhere; the colleges move to the new district in Tieling County;
graduates registered outside Tieling who do not stay leave the model."""
from __future__ import annotations

import numpy as np
import pytest

from sim import UrbanizationModel
from sim.parameters import Education
from sim.places import NEW_DISTRICT, OUTSIDE
from sim.population import education
from sim.population.columns import Job

from .conftest import small

YEARS = 4


def students_from_outside(model: UrbanizationModel) -> np.ndarray:
    """Persons at a Tieling college whose hukou is outside Tieling."""
    p = model.pop.persons
    a = model.alive()
    return a[(p.job[a] == Job.student) & (p.hk[a] == OUTSIDE) & (p.res[a] != OUTSIDE)]


def run_years(reform, years: int = YEARS, **overrides) -> UrbanizationModel:
    model = UrbanizationModel(small(reform, scale=0.02, seed=5, **overrides))
    for _ in range(years):
        model.step()
    return model


@pytest.fixture(scope="module")
def with_colleges(reform):
    return run_years(reform)


def test_host_share_rises_over_the_move():
    e = Education(college_move_year=2010, college_move_years=5, college_host_share=0.8)
    assert education.host_share(e, 2010) == 0.0
    assert education.host_share(e, 2012) == pytest.approx(0.32)
    assert education.host_share(e, 2015) == pytest.approx(0.8)
    assert education.host_share(e, 2030) == pytest.approx(0.8)
    assert education.host_share(e.model_copy(update={"college_move_years": 0}), 2011) == pytest.approx(0.8)


def test_students_from_outside_live_in_the_host_county_registered_elsewhere(with_colleges):
    model = with_colleges
    p, e = model.pop.persons, model.config.behaviour.education
    st = students_from_outside(model)
    in_host = st[p.res[st] == NEW_DISTRICT]
    # After the move, the host county has college_host_share of them: 3-4 cohorts of the outside intake.
    expected = e.college_intake * e.college_outside_share * e.college_host_share * 3
    assert expected * 0.8 < len(in_host) * model.pop.weight < expected * 1.4, len(in_host) * model.pop.weight
    assert len(in_host) > 2 * len(st[p.res[st] != NEW_DISTRICT])
    assert np.all((p.age[in_host] >= 18) & (p.age[in_host] <= 23))
    assert np.all(p.res_urban[in_host])
    # They count as residents registered elsewhere in the host county.
    a = model.alive()
    elsewhere = a[(p.res[a] == NEW_DISTRICT) & (p.hk[a] != NEW_DISTRICT)]
    assert set(in_host) <= set(elsewhere)


def test_without_outside_intake_the_host_county_has_few_students_from_outside(reform, with_colleges):
    """Switched off, only Tieling's own residents registered elsewhere study there."""
    off = run_years(reform, **{"behaviour.education.college_outside_share": 0.0})
    def in_host(model):
        st = students_from_outside(model)
        return len(st[model.pop.persons.res[st] == NEW_DISTRICT])
    assert in_host(with_colleges) > 10 * max(in_host(off), 1)


def test_graduates_from_outside_leave_the_model(reform):
    model = UrbanizationModel(small(reform, scale=0.01, **{"behaviour.education.graduate_return_rate": 1.0}))
    p, e = model.pop.persons, model.config.behaviour.education
    arrived = education.student_arrivals(model.pop, 2021, e, model.draws.year(2021))
    assert len(arrived) > 0 and np.all(p.alive[arrived]) and np.all(p.hk[arrived] == OUTSIDE)
    p.study_left[arrived] = 1
    done = education.graduate(model.pop, model.alive(), 2021, e, model.rules, model.census.urban.astype(float), model.draws.year(2021))
    assert set(arrived) <= set(done)
    # Even with every graduate of Tieling coming back, those registered outside leave ...
    assert not np.any(p.alive[arrived])
    # ... while Tieling's own graduates stay.
    own = done[p.hk[done] != OUTSIDE]
    assert len(own) > 0 and np.all(p.alive[own])


def test_colleges_before_the_move_are_in_the_old_city(reform):
    """With the move in 2030, students from outside study in the old city (银州区)."""
    model = run_years(reform, years=2, **{"behaviour.education.college_move_year": 2030})
    p = model.pop.persons
    st = students_from_outside(model)
    assert len(st[p.res[st] == education.OLD_CITY]) > 10 * max(len(st[p.res[st] == NEW_DISTRICT]), 1)
