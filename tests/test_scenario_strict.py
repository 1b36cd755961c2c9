"""Scenario fields taken as typed and bounded, and rules across fields.

A value YAML reads as something else than the field wants (`scale: true`), a count beyond
Tieling's size, a register smaller than the residents registered there, a policy that never
starts, an insurance pathway with no scheme, repeated options and text that cannot be written:
each is one line naming the field, what was expected and what was found, at validate time,
not a traceback after the run.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

from sim import ScenarioError, parse_scenario, with_overrides
from sim.population.synthesis import registered_residents
from sim.scenario import MAX_COUNTY_HUKOU, MAX_DESCRIPTION, Scenario
from tests.test_cli import REFORM, cli, error_lines


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="s.yaml")
    return info.value.problems


def one_problem(text: str, line: int, path: str, expected: str, found: str) -> str:
    (problem,) = problems(text)
    assert problem.startswith(f"s.yaml:{line}: {path}: expected "), problem
    assert expected in problem.split(", found ")[0], problem
    assert found in problem.split(", found ")[-1], problem
    assert len(problem) < 400
    return problem


@pytest.mark.parametrize("text, line, path, expected, found", [
    ("name: x\nscale: true\n", 2, "scale", "number", "True"),
    ("name: x\nscale: '0.1'\n", 2, "scale", "number", "'0.1'"),
    ("name: x\nseed: false\n", 2, "seed", "whole number", "False"),
    ("name: x\npolicy:\n  settlement:\n    residence_years_required: true\n", 4,
     "policy.settlement.residence_years_required", "whole number", "True"),
    ("name: x\nbehaviour:\n  outside:\n    in_rate: yes\n", 4, "behaviour.outside.in_rate", "number", "True"),
    ("name: x\ninitial:\n  hukou_holders:\n    '211204': true\n", 3, "initial.hukou_holders", "number", "True"),
], ids=["scale-true", "scale-text", "seed-false", "lever-true", "param-yes", "hukou-true"])
def test_booleans_and_text_are_not_numbers(text, line, path, expected, found):
    one_problem(text, line, path, expected, found)


def test_numbers_of_any_kind_still_pass():
    sc = with_overrides(Scenario(name="x"), {"scale": np.float64(0.02), "seed": np.int64(4),
                                             "policy.settlement.residence_years_required": 3.0})
    assert sc.scale == 0.02 and sc.seed == 4 and sc.policy.settlement.residence_years_required == 3


def test_a_county_register_beyond_the_city_is_refused_before_any_memory_is_used():
    problem = one_problem("name: x\ninitial:\n  hukou_holders:\n    '211204': 100000000000\n", 4,
                          "initial.hukou_holders.211204", f"{MAX_COUNTY_HUKOU}", "100000000000")
    assert "3000000" in problem


@pytest.mark.parametrize("base_year", [2010, 2020])
def test_a_register_below_its_registered_residents_names_the_minimum(base_year):
    least = registered_residents(base_year, 0.4)
    assert least.shape == (7,) and (least > 50_000).all()   # every county has tens of thousands
    need = int(least[1])
    text = f"name: x\nbase_year: {base_year}\ninitial:\n  hukou_holders:\n    '211204': 0\n"
    one_problem(text, 5, "initial.hukou_holders.211204", f"at least {need:,}", "0")
    ok = parse_scenario(text.replace(": 0\n", f": {need}\n"))
    assert ok.initial.hukou_holders == {"211204": need}


def test_the_minimum_is_what_synthesis_draws():
    """Built at a small scale with the minimum register, the county's holders living in the city
    are within sampling of the minimum: the check and the synthesis agree."""
    from sim.model import UrbanizationModel
    from sim.places import OUTSIDE
    need = int(registered_residents(2020, 0.4)[1])
    sc = with_overrides(Scenario(name="x", scale=0.02, end_year=2021),
                        {"initial.hukou_holders": {"211204": need}})
    pop = UrbanizationModel(sc).pop
    p = pop.persons
    alive = p.view("alive")
    in_city = alive & (p.view("hk") == 1) & (p.view("res") != OUTSIDE)
    assert abs(in_city.sum() / 0.02 - need) < 0.03 * need


def test_a_policy_starting_after_the_horizon_is_accepted():
    """Until `policy.start_year` the historical rules apply: a 2010 backtest or a calibration run
    that ends before the 2020 reform runs under them throughout, on purpose."""
    sc = parse_scenario("name: x\nbase_year: 2010\nend_year: 2014\npolicy:\n  start_year: 2020\n")
    assert sc.policy.start_year > sc.end_year


def test_insurance_enabled_without_schemes_is_refused():
    one_problem("name: x\npolicy:\n  insurance:\n    enabled: true\n    schemes: []\n", 5,
                "policy.insurance.schemes", "at least one scheme", "[]")
    sc = parse_scenario("name: x\npolicy:\n  insurance:\n    enabled: false\n    schemes: []\n")
    assert sc.policy.insurance.schemes == []


@pytest.mark.parametrize("field, value", [("purchase.dependents", "[spouse, spouse, spouse]"),
                                          ("insurance.schemes", "[medical, medical]"),
                                          ("public_housing.eligible_groups", "[new_employees, new_employees]")])
def test_repeated_options_are_refused(field, value):
    block, name = field.split(".")
    one_problem(f"name: x\npolicy:\n  {block}:\n    {name}: {value}\n", 4, f"policy.{field}", "at most once",
                value.split(",")[0].strip("["))


def test_description_length_is_capped():
    one_problem(f"name: x\ndescription: {'a' * (MAX_DESCRIPTION + 1)}\n", 2, "description", f"{MAX_DESCRIPTION}",
                "characters")


@pytest.mark.parametrize("text", ['name: x\ndescription: "\\ud800"\n', 'name: x\ndescription: "ok \\udfff"\n'])
def test_unwritable_text_is_refused_at_validate_time(text):
    one_problem(text, 2, "description", "UTF-8", "\\ud")


# --- the command line -------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    (["--set", "scale=true"], ["scale", "number", "True"]),
    (["--set", "scale=abc"], ["scale", "number", "abc"]),
    (["--set", "scale=abc", "--scale", "0.01"], ["--scale", "--set scale", "one of them"]),
    (["--set", "end_year=2030", "--end-year", "2022"], ["--end-year", "--set end_year", "one of them"]),
    (["--set", "seed=1", "--set", "seed=2"], ["seed", "twice"]),
    (["--set", "initial.hukou_holders={'211204': 100000000000}"], ["initial.hukou_holders.211204", "3000000"]),
    (["--set", "description=\"\\ud800\""], ["description", "UTF-8"]),
], ids=["scale-true", "scale-abc", "set-and-scale", "set-and-end-year", "set-twice", "huge-register", "surrogate"])
def test_run_refuses_bad_and_conflicting_overrides_before_running(tmp_path, args, words):
    out = tmp_path / "out"
    result = cli("run", REFORM, "--out", out, *args)
    assert result.exit_code == 2, result.output
    lines = error_lines(result)
    assert len(lines) == 1 and all(w in lines[0] for w in words), lines
    assert not out.exists()


def test_validate_exits_2_on_each_kind(tmp_path):
    texts = {"bool.yaml": "name: x\nscale: true\n",
             "never.yaml": "name: x\npolicy:\n  insurance:\n    schemes: []\n",
             "surrogate.yaml": 'name: x\ndescription: "\\ud800"\n'}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = cli("validate", *sorted(tmp_path.iterdir()))
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 3 and all(re.match(r"^\S+\.yaml:\d+: \S+: expected ", ln) for ln in lines), lines


def test_an_override_value_is_read_by_the_guarded_reader():
    """`--set` values are YAML too: aliases expanding to 100,000 values are refused as in a file;
    plain values still read."""
    from sim import parse_override
    laughs = "x=[&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a], " \
             "&c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b], &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c], " \
             "&e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]]"
    with pytest.raises(ScenarioError, match="the value is not YAML the simulator reads"):
        parse_override(laughs)
    assert parse_override("policy.purchase.enabled=false") == ("policy.purchase.enabled", False)
