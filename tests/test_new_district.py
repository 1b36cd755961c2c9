"""The new district (凡河新城 in Tieling County) as part of the city centre (sim/decisions/centre.py):
with `migration.new_district_pull` at 1 its town is a destination of moves to the centre and pays
the central wage premium; at 0 the centre is 银州区 and 清河区 only."""
from __future__ import annotations

import numpy as np
import pytest

from sim import UrbanizationModel, run
from sim.decisions import centre
from sim.decisions import migration as mig
from sim.places import CENTRAL, CODES, NEW_DISTRICT
from sim.population import moves_within

from .conftest import small

PULL = "behaviour.migration.new_district_pull"


def test_membership_and_weights():
    assert centre.membership(0.0)[NEW_DISTRICT] == 0.0
    assert centre.membership(1.0)[NEW_DISTRICT] == 1.0
    assert all(centre.membership(0.0)[list(CENTRAL)] == 1.0)
    town = np.arange(1.0, 8.0)
    # The new district's town is reached through the centre, not as "another county town".
    assert centre.other_town_weights(town, 1.0)[NEW_DISTRICT] == 0.0
    assert centre.other_town_weights(town, 0.0)[NEW_DISTRICT] == town[NEW_DISTRICT]
    np.testing.assert_allclose(centre.centre_weights(town, 0.5) + centre.other_town_weights(town, 0.5), town)
    assert centre.wage_premium(1.2, 1.0)[NEW_DISTRICT] == pytest.approx(1.2)
    assert centre.wage_premium(1.2, 0.0)[NEW_DISTRICT] == pytest.approx(1.0)


def central_destinations(reform, pull: float, n: int = 4000) -> np.ndarray:
    """Counties drawn for n village residents of Changtu who chose the centre."""
    model = UrbanizationModel(small(reform, scale=0.005, **{PULL: pull}))
    p = model.pop.persons
    a = model.alive()
    villagers = a[(p.res[a] == CODES.index("211224")) & ~p.res_urban[a]][:n]
    return moves_within.destinations(model.pop, villagers, np.full(len(villagers), mig.CENTRAL),
                                     model.within_setting(), model.year_draws)


def test_moves_to_the_centre_reach_the_new_district_only_with_the_pull(reform):
    off = central_destinations(reform, 0.0)
    on = central_destinations(reform, 1.0)
    assert set(off) <= set(CENTRAL)
    share = np.mean(on == NEW_DISTRICT)
    urban = UrbanizationModel(small(reform, scale=0.005)).census.urban
    expected = urban[NEW_DISTRICT] / urban[list(CENTRAL) + [NEW_DISTRICT]].sum()
    assert abs(share - expected) < 0.03, (share, expected)


def test_new_district_pays_the_central_premium(reform):
    on = UrbanizationModel(small(reform, scale=0.005, **{PULL: 1.0}))
    off = UrbanizationModel(small(reform, scale=0.005, **{PULL: 0.0}))
    premium = on.config.behaviour.work.central_wage_premium
    assert on.labour.base_wage[NEW_DISTRICT] == pytest.approx(on.labour.base_wage[CENTRAL[0]])
    assert off.labour.base_wage[NEW_DISTRICT] * premium == pytest.approx(off.labour.base_wage[CENTRAL[0]])


def test_pull_raises_tieling_county_town_arrivals(reform):
    """Over five years the new district's town gains more movers with the pull, in each of two
    seeds (paired: the same persons draw the same numbers with and without it), by at least 1%
    of the town's residents on average."""
    def town_residents(pull, seed):
        o = run(small(reform, scale=0.02, seed=seed, **{PULL: pull})).outcomes
        row = o[(o.county == CODES[NEW_DISTRICT]) & (o.outcome == "urban_residents") & (o.group == "all")]
        return row.set_index("year").value
    extra = []
    for seed in (1, 2):
        on, off = town_residents(1.0, seed), town_residents(0.0, seed)
        assert on.iloc[0] == off.iloc[0]
        gain_on, gain_off = on.iloc[-1] - on.iloc[0], off.iloc[-1] - off.iloc[0]
        assert gain_on > gain_off, (seed, gain_on, gain_off)
        extra.append((gain_on - gain_off) / on.iloc[0])
    assert np.mean(extra) > 0.01, extra
