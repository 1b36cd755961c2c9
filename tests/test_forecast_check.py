"""The forecast check's reader of published figures (experiments/forecast_check.py): the project's
own layout and data/figures.csv's, where each row that is a figure of an outcome must be read as
the calibration reads it and every other row skipped with its reason."""
from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from experiments.forecast_check import county_of, load_observed, outcome_of
from sim import EnsembleError, census_points, register_points

FIGURES = resources.files("sim") / "data" / "figures.csv"
HEADER = "geography,year,indicator,value,unit,source_url_or_repo_path,quote,confidence\n"


def _keyed(frame: pd.DataFrame) -> pd.Series:
    return frame.set_index(["year", "county", "outcome"]).value.sort_index()


def test_the_register_rows_of_figures_csv_read_as_the_calibration_reads_them():
    read = _keyed(load_observed(FIGURES, base_year=2016, end_max=2019).figures)
    expected = _keyed(register_points())
    assert read.loc[expected.index].to_numpy() == pytest.approx(expected.to_numpy())
    # and one more the calibration does not use: the city's town-hukou count of 2018
    assert read.loc[(2018, sim.CITY_CODE, "urban_hukou_holders")] == pytest.approx(1_265_000)


def test_the_2020_census_rows_of_figures_csv_match_the_census_tables():
    read = _keyed(load_observed(FIGURES, base_year=2019, end_max=2020).figures)
    census = census_points().query("year == 2020")
    expected = _keyed(census)
    assert set(expected.index) <= set(read.index)
    got = read.loc[expected.index]
    rates = expected.index.get_level_values("outcome") == "resident_urbanization_rate"
    assert got[~rates].to_numpy() == pytest.approx(expected[~rates].to_numpy())
    assert got[rates].to_numpy() == pytest.approx(expected[rates].to_numpy(), abs=5e-5)   # rounded to 0.01%


@pytest.mark.parametrize("indicator, unit, expected", [
    ("hukou (registered) population, year-end", "10k persons", ("hukou_holders", 1e4)),
    ("hukou (registered) total population (derived: urban + rural on the same page)", "10k persons",
     ("hukou_holders", 1e4)),
    ("hukou population: urban (城镇人口)", "10k persons", ("urban_hukou_holders", 1e4)),
    ("hukou population urban share", "%", ("hukou_urbanization_rate", 0.01)),
    ("resident population (census)", "persons", ("residents", 1.0)),
    ("urban share of resident population (derived)", "%", ("resident_urbanization_rate", 0.01)),
    ("share of hukou population aged 60+", "%", None),
    ("residents with hukou outside Liaoning", "persons", None),
    ("rural resident population (census)", "persons", None),
    ("GDP", "100m yuan", None),
])
def test_indicators_map_to_outcomes_or_are_refused(indicator, unit, expected):
    got = outcome_of(indicator, unit)
    assert got == expected if expected else isinstance(got, str)


def test_geographies_name_the_city_or_a_county():
    assert county_of("Tieling (铁岭市)") == sim.CITY_CODE
    assert county_of("Tieling County (铁岭县, part of Tieling)") == "211221"
    assert county_of("Kaiyuan City (开原市)") == "211282"
    assert county_of("Liaoning (辽宁省)") is None


def test_rows_that_are_not_figures_are_skipped_with_their_reason(tmp_path):
    path = tmp_path / "published.csv"
    path.write_text(HEADER
                    + "Tieling (铁岭市),2021,\"hukou (registered) population, year-end\",286.1,10k persons,x,q,high\n"
                    + "Tieling (铁岭市),2021,GDP,716.0,100m yuan,x,q,high\n"
                    + "Liaoning (辽宁省),2021,resident population,4229,10k persons,x,q,high\n"
                    + "Tieling (铁岭市),2022,resident population,about 235,10k persons,x,q,low\n"
                    + "Tieling (铁岭市),2019,resident population,240,10k persons,x,q,low\n", encoding="utf-8")
    obs = load_observed(path)
    assert obs.figures.to_dict("records") == [
        {"year": 2021, "county": sim.CITY_CODE, "outcome": "hukou_holders", "value": pytest.approx(2_861_000)}]
    reasons = dict(obs.skipped)
    assert set(reasons) == {3, 4, 5, 6}
    assert "unit" in reasons[3] and "not Tieling" in reasons[4]
    assert "not a number" in reasons[5] and "year '2019'" in reasons[6]


def test_a_file_without_one_figure_is_refused_naming_it(tmp_path):
    path = tmp_path / "published.csv"
    path.write_text(HEADER + "Tieling (铁岭市),2021,GDP,716.0,100m yuan,x,q,high\n", encoding="utf-8")
    with pytest.raises(EnsembleError, match="published.csv: expected at least one figure"):
        load_observed(path)


def test_the_check_command_reads_figures_in_the_published_layout(tmp_path):
    from urbsim.cli import app

    path = tmp_path / "published.csv"
    path.write_text(HEADER
                    + "Tieling (铁岭市),2021,\"hukou (registered) population, year-end\",1,10k persons,x,q,high\n"
                    + "Tieling (铁岭市),2021,GDP,716.0,100m yuan,x,q,high\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["ensemble", "check", str(path), "--members", "2", "--replicates", "2",
                                   "--scale", "0.005"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "1 figures to check; 1 rows skipped" in res.output
    assert "0 of 1 figures inside the band" in res.output      # 10,000 holders: far below any band
