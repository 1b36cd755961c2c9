"""The census tables and the base-year population synthesized from them.

Every marginal is compared weighted by `pop.weight` (real persons), per county.
Tolerances, and why:

- residents, urban share, age x sex: counts are rounded so that totals hold
  (`round_preserving`), so at scale 1.0 they are exact and at a sample scale each
  cell is within one or two sampled persons.
- family households and household size: households are rounded per generation type
  and town/village part (at most one household each), persons in family households
  per town/village part (one person each).
- education (persons aged 6 and over, the census universe in both years): adults take
  the census counts net of the children, whose levels follow their age, so a cell is
  off by the children's sampling noise; 0.5% at scale 1.0, 4% per county x sex x level
  cell and 1% for the city at scale 0.05.
- residents registered elsewhere: whole households are taken until the next would
  overshoot, twice per county (registered outside Tieling; in another Tieling county),
  so the count falls short by less than two households.
- hukou holders: the registered people living outside are added to make up the
  estimate (or the planner's figure), so each county matches to a sampled person.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from sim import CITY_CODE, COUNTIES, with_overrides
from sim.places import OUTSIDE
from sim.population.census import AGE_LOWER, AGE_UPPER, load_census
from sim.population.synthesis import estimate_hukou, synthesize

N = len(COUNTIES)
CODES = [c.code for c in COUNTIES]
SEED = 20200


# --- the census tables ---------------------------------------------------------

def raw_census(year: int) -> pd.DataFrame:
    """The packaged census table with the city row, column names normalised as sim does."""
    with (resources.files("sim") / "data" / f"tieling_census_{year}_counties.csv").open("rb") as f:
        df = pd.read_csv(f, dtype={"区划代码": str})
    df.columns = [re.sub(r"\s+", "", c).replace("(", "（").replace(")", "）") for c in df.columns]
    return df.set_index("区划代码")


TOTALS = {2010: ("合计", "男", "女"), 2020: ("人口数_合计", "人口数_男", "人口数_女")}


def age_columns(year: int, sex: str) -> list[str]:
    if year == 2010:
        labels = ["0岁", "1-4岁"] + [f"{a}-{a + 4}岁" for a in range(5, 85, 5)] + ["85岁及以上"]
        return [f"{lab}（{sex}）" for lab in labels]
    labels = ["0岁", "1到4岁"] + [f"{a}到{a + 4}岁" for a in range(5, 85, 5)] + ["85岁以上"]
    return [f"{sex}_{lab}" for lab in labels]


@pytest.mark.parametrize("year", [2010, 2020])
def test_census_rows_cover_the_city_and_its_counties(year):
    df = raw_census(year)
    assert sorted(df.index) == sorted(CODES + [CITY_CODE])


@pytest.mark.parametrize("year", [2010, 2020])
def test_census_age_groups_add_up_to_residents(year):
    df = raw_census(year)
    total, male, female = TOTALS[year]
    men, women = df[age_columns(year, "男")], df[age_columns(year, "女")]
    assert men.shape[1] == women.shape[1] == len(AGE_LOWER) == 19
    for code in df.index:   # every unit, the city included
        assert men.loc[code].sum() == df.loc[code, male], code
        assert women.loc[code].sum() == df.loc[code, female], code
        assert df.loc[code, male] + df.loc[code, female] == df.loc[code, total], code
        assert df.loc[code, "城镇人口"] + df.loc[code, "乡村人口"] == df.loc[code, total], code


@pytest.mark.parametrize("year", [2010, 2020])
def test_census_city_row_is_the_sum_of_its_counties(year):
    """Every count column adds up; rates, shares and averages (float columns) do not, nor does
    城区人口 (the city's built-up area is the central city's, not the sum of the counties')."""
    df = raw_census(year)
    counts = [c for c in df.columns if pd.api.types.is_integer_dtype(df[c]) and c not in ("census_year", "城区人口")]
    assert len(counts) > 100
    city, counties = df.loc[CITY_CODE, counts], df.loc[CODES, counts].sum()
    wrong = {c: (city[c], counties[c]) for c in counts if city[c] != counties[c]}
    assert not wrong


@pytest.mark.parametrize("year", [2010, 2020])
def test_load_census_is_consistent_with_the_table(year):
    c, df = load_census(year), raw_census(year).loc[CODES]
    total = TOTALS[year][0]
    np.testing.assert_array_equal(c.residents, df[total].to_numpy(float))
    np.testing.assert_array_equal(c.age_sex.sum(axis=(1, 2)), c.residents)
    assert c.age_sex.shape == (N, 2, 19) and c.education.shape == (N, 2, 6)
    assert (c.urban <= c.residents).all() and (c.household_persons <= c.residents).all()
    assert np.allclose(c.tenure.sum(axis=1), 1)
    # Education is published for persons aged 6 and over in both censuses.
    aged6 = persons_aged(c.age_sex.sum(axis=1), 6, 200)
    np.testing.assert_allclose(c.education.sum(axis=(1, 2)), aged6, rtol=0.01)
    if year == 2010:
        np.testing.assert_array_equal(c.hukou, df["户籍人口"].to_numpy(float))
        assert ((0 < c.nonagri_share) & (c.nonagri_share < 1)).all()


def persons_aged(groups: np.ndarray, lo: int, hi: int) -> np.ndarray:
    width = (AGE_UPPER - AGE_LOWER + 1).astype(float)
    overlap = np.clip(np.minimum(AGE_UPPER, hi) - np.maximum(AGE_LOWER, lo) + 1, 0, None)
    return (groups * (overlap / width)).sum(axis=-1)


# --- the synthesized population -------------------------------------------------

@dataclass
class Marginals:
    """Weighted counts per county of one synthesized population (the population itself is dropped)."""
    year: int
    scale: float
    weight: float
    residents: np.ndarray
    urban: np.ndarray
    age_sex: np.ndarray          # (7, 2, 19)
    households: np.ndarray       # family households
    household_persons: np.ndarray
    max_household: int
    education: np.ndarray        # (7, 2, 6), residents aged 6+
    elsewhere: np.ndarray        # residents whose hukou is not in their county of residence
    hukou: np.ndarray            # hukou holders, wherever they live
    urban_hukou: np.ndarray
    sampled_hukou: np.ndarray    # unweighted
    invariants: dict


def table(keys: tuple, mask: np.ndarray, shape: tuple) -> np.ndarray:
    """Counts of rows where `mask` holds, by the combination of `keys` (a cross table)."""
    flat = np.ravel_multi_index(tuple(k[mask].astype(np.int64) for k in keys), shape)
    return np.bincount(flat, minlength=int(np.prod(shape))).reshape(shape).astype(float)


def marginals(year: int, scale: float, pop) -> Marginals:
    p, h, w = pop.persons, pop.households, pop.weight
    a = p.view("alive")
    res, hk, age = p.view("res")[a], p.view("hk")[a], p.view("age")[a]
    female, edu, hh = p.view("female")[a].astype(int), p.view("edu")[a], p.view("hh")[a]
    urban = p.view("res_urban")[a]
    here = res < OUTSIDE

    def count(index, mask):
        return np.bincount(index[mask], minlength=OUTSIDE + 1)[:N] * w

    group = np.searchsorted(AGE_LOWER, age, side="right") - 1
    age_sex = table((res, female, group), here, (N, 2, 19)) * w
    education = table((res, female, edu), here & (age >= 6), (N, 2, 6)) * w
    h_alive, coll, county = h.view("alive"), h.view("collective"), h.view("county")
    family = h_alive & ~coll & (county < OUTSIDE)
    size = np.bincount(hh, minlength=h.n)
    invariants = {
        "households valid": bool(((hh >= 0) & (hh < h.n)).all() and h_alive[hh].all()),
        "household lives where its members live": bool((county[hh] == res).all() and (h.view("urban")[hh] == urban).all()),
        "no empty living household": bool((size[h_alive] > 0).all()),
        "collective households hold one person": bool((size[h_alive & coll] == 1).all()),
        "codes in range": bool(((res >= 0) & (res <= OUTSIDE) & (hk >= 0) & (hk <= OUTSIDE)).all()),
        "people living outside are registered in Tieling": bool((hk[~here] < OUTSIDE).all()),
        "urban hukou only for Tieling hukou": bool(not (p.view("hk_urban")[a] & (hk == OUTSIDE)).any()),
        "ages 0-110": bool(((age >= 0) & (age <= 110)).all()),
    }
    return Marginals(
        year=year, scale=scale, weight=w,
        residents=count(res, here), urban=count(res, here & urban), age_sex=age_sex,
        households=np.bincount(county[family], minlength=OUTSIDE + 1)[:N] * w,
        household_persons=count(res, here & ~coll[hh]), max_household=int(size.max()),
        education=education, elsewhere=count(res, here & (hk != res)),
        hukou=count(hk, hk < OUTSIDE), urban_hukou=count(hk, (hk < OUTSIDE) & p.view("hk_urban")[a]),
        sampled_hukou=count(hk, hk < OUTSIDE) / w, invariants=invariants,
    )


def scenario_for(reform, year: int, scale: float, **extra):
    return with_overrides(reform, {"base_year": year, "scale": scale, **extra})


def build(reform, year: int, scale: float) -> tuple[Marginals, object]:
    sc = scenario_for(reform, year, scale)
    return marginals(year, scale, synthesize(sc, np.random.default_rng(SEED))), sc


# Each check compares one marginal with the census; it raises AssertionError when off.

def check_weight(m: Marginals, sc) -> None:
    assert m.weight == pytest.approx(1 / sc.scale)


def check_well_formed(m: Marginals, sc) -> None:
    broken = [name for name, ok in m.invariants.items() if not ok]
    assert not broken, f"broken: {broken}"


def check_residents(m: Marginals, sc) -> None:
    census = load_census(m.year)
    if m.scale == 1.0:
        np.testing.assert_array_equal(m.residents, census.residents)
    else:
        np.testing.assert_allclose(m.residents, census.residents, rtol=0.005)


def check_urban_share(m: Marginals, sc) -> None:
    census = load_census(m.year)
    np.testing.assert_allclose(m.urban / m.residents, census.urban / census.residents, atol=0.005)


def check_age_sex(m: Marginals, sc) -> None:
    census = load_census(m.year)
    if m.scale == 1.0:
        np.testing.assert_array_equal(m.age_sex, census.age_sex)
    else:
        assert np.abs(m.age_sex - census.age_sex).max() <= 2 * m.weight


def check_households(m: Marginals, sc) -> None:
    census = load_census(m.year)
    assert np.abs(m.households - census.households).max() <= 8 * m.weight
    np.testing.assert_allclose(m.household_persons / m.households, census.household_persons / census.households,
                               rtol=0.005)


def check_education(m: Marginals, sc) -> None:
    """Persons aged 6 and over by county, sex and level (the census universe)."""
    census = load_census(m.year)
    cell_tol = 0.005 if m.scale == 1.0 else 0.04
    rel = np.abs(m.education / census.education - 1)
    worst = np.unravel_index(rel.argmax(), rel.shape)
    assert rel.max() <= cell_tol, (
        f"education: county {CODES[worst[0]]}, {'female' if worst[1] else 'male'}, level {worst[2]}: "
        f"{m.education[worst]:.0f} synthesized vs {census.education[worst]:.0f} in the census "
        f"({rel.max():.1%} off, tolerance {cell_tol:.1%})")
    np.testing.assert_allclose(m.education.sum(axis=0), census.education.sum(axis=0), rtol=0.01)


def check_registered_elsewhere(m: Marginals, sc) -> None:
    census = load_census(m.year)
    target = census.elsewhere_other_county + census.elsewhere_province
    assert np.abs(m.elsewhere - target).max() <= (2 * m.max_household + 2) * m.weight
    np.testing.assert_allclose(m.elsewhere, target, rtol=0.05)


def check_hukou(m: Marginals, sc) -> None:
    hukou, share = estimate_hukou(load_census(m.year), sc)
    diff = m.hukou - hukou
    assert np.abs(diff).max() <= 2 * m.weight, (
        "hukou holders, synthesized minus estimated: " + ", ".join(f"{c} {d:+.0f}" for c, d in zip(CODES, diff)))
    # The town share of each county's hukou holders, to one sampled person.
    assert (np.abs(m.urban_hukou / m.hukou - share) <= 1 / m.sampled_hukou + 1e-12).all()


CHECKS = {f.__name__.removeprefix("check_"): f for f in (
    check_weight, check_well_formed, check_residents, check_urban_share, check_age_sex, check_households,
    check_education, check_registered_elsewhere, check_hukou)}

_sample: dict[int, tuple[Marginals, object]] = {}


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("year", [2020, 2010])
def test_population_at_scale_0_05(reform, year, check):
    """One check per test on a 5% sample (built once per test process and year)."""
    if year not in _sample:
        _sample[year] = build(reform, year, 0.05)
    CHECKS[check](*_sample[year])


@pytest.mark.slow
@pytest.mark.parametrize("year", [2020, 2010])
def test_population_at_full_scale(reform, year):
    """Every check on the whole population (about 3.2 M persons, ~4 s to build): built by one
    test only, so that it is built once whichever worker runs it; all failing checks are reported."""
    m, sc = build(reform, year, 1.0)
    failures = []
    for name, check in CHECKS.items():
        try:
            check(m, sc)
        except AssertionError as e:
            failures.append(f"{name}: {str(e).strip()}")
    assert not failures, "\n".join(failures)


def test_estimate_hukou_2010_is_the_census():
    from sim import Scenario
    c = load_census(2010)
    hukou, share = estimate_hukou(c, Scenario(name="x", base_year=2010))
    np.testing.assert_array_equal(hukou, c.hukou)
    np.testing.assert_array_equal(share, c.nonagri_share)
    assert hukou.sum() == 3_037_127     # 户籍人口 of the city row of the 2010 census


def test_estimate_hukou_2020_is_plausible():
    """Not published for 2020: 2010 hukou carried forward by natural growth, town share raised."""
    from sim import Scenario
    c10, c20 = load_census(2010), load_census(2020)
    hukou, share = estimate_hukou(c20, Scenario(name="x"))
    assert (np.abs(hukou / c10.hukou - 1) < 0.1).all()
    assert (share >= c10.nonagri_share).all() and ((0 < share) & (share < 1)).all()
    # Tieling's hukou holders outnumber its residents (docs/design.md §1): people registered here live outside.
    assert hukou.sum() > c20.residents.sum()


@pytest.mark.xdist_group("synth-override")
def test_initial_hukou_overrides_take_effect(reform):
    over = {"initial.hukou_holders": {"211223": 400_000}, "initial.urban_hukou_share": {"211223": 0.5, "211202": 0.9}}
    base = scenario_for(reform, 2020, 0.05)
    sc = with_overrides(base, over)
    default_hukou, default_share = estimate_hukou(load_census(2020), base)
    hukou, share = estimate_hukou(load_census(2020), sc)
    i, j = CODES.index("211223"), CODES.index("211202")
    assert hukou[i] == 400_000 and share[i] == 0.5 and share[j] == 0.9
    others = [k for k in range(N) if k != i]
    np.testing.assert_array_equal(hukou[others], default_hukou[others])
    assert default_hukou[i] < 360_000      # the override is a real change (+15% or more)

    m = marginals(2020, 0.05, synthesize(sc, np.random.default_rng(SEED)))
    assert m.hukou[i] == pytest.approx(400_000, rel=0.01)
    assert m.urban_hukou[i] / m.hukou[i] == pytest.approx(0.5, abs=0.005)
    assert m.urban_hukou[j] / m.hukou[j] == pytest.approx(0.9, abs=0.005)
    # Residents are the census's whatever the registry says.
    np.testing.assert_allclose(m.residents, load_census(2020).residents, rtol=0.005)


def test_synthesis_is_reproducible(reform):
    sc = scenario_for(reform, 2020, 0.01)
    a, b = synthesize(sc, np.random.default_rng(5)), synthesize(sc, np.random.default_rng(5))
    c = synthesize(sc, np.random.default_rng(6))
    for name in a.persons.schema:
        np.testing.assert_array_equal(a.persons.view(name), b.persons.view(name), err_msg=name)
    assert not all(np.array_equal(a.persons.view(n), c.persons.view(n)) for n in ("age", "hh", "res_urban"))
