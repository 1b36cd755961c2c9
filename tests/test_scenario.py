"""Scenario files: validation messages, overrides, YAML round trip and the lever bounds.

A planner's mistake must come back as one line per problem naming the file, the
line, the field path, what was expected and what was found (docs/design.md §5).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError

from sim import CLAUSES, LEVERS, Scenario, ScenarioError, load_scenario, parse_scenario, scenario_yaml, with_overrides

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_FILES = sorted((ROOT / "scenarios").glob("*.yaml"))

# (file name, text, line, field path, text that must follow "expected", text that must follow "found")
BAD_FILES = [
    ("unknown_key.yaml",
     "name: bad_unknown\nbase_year: 2020\nend_year: 2030\npolicy:\n  purchase:\n    enabeld: false\n",
     6, "policy.purchase.enabeld", "enabled", "enabeld"),
    ("wrong_type.yaml",
     "name: bad_type\nend_year: 2030\nscale: lots\n",
     3, "scale", "number", "lots"),
    ("out_of_range.yaml",
     "name: bad_range\nend_year: 2030\npolicy:\n  settlement:\n    residence_years_required: 12\n",
     5, "policy.settlement.residence_years_required", "10", "12"),
    ("unknown_option.yaml",
     "name: bad_option\nend_year: 2030\npolicy:\n  graduates:\n    settlement: sometimes\n",
     5, "policy.graduates.settlement", "unrestricted", "sometimes"),
    ("years_reversed.yaml",
     "name: bad_years\nbase_year: 2020\nend_year: 2015\n",
     3, "end_year", "2020", "2015"),
    ("share_out_of_range.yaml",
     "name: bad_share\ninitial:\n  urban_hukou_share:\n    \"211202\": 1.5\n",
     4, "initial.urban_hukou_share.211202", "1", "1.5"),
    ("negative_hukou.yaml",
     "name: bad_hukou\ninitial:\n  hukou_holders:\n    \"211204\": -4\n",
     4, "initial.hukou_holders.211204", "0", "-4"),
    ("household_shares_over_one.yaml",
     "name: bad_shares\nbehaviour:\n  outside:\n    household_single_share: 0.8\n    household_couple_share: 0.3\n",
     5, "behaviour.outside.household_couple_share", "at most 0.2", "0.3"),
    ("spend_shares_over_one.yaml",
     "name: bad_spend\nbehaviour:\n  services:\n    spend_share_schools: 0.9\n    spend_share_clinics: 0.25\n",
     5, "behaviour.services.spend_share_clinics", "at most 0.1", "0.25"),
]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = info.value.problems
    assert problems and all(isinstance(p, str) and p for p in problems)
    assert str(info.value) == "\n".join(problems)
    return problems


def message_pattern(path: Path, line: int, field: str, expected: str, found: str) -> re.Pattern:
    """`FILE:LINE: FIELD: ... expected ...EXPECTED..., found ...FOUND...` on one line."""
    return re.compile(rf"^{re.escape(str(path))}:{line}: {re.escape(field)}: .*expected .*{re.escape(expected)}"
                      rf".*found .*{re.escape(found)}")


# --- files ------------------------------------------------------------------

@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    sc = load_scenario(path)
    assert isinstance(sc, Scenario)
    assert sc.end_year > sc.base_year


def test_at_least_the_reform_scenario_ships():
    assert ROOT / "scenarios" / "tieling_reform_2020.yaml" in SCENARIO_FILES


@pytest.mark.parametrize("name, text, line, field, expected, found", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_message_names_file_line_field_expected_found(tmp_path, name, text, line, field, expected, found):
    path = write(tmp_path, name, text)
    problems = problems_of(path)
    pattern = message_pattern(path, line, field, expected, found)
    assert any(pattern.search(p) for p in problems), (
        f"no problem line matches {pattern.pattern!r}; got:\n" + "\n".join(problems))


def test_unknown_county_key_names_the_county(tmp_path):
    path = write(tmp_path, "bad_county.yaml", "name: bad_county\ninitial:\n  hukou_holders:\n    \"211299\": 5\n")
    (problem,) = problems_of(path)
    # The path ends at the mapping (or the bad key), followed directly by ": ".
    assert re.match(rf"^{re.escape(str(path))}:4: initial\.hukou_holders(\.211299)?: ", problem), problem
    assert "211202" in problem and "'211299'" in problem   # what was expected, what was found


def test_bad_yaml_syntax_names_file_and_line(tmp_path):
    path = write(tmp_path, "syntax.yaml", "name: bad_syntax\nend_year: 2030\nscale: 0.1: 0.2\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3: ")
    assert "YAML" in problem and "mapping values are not allowed" in problem


def test_missing_file_is_named(tmp_path):
    path = tmp_path / "nowhere.yaml"
    (problem,) = problems_of(path)
    assert str(path) in problem and "not found" in problem


@pytest.mark.parametrize("text, found", [("- a\n- b\n", "list"), ("", "NoneType"), ("just text\n", "str")])
def test_top_level_must_be_a_mapping(tmp_path, text, found):
    path = write(tmp_path, "not_a_mapping.yaml", text)
    (problem,) = problems_of(path)
    assert problem.startswith(str(path)) and "mapping" in problem and found in problem


def test_every_problem_in_a_file_is_reported_with_its_own_line(tmp_path):
    text = ("name: bad multi\n"              # 1: pattern
            "seed: -1\n"                     # 2: below 0
            "scale: 0\n"                     # 3: not above 0
            "policy:\n"
            "  students:\n"
            "    hukou_mobility: sometimes\n"  # 6: unknown option
            "  purchase:\n"
            "    dependents: [spouse, cousins]\n")  # 8: unknown option in a list
    path = write(tmp_path, "multi.yaml", text)
    problems = problems_of(path)
    assert len(problems) == 5, problems
    lines = sorted(int(re.match(rf"{re.escape(str(path))}:(\d+): ", p).group(1)) for p in problems)
    assert lines == [1, 2, 3, 6, 8]
    assert any("policy.purchase.dependents" in p and "'cousins'" in p for p in problems)


def test_parse_scenario_names_its_source():
    with pytest.raises(ScenarioError) as info:
        parse_scenario("name: x\nscale: 2\n", source="upload.yaml")
    assert info.value.problems[0].startswith("upload.yaml:2: scale: ")


def test_minimal_file_takes_the_defaults(tmp_path):
    sc = load_scenario(write(tmp_path, "ok.yaml", "name: minimal\n"))
    assert sc == Scenario(name="minimal")
    assert sc.base_year == 2020 and sc.end_year > sc.base_year


def test_scenario_is_frozen(reform):
    with pytest.raises(ValidationError):
        reform.scale = 0.5
    with pytest.raises(ValidationError):
        reform.policy.purchase.enabled = False


# --- overrides --------------------------------------------------------------

def test_with_overrides_applies_nested_values_and_leaves_the_original(reform):
    sc = with_overrides(reform, {"policy.graduates.settlement": "closed", "scale": 0.2,
                                 "policy.purchase.min_floor_area_m2": 60})
    assert sc.policy.graduates.settlement == "closed"
    assert sc.scale == 0.2 and sc.policy.purchase.min_floor_area_m2 == 60.0
    assert reform.policy.graduates.settlement == "unrestricted" and reform.scale != 0.2
    assert sc.policy.insurance == reform.policy.insurance


@pytest.mark.parametrize("overrides, path", [
    ({"policy.graduates.settlement": "sometimes"}, "policy.graduates.settlement"),
    ({"scale": 2}, "scale"),
    ({"scale": 0}, "scale"),
    ({"policy.purchase.enabled": "maybe"}, "policy.purchase.enabled"),
    ({"policy.settlement.residence_years_required": -1}, "policy.settlement.residence_years_required"),
    ({"end_year": 2100}, "end_year"),
    ({"end_year": 2015}, "end_year"),
    ({"initial.urban_hukou_share": {"211202": 1.2}}, "initial.urban_hukou_share"),
])
def test_with_overrides_revalidates(reform, overrides, path):
    with pytest.raises(ScenarioError) as info:
        with_overrides(reform, overrides)
    assert any(re.search(rf"\b{re.escape(path)}\b", p) for p in info.value.problems), info.value.problems


@pytest.mark.parametrize("path", ["policy.nope", "policy.purchase.enabeld", "nope", "behaviour.outside.nope",
                                  "scale.value", "policy.purchase.enabled.x", "initial.nope"])
def test_with_overrides_rejects_unknown_paths(reform, path):
    with pytest.raises(ScenarioError) as info:
        with_overrides(reform, {path: 1})
    assert path.split(".")[-1] in str(info.value) or path in str(info.value)


def test_initial_overrides_can_name_counties(reform):
    sc = with_overrides(reform, {"initial.hukou_holders": {"211223": 400_000},
                                 "initial.urban_hukou_share": {"211223": 0.5}})
    assert sc.initial.hukou_holders == {"211223": 400_000}
    assert sc.initial.urban_hukou_share == {"211223": 0.5}


# --- YAML round trip ----------------------------------------------------------

@pytest.mark.parametrize("overrides", [
    {},
    {"policy.graduates.settlement": "conditional", "policy.purchase.dependents": ["spouse"],
     "policy.insurance.schemes": [], "policy.insurance.enabled": False, "policy.public_housing.eligible_groups": ["migrant_workers"]},
    {"base_year": 2010, "end_year": 2020, "seed": 2**32 - 1, "scale": 1.0,
     "initial.hukou_holders": {"211202": 360_000}, "initial.urban_hukou_share": {"211224": 0.25},
     "description": "备注：中文说明 with a colon: and a # hash"},
])
def test_scenario_yaml_round_trips(reform, overrides):
    sc = with_overrides(reform, overrides)
    text = scenario_yaml(sc)
    assert parse_scenario(text) == sc
    assert parse_scenario(scenario_yaml(parse_scenario(text))) == sc


def test_scenario_yaml_round_trips_through_a_file(reform, tmp_path):
    path = write(tmp_path, "copy.yaml", scenario_yaml(reform))
    assert load_scenario(path) == reform


# --- levers -------------------------------------------------------------------

def _get(sc: Scenario, path: str):
    obj = sc
    for key in path.split("."):
        obj = getattr(obj, key)
    return obj


def test_levers_are_declared_once_with_labels_and_clauses():
    paths = [lv.path for lv in LEVERS]
    assert len(paths) == len(set(paths)) and len(paths) >= 30
    default = Scenario(name="defaults")
    for lv in LEVERS:
        assert lv.path.startswith("policy.")
        assert lv.zh and lv.en, lv.path
        assert lv.clause in CLAUSES, lv.path
        value = _get(default, lv.path)
        value = [getattr(v, "value", v) for v in value] if isinstance(value, list) else getattr(value, "value", value)
        assert value == lv.default, lv.path
        if lv.kind in ("int", "float"):
            assert lv.lo is not None and lv.hi is not None and lv.lo <= lv.default <= lv.hi, lv.path
        if lv.kind == "choice":
            assert lv.default in lv.options


NUMERIC = [lv for lv in LEVERS if lv.kind in ("int", "float")]


def _in_bounds(lv):
    if lv.kind == "int":
        return st.integers(int(lv.lo), int(lv.hi))
    return st.floats(float(lv.lo), float(lv.hi), allow_nan=False)


def _out_of_bounds(lv):
    if lv.kind == "int":
        return st.integers(max_value=int(lv.lo) - 1) | st.integers(min_value=int(lv.hi) + 1)
    return (st.floats(max_value=float(lv.lo), exclude_max=True, allow_nan=False)
            | st.floats(min_value=float(lv.hi), exclude_min=True, allow_nan=False))


PROPERTY = settings(max_examples=60, deadline=None, database=None)


@PROPERTY
@given(data=st.data())
def test_any_in_bounds_lever_value_validates(reform, data):
    lv = data.draw(st.sampled_from(NUMERIC), label="lever")
    value = data.draw(_in_bounds(lv), label=lv.path)
    sc = with_overrides(reform, {lv.path: value, "end_year": 2060})   # a policy starts within the horizon
    assert _get(sc, lv.path) == value


@PROPERTY
@given(data=st.data())
def test_any_out_of_bounds_lever_value_is_rejected_naming_the_path(reform, data):
    lv = data.draw(st.sampled_from(NUMERIC), label="lever")
    value = data.draw(_out_of_bounds(lv), label=lv.path)
    assert not lv.lo <= value <= lv.hi
    with pytest.raises(ScenarioError) as info:
        with_overrides(reform, {lv.path: value})
    assert any(f"{lv.path}: " in p for p in info.value.problems), info.value.problems


@pytest.mark.parametrize("lv", NUMERIC, ids=lambda lv: lv.path)
def test_lever_bounds_are_inclusive_in_a_file(lv):
    for value in (lv.lo, lv.hi):
        text = "name: bounds\nend_year: 2060\npolicy:\n" + _nested_yaml(lv.path.split(".")[1:], value)
        assert _get(parse_scenario(text), lv.path) == value


def _nested_yaml(keys: list[str], value) -> str:
    lines = [f"{'  ' * (i + 1)}{k}:" for i, k in enumerate(keys[:-1])]
    lines.append(f"{'  ' * len(keys)}{keys[-1]}: {value}")
    return "\n".join(lines) + "\n"
