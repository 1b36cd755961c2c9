"""Scenario files that ask for unbounded work are refused quickly with one clear line each.

A 1.7 KB file of nested aliases used to hang the validator and the dashboard; thousands
of unknown keys used to take time growing with their square (sim/yaml_guard.py)."""
from __future__ import annotations

import time

import pytest

from sim import ScenarioError, load_scenario, parse_scenario
from sim.scenario import MAX_PROBLEMS as MAX_PROBLEMS_HINT
from sim.yaml_guard import MAX_BYTES, MAX_DEPTH, read_yaml


def laughs(depth: int) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, depth + 1)]
    return "\n".join(lines + [f"description: *a{depth}"]) + "\n"


def problems(tmp_path, text: str, name: str = "bad.yaml") -> list[str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    return e.value.problems


@pytest.mark.parametrize("depth", [6, 8, 12])
def test_nested_aliases_are_refused_in_a_short_message(tmp_path, depth):
    start = time.process_time()
    found = problems(tmp_path, laughs(depth))
    assert time.process_time() - start < 5   # generous: the check is linear in the file
    assert len(found) == 1 and len(found[0]) < 300
    assert "bad.yaml" in found[0] and "aliases" in found[0]


def test_a_few_aliases_of_small_values_still_work():
    scenario = parse_scenario("name: &n reform_alias\ndescription: *n\n")
    assert scenario.description == "reform_alias"


def test_deep_nesting_is_refused_not_a_traceback(tmp_path):
    found = problems(tmp_path, "description: " + "[" * 600 + "]" * 600 + "\n")
    assert len(found) == 1 and f"at most {MAX_DEPTH} levels" in found[0]


def test_an_alias_inside_its_own_value_is_refused():
    with pytest.raises(ValueError, match="contains it"):
        read_yaml("a: &a [1, *a]\n")


def test_duplicate_keys_name_both_lines(tmp_path):
    found = problems(tmp_path, "name: one\nscale: 0.1\nname: two\n")
    assert found == [f"{tmp_path / 'bad.yaml'}:3: the key 'name' appears twice (first on line 1); "
                     "expected each key once"]


def test_duplicate_nested_keys_are_refused(tmp_path):
    found = problems(tmp_path, "policy:\n  purchase:\n    enabled: true\n    enabled: false\n")
    assert ":4:" in found[0] and "'enabled' appears twice" in found[0]


def test_an_oversized_file_is_refused_before_parsing(tmp_path):
    found = problems(tmp_path, "description: '" + "x" * (MAX_BYTES + 10) + "'\n")
    assert len(found) == 1 and "bytes; expected at most" in found[0]


def test_many_unknown_keys_give_a_bounded_list_quickly(tmp_path):
    text = "name: many\n" + "".join(f"unknown_{i}: 1\n" for i in range(9000))
    start = time.process_time()
    found = problems(tmp_path, text)
    assert time.process_time() - start < 10
    assert len(found) == MAX_PROBLEMS_HINT + 1
    assert found[0].startswith(f"{tmp_path / 'bad.yaml'}:2: unknown_0: unknown field")
    assert found[-1].endswith(f"and {9000 - MAX_PROBLEMS_HINT:,} more problems")


def test_a_long_wrong_value_is_cut_in_the_message(tmp_path):
    found = problems(tmp_path, "name: long\nscale: '" + "9" * 5000 + "'\n")
    assert len(found) == 1 and len(found[0]) < 400 and "characters)" in found[0]
