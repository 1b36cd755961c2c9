"""The `urbsim` command line: validate and run.

Errors are one line per problem on stderr and exit code 2; a failed run writes
nothing into --out (docs/design.md §5).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import ScenarioError, load_scenario, run, with_overrides
from urbsim.cli import app

ROOT = Path(__file__).resolve().parents[1]
REFORM = ROOT / "scenarios" / "tieling_reform_2020.yaml"

# (file name, text, line or None, field path or None, expected, found)
BAD_FILES = [
    ("unknown_key.yaml", "name: bad_unknown\npolicy:\n  purchase:\n    enabeld: false\n",
     4, "policy.purchase.enabeld", "enabled", "enabeld"),
    ("wrong_type.yaml", "name: bad_type\nscale: lots\n", 2, "scale", "number", "lots"),
    ("out_of_range.yaml", "name: bad_range\npolicy:\n  residence_permit:\n    min_residence_months: 48\n",
     4, "policy.residence_permit.min_residence_months", "36", "48"),
    ("unknown_option.yaml", "name: bad_option\npolicy:\n  graduates:\n    settlement: sometimes\n",
     4, "policy.graduates.settlement", "unrestricted", "sometimes"),
    ("years_reversed.yaml", "name: bad_years\nbase_year: 2020\nend_year: 2015\n", 3, "end_year", "2020", "2015"),
    ("syntax.yaml", "name: bad_syntax\nscale: 0.1: 0.2\n", 2, None, "YAML", "mapping values are not allowed"),
]


def cli(*args: str):
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def error_lines(result) -> list[str]:
    return [ln.removeprefix("error: ") for ln in result.stderr.splitlines() if ln.startswith("error: ")]


@pytest.mark.parametrize("name, text, line, field, expected, found", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_validate_reports_a_bad_file_and_exits_2(tmp_path, name, text, line, field, expected, found):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = cli("validate", path)
    assert result.exit_code == 2, result.output
    lines = error_lines(result)
    assert lines, result.output
    if field is None:
        pattern = rf"^{re.escape(str(path))}:{line}: .*{re.escape(expected)}.*{re.escape(found)}"
    else:
        pattern = (rf"^{re.escape(str(path))}:{line}: {re.escape(field)}: .*expected .*{re.escape(expected)}"
                   rf".*found .*{re.escape(found)}")
    assert any(re.search(pattern, ln) for ln in lines), f"no line matches {pattern!r}:\n{result.stderr}"


def test_validate_prints_the_problems_exactly(tmp_path):
    """What the command prints is what the library found, nothing lost to console markup."""
    path = tmp_path / "county.yaml"
    path.write_text('name: "[bold]x"\ninitial:\n  hukou_holders:\n    "211299": 5\n'
                    "policy:\n  purchase:\n    dependents: [spouse, cousins]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    result = cli("validate", path)
    assert result.exit_code == 2
    assert error_lines(result) == info.value.problems


def test_validate_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    result = cli("validate", path)
    assert result.exit_code == 2
    (line,) = error_lines(result)
    assert str(path) in line and "not found" in line


def test_validate_several_files_reports_each(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nscale: 3\n", encoding="utf-8")
    result = cli("validate", REFORM, bad)
    assert result.exit_code == 2
    assert f"ok {REFORM}" in result.stdout.replace("\n", "")
    assert any(ln.startswith(f"{bad}:2: scale: ") for ln in error_lines(result))


def test_validate_good_file_through_the_installed_command(tmp_path):
    """The real entry point, in its own process: exit 0 for a good file, 2 for a bad one."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\npolicy:\n  graduates:\n    settlement: sometimes\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "urbsim.cli", "validate"]
    ok = subprocess.run(cmd + [str(REFORM)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    no = subprocess.run(cmd + [str(bad)], capture_output=True, text=True, timeout=120)
    assert no.returncode == 2
    assert f"{bad}:4: policy.graduates.settlement: " in no.stderr and "'sometimes'" in no.stderr
    assert "Traceback" not in no.stderr


# --- run ------------------------------------------------------------------------

def assert_nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]
    assert not leftovers, leftovers


@pytest.mark.parametrize("args", [
    ["--set", "policy.graduates.settlement=sometimes"],
    ["--set", "policy.nope=1"],
    ["--set", "no_equals_sign"],
    ["--scale", "0"],
    ["--end-year", "2015"],
], ids=["bad-value", "unknown-path", "no-equals", "scale-0", "end-before-base"])
def test_run_with_bad_overrides_exits_2_and_writes_nothing(tmp_path, args):
    out = tmp_path / "out"
    result = cli("run", REFORM, "--out", out, "--scale", "0.01", "--end-year", "2022", *args)
    assert result.exit_code == 2, result.output
    assert error_lines(result)
    assert_nothing_written(out)


@pytest.mark.parametrize("name, text, line, field, expected, found", BAD_FILES[:3], ids=[b[0] for b in BAD_FILES[:3]])
def test_run_on_a_bad_file_exits_2_and_writes_nothing(tmp_path, name, text, line, field, expected, found):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    result = cli("run", path, "--out", out)
    assert result.exit_code == 2
    assert any(ln.startswith(f"{path}:{line}: {field}: ") for ln in error_lines(result)), result.stderr
    assert_nothing_written(out)


def test_run_missing_file_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    result = cli("run", tmp_path / "nowhere.yaml", "--out", out)
    assert result.exit_code == 2
    assert_nothing_written(out)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """`urbsim run` of the reform at scale 0.01 to 2023, in its own process."""
    out = tmp_path_factory.mktemp("cli") / "reform"
    proc = subprocess.run([sys.executable, "-m", "urbsim.cli", "run", str(REFORM), "--scale", "0.01",
                           "--end-year", "2023", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "COLUMNS": "200"})
    return proc, out


def test_run_writes_outcomes_and_manifest(cli_run):
    proc, out = cli_run
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "outcomes.csv", "outcomes.parquet"]
    parquet = pd.read_parquet(out / "outcomes.parquet")
    csv = pd.read_csv(out / "outcomes.csv", dtype={"county": str})
    assert list(parquet.columns) == list(csv.columns) == ["year", "county", "group", "outcome", "value"]
    assert len(parquet) == len(csv) > 0
    assert sorted(parquet.year.unique()) == [2020, 2021, 2022, 2023]
    pd.testing.assert_series_equal(parquet.value, csv.value, check_exact=False, rtol=1e-12)
    assert (csv.county.str.len() == 6).all()    # codes stay text in the CSV too
    leftovers = [p.name for p in out.parent.iterdir() if p.name != out.name]
    assert not leftovers, leftovers


def test_run_manifest_records_the_run(cli_run):
    proc, out = cli_run
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for key in ("scenario", "seed", "code_version", "packages", "wall_time_s"):
        assert key in manifest, key
    sc = manifest["scenario"]
    assert sc["name"] == "tieling_reform_2020" and sc["scale"] == 0.01 and sc["end_year"] == 2023
    assert manifest["seed"] == sc["seed"] == load_scenario(REFORM).seed
    assert isinstance(manifest["code_version"], str) and manifest["code_version"]
    for pkg in ("mesa", "numpy", "pandas", "pydantic"):
        assert pkg in manifest["packages"], pkg
    assert manifest["packages"]["mesa"] == "3.5.1"
    assert isinstance(manifest["wall_time_s"], (int, float)) and manifest["wall_time_s"] > 0
    assert sc["policy"]["purchase"]["enabled"] is True


def test_run_outcomes_match_an_in_process_run(cli_run):
    """Same scenario and seed in another process: identical numbers (no hidden randomness)."""
    proc, out = cli_run
    assert proc.returncode == 0, proc.stderr
    here = run(with_overrides(load_scenario(REFORM), {"scale": 0.01, "end_year": 2023})).outcomes
    there = pd.read_parquet(out / "outcomes.parquet")
    pd.testing.assert_frame_equal(there.reset_index(drop=True), here.reset_index(drop=True), check_dtype=False,
                                  check_exact=True)


def test_run_prints_a_headline(cli_run):
    proc, out = cli_run
    assert proc.returncode == 0, proc.stderr
    assert "2023" in proc.stdout and "outcomes.parquet" in proc.stdout


def test_run_set_takes_effect(tmp_path):
    out = tmp_path / "no_purchase"
    result = cli("run", REFORM, "--scale", "0.01", "--end-year", "2022", "--seed", "3", "--out", out,
                 "--set", "policy.purchase.enabled=false", "--set", "policy.graduates.settlement=closed")
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["policy"]["purchase"]["enabled"] is False
    assert manifest["scenario"]["policy"]["graduates"]["settlement"] == "closed"
    assert manifest["seed"] == 3 and manifest["scenario"]["end_year"] == 2022


def test_run_into_an_existing_folder_replaces_the_outputs(tmp_path):
    out = tmp_path / "again"
    for seed in ("1", "2"):
        result = cli("run", REFORM, "--scale", "0.01", "--end-year", "2021", "--seed", seed, "--out", out,
                     "--overwrite")
        assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["seed"] == 2
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "outcomes.csv", "outcomes.parquet"]
