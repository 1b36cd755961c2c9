"""Sweep specs: validation messages, design sizes, replicate seeds (no simulation runs here)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from experiments import SweepError, design_size, load_sweep, plan_sweep, replicate_seeds
from experiments.design import UNIT_PREFIX
from experiments.factors import factors_of
from experiments.spec import Kind

from .test_sweep_support import ROOT, write_spec

SPECS = sorted((ROOT / "experiments" / "specs").glob("*.yaml"))


def test_example_specs_are_valid():
    assert {p.name for p in SPECS} >= {"smoke.yaml", "reform_levers_morris.yaml", "reform_levers_sobol.yaml",
                                       "grid_purchase_land.yaml"}
    for path in SPECS:
        spec = load_sweep(path)
        assert spec.base_path.is_file()
    smoke = load_sweep(ROOT / "experiments" / "specs" / "smoke.yaml")
    assert design_size(smoke) * smoke.replicates <= 12
    assert smoke.scale <= 0.01


@pytest.mark.parametrize("design, factors, rows", [
    ({"method": "grid", "levels": 3},
     {"policy.graduates.settlement": {}, "policy.settlement.residence_years_required": {"lo": 0, "hi": 4}}, 9),
    ({"method": "grid"},
     {"policy.purchase.enabled": {}, "policy.settlement.residence_years_required": {"lo": 0, "hi": 1, "levels": 5}},
     4),   # integer levels 0, 0.25, ... round to 0 and 1: duplicates dropped
    ({"method": "lhs", "n": 10}, {"policy.publicity.reach_per_year": {"lo": 0, "hi": 1}}, 10),
    ({"method": "sobol", "n": 8},
     {"policy.graduates.settlement": {}, "policy.publicity.reach_per_year": {"lo": 0, "hi": 1},
      "behaviour.outside.return_rate": {"lo": 0.01, "hi": 0.05}}, 8 * (3 + 2)),
    ({"method": "sobol", "n": 8, "second_order": True},
     {"policy.graduates.settlement": {}, "policy.publicity.reach_per_year": {"lo": 0, "hi": 1},
      "behaviour.outside.return_rate": {"lo": 0.01, "hi": 0.05}}, 8 * (2 * 3 + 2)),
    ({"method": "morris", "trajectories": 5},
     {"policy.graduates.settlement": {}, "policy.publicity.reach_per_year": {"lo": 0, "hi": 1},
      "scale": {"lo": 0.004, "hi": 0.006}}, 5 * (3 + 1)),
])
def test_design_sizes(tmp_path, design, factors, rows):
    fields = {"design": design, "factors": factors, "replicates": 3}
    if "scale" in factors:
        fields["scale"] = None
    spec = load_sweep(write_spec(tmp_path, **fields))
    assert design_size(spec) == rows
    plan = plan_sweep(spec, code_version="test")
    assert len(plan.table) == rows * 3
    assert plan.n_rows == rows
    assert sorted(set(plan.table.row)) == list(range(rows))
    assert plan.n_runs <= rows * 3
    assert set(plan.tasks) == set(plan.table.run_id)
    if design["method"] != "grid":
        unit = plan.table[[c for c in plan.table.columns if c.startswith(UNIT_PREFIX)]].to_numpy()
        assert unit.min() >= 0 and unit.max() <= 1


def test_common_random_numbers(tmp_path):
    spec = load_sweep(write_spec(tmp_path, replicates=4, seed=99))
    plan = plan_sweep(spec, code_version="test")
    expected = [99, 100, 101, 102]      # sim.replicate_seeds: the spec's seed, then the next ones
    assert plan.seeds == expected == replicate_seeds(99, 4)
    for _, cell in plan.table.groupby("row"):
        assert list(cell.sort_values("replicate").seed) == expected
    # Scenarios carry the seed; distinct rows × replicates are distinct runs.
    assert plan.n_runs == len(plan.table)
    assert {t.scenario["seed"] for t in plan.tasks.values()} == set(expected)


def test_design_is_deterministic_and_run_ids_follow_the_code_version(tmp_path):
    spec = load_sweep(write_spec(tmp_path, design={"method": "sobol", "n": 4}))
    a, b = plan_sweep(spec, code_version="v1"), plan_sweep(spec, code_version="v1")
    assert a.table.equals(b.table)
    c = plan_sweep(spec, code_version="v2")
    assert not set(a.table.run_id) & set(c.table.run_id)


def test_values_of_choice_and_integer_factors(tmp_path):
    spec = load_sweep(write_spec(tmp_path, design={"method": "lhs", "n": 30}, factors={
        "policy.graduates.settlement": {},
        "policy.settlement.residence_years_required": {"lo": 1, "hi": 3},
        "policy.purchase.dependents": {"choices": [["spouse"], ["spouse", "children", "parents"]]},
    }))
    g, years, deps = factors_of(spec)
    assert g.kind == Kind.choice and g.choices == ["unrestricted", "conditional", "closed"]
    assert [g.value_at(u) for u in (0, 0.34, 0.67, 1.0)] == ["unrestricted", "conditional", "closed", "closed"]
    assert years.kind == Kind.int and [years.value_at(u) for u in (0, 0.5, 0.99, 1)] == [1, 2, 3, 3]
    assert "integer levels" in g.encoding and "0=unrestricted" in g.encoding
    plan = plan_sweep(spec, code_version="test")
    assert set(plan.table["policy.settlement.residence_years_required"]) == {1, 2, 3}
    assert set(plan.table["level:policy.graduates.settlement"]) == {0, 1, 2}
    assert set(plan.table["policy.purchase.dependents"]) == {'["spouse"]', '["spouse", "children", "parents"]'}
    some = next(iter(plan.tasks.values()))
    assert some.scenario["policy"]["settlement"]["residence_years_required"] in (1, 2, 3)


BAD = [
    ({"replicate": 2}, r"spec.yaml:\d+: replicate: unknown field; expected one of the known fields \(name, "),
    ({"factors": {"policy.graduates.setlement": {}}},
     r"spec.yaml:\d+: factors.policy.graduates.setlement: unknown field policy.graduates.setlement; .*did you mean "
     r"policy.graduates.settlement"),
    ({"factors": {"policy.graduates": {}}}, r"factors.policy.graduates: policy.graduates is a block of fields"),
    ({"factors": {"policy.publicity.reach_per_year": {"lo": 0.5, "hi": 0.2}}},
     r"factors.policy.publicity.reach_per_year.hi: expected a value above lo=0.5, found 0.2"),
    ({"factors": {"behaviour.outside.return_rate": {"lo": 0.1, "hi": 0.9}}},
     r"factors.behaviour.outside.return_rate.hi: expected less than or equal to 0.5, found 0.9"),
    ({"factors": {"policy.graduates.settlement": {"choices": ["unrestricted", "bogus"]}}},
     r"factors.policy.graduates.settlement.choices\[1\]: expected 'unrestricted', 'conditional' or 'closed', "
     r"found 'bogus'"),
    ({"factors": {"policy.purchase.enabled": {"lo": 0, "hi": 1}}},
     r"factors.policy.purchase.enabled: expected choices \(one of \[False, True\]\)"),
    ({"factors": {"policy.settlement.residence_years_required": {"lo": 0.5, "hi": 3}}},
     r"factors.policy.settlement.residence_years_required.lo: expected a valid integer"),
    ({"factors": {"behaviour.work.town_wage": {"lo": 1000}}},
     r"factors.behaviour.work.town_wage.hi: required with lo"),
    ({"factors": {"seed": {"lo": 0, "hi": 10}}}, r"factors.seed: seed cannot be a factor"),
    ({"outcomes": ["hukou_urbanisation_rate"]},
     r"spec.yaml:\d+: outcomes\[0\]: expected one of the outcomes .* found 'hukou_urbanisation_rate' "
     r"\(did you mean hukou_urbanization_rate\?\)"),
    ({"years": [2019]}, r"spec.yaml:\d+: years\[0\]: expected a year from 2020 to 2022, found 2019"),
    ({"design": {"method": "sobol", "n": 10}}, r"design.n: expected a power of 2 .* found 10"),
    ({"design": {"method": "factorial"}}, r"design.method: expected one of \(grid, lhs, sobol, morris\), "
                                          r"found 'factorial'"),
    ({"design": {"method": "lhs"}}, r"spec.yaml:\d+: design.n: required field is missing"),
    ({"design": {"method": "morris", "trajectories": 4, "levels": 3}}, r"design.levels: expected an even number"),
    ({"base": "no_such_scenario.yaml"}, r"spec.yaml:\d+: base: .*no_such_scenario.yaml: file not found"),
    ({"overrides": {"policy.nope": 1}}, r"spec.yaml:\d+: overrides: .*policy.nope"),
    ({"overrides": {"policy.publicity.reach_per_year": 0.5}},
     r"overrides.policy.publicity.reach_per_year: is also a factor"),
    ({"scale": 2}, r"spec.yaml:\d+: scale: expected less than or equal to 1, found 2"),
    ({"counties": ["211299"]}, r"counties\[0\]: expected a county code"),
    ({"factors": {"policy.publicity.reach_per_year": {"low": 0, "hi": 1}}},
     r"spec.yaml:\d+: factors.policy.publicity.reach_per_year.low: unknown field; expected one of the known fields "
     r"\(lo, hi, choices, levels\)"),
    ({"design": {"method": "morris", "trajectories": 3, "n": 3}},
     r"design.n: unknown field; expected one of the known fields \(method, trajectories, levels\)"),
    ({"factors": {}}, r"spec.yaml:\d+: factors: expected at least 1 entry, found \{\}"),
]


@pytest.mark.parametrize("change, message", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_spec_messages(tmp_path, change, message):
    path = write_spec(tmp_path, **change)
    with pytest.raises(SweepError) as e:
        load_sweep(path)
    assert any(__import__("re").search(message, p) for p in e.value.problems), e.value.problems
    assert all(p.startswith(str(path)) for p in e.value.problems), e.value.problems


def test_yaml_problems(tmp_path):
    dup = tmp_path / "dup.yaml"
    dup.write_text("name: a\nname: b\n", encoding="utf-8")
    with pytest.raises(SweepError, match=r"dup.yaml:2: the key 'name' appears twice \(first on line 1\)"):
        load_sweep(dup)
    # a small file whose aliases expand to billions of nodes is refused before anything walks it
    laughs = tmp_path / "laughs.yaml"
    laughs.write_text("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                      + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n"
                                for p, c in zip("abcdefgh", "bcdefghi")), encoding="utf-8")
    assert laughs.stat().st_size < 2000
    with pytest.raises(SweepError, match=r"laughs.yaml"):
        load_sweep(laughs)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [a\n", encoding="utf-8")
    with pytest.raises(SweepError, match=r"broken.yaml:\d+: invalid YAML"):
        load_sweep(broken)
    with pytest.raises(SweepError, match=r"missing.yaml: file not found"):
        load_sweep(tmp_path / "missing.yaml")
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n", encoding="utf-8")
    with pytest.raises(SweepError, match="expected a mapping of sweep fields"):
        load_sweep(listing)


def test_cli_reports_bad_spec_and_exits_2(tmp_path):
    import typer

    from urbsim.cmd_sweep import register

    app = typer.Typer()
    register(app)
    path = write_spec(tmp_path, factors={"policy.nope": {"lo": 0, "hi": 1}}, outcomes=["nope"])
    result = CliRunner().invoke(app, ["sweep", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 2 and "factors.policy.nope" in lines[0] and "outcomes[0]" in lines[1]
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "no sweep here" in result.output


def test_dry_run_prints_the_design(tmp_path):
    import typer

    from urbsim.cmd_sweep import register

    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(app, ["sweep", str(write_spec(tmp_path)), "--out", str(tmp_path / "o"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "6 design rows × 2 replicates = 12 distinct runs" in result.output
    assert not (tmp_path / "o").exists()
