"""The dashboard's Chinese view without a browser: the translation table covers every
declared parameter, unit, option and group; scenario problems read in Chinese; status
lines follow the language; Chinese scenario names are accepted; the dashboard fixes of
the summary table, schools view, axes, bands, run YAML and progress line."""
from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
import yaml

import sim
from dashboard import i18n, layout
from dashboard.callbacks import messages, problems_box
from dashboard.callbacks.runs import duration_text, progress_text, run_yaml
from dashboard.data import REPLICATE_SEED, Library, RunSet, parse_upload
from sim import replicate_seeds
from dashboard.figures import DERIVED, ViewOptions, build_view, summary_table

from .chinese_view import stray_words
from .conftest import SCENARIOS
from .test_dashboard import replicated, synthetic_outcomes
from .test_scenario import BAD_FILES

PARAMS = dict(sim.iter_parameters())


def untranslated(zh: str) -> bool:
    """Whether what a field expects was left as sim's quoted English ('a number (not …)');
    a quoted option value has no space in it."""
    return re.search(r"应为['\"][^'\"]* [^'\"]*['\"]", zh) is not None


def texts_of(component) -> str:
    """Every string inside a Dash component tree."""
    if component is None:
        return ""
    if isinstance(component, (str, int, float)):
        return str(component)
    if isinstance(component, (list, tuple)):
        return " ".join(texts_of(c) for c in component)
    return texts_of(getattr(component, "children", None))


# --- the table covers the declarations ---------------------------------------------------

def test_every_parameter_has_a_label_and_every_unit_a_translation():
    assert set(i18n.PARAMETERS) == set(PARAMS), "labels for parameters that are not declared, or missing"
    for path in PARAMS:
        zh, en = i18n.PARAMETERS[path]
        assert zh and en and not stray_words(zh), path
    units = {(info.json_schema_extra or {}).get("unit", "") for info in PARAMS.values()}
    units |= {lv.unit for lv in sim.LEVERS} | {o.unit for o in sim.OUTCOMES.values()}
    missing = {u for u in units if u and u not in i18n.UNITS}
    assert not missing, f"units without a translation: {missing}"
    assert all(not stray_words(zh) for zh, _ in i18n.UNITS.values())


def test_every_block_option_and_group_has_a_chinese_name():
    for block in {p.split(".")[1] for p in PARAMS}:
        assert block in i18n.BLOCKS, block
    for lv in sim.LEVERS:
        for o in lv.options:
            assert o in i18n.OPTIONS, (lv.path, o)
    for name, info in sim.OUTCOMES.items():
        for g in (g.strip() for g in info.groups.replace(";", ",").split(",")):
            assert not g or g in i18n.OPTIONS, (name, g)


def test_the_chinese_page_words_have_no_english():
    for key, (zh, en) in i18n.UI.items():
        assert zh and en, key
        words = stray_words(re.sub(r"\{[a-z_]+(:[^}]*)?\}", " ", zh))     # {placeholders} are filled in
        assert not words, (key, zh, words)


def test_parameter_labels_and_units_in_the_layout():
    path = "behaviour.demography.mortality_multiplier"
    assert layout.text_for("param:" + path, "zh") == "死亡率倍数"
    assert layout.text_for("param:" + path, "en") == "Mortality multiplier"
    hint = layout.text_for("phint:" + path, "zh")
    assert "倍" in hint and not stray_words(hint)
    assert layout.text_for("phint:behaviour.settling.asc", "zh").endswith("效用 · 假设")


def test_years_print_without_thousands_separators():
    assert layout.text_for("hint:policy.start_year", "zh").startswith("2000 – 2050")
    assert layout.fmt_num(100_000) == "100,000" and layout.fmt_num(2035) == "2035"


# --- problems in Chinese -----------------------------------------------------------------

@pytest.mark.parametrize("name, text, line, field, expected, found", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_scenario_problems_read_in_chinese_keeping_field_and_line(tmp_path, name, text, line, field, expected,
                                                                  found):
    with pytest.raises(sim.ScenarioError) as info:
        sim.parse_scenario(text, source=name)
    for p in info.value.problems:
        zh = i18n.problem(p, "zh")
        assert zh.startswith(f"{name}:{line}: {field}: ") or field not in p, zh
        assert not stray_words(zh), (p, zh, stray_words(zh))
        assert i18n.problem(p, "en") == p


@pytest.mark.parametrize("override", [
    {"policy.settlement.residence_years_required": 99}, {"name": "a b"}, {"seed": "x"}, {"name": ""},
    {"policy.purchase.enabled": "maybe"}, {"base_year": 2000}, {"policy.graduates.settlement": "x"},
    {"behaviour.outside.household_couple_share": 0.9}, {"scale": 0}, {"policy.purchase.dependents": "spouse"},
])
def test_problems_of_edited_controls_read_in_chinese(override):
    with pytest.raises(sim.ScenarioError) as info:
        sim.with_overrides(sim.Scenario(name="x"), override)
    for p in info.value.problems:
        zh = i18n.problem(p, "zh")
        assert next(iter(override)) in zh and not stray_words(zh), (p, zh)
        assert not untranslated(zh), zh                             # what is expected is translated too


@pytest.mark.parametrize("text", [
    "scale: '0.1'\n", "seed: true\n", "policy:\n  purchase:\n    dependents: [spouse, spouse]\n",
    "policy:\n  insurance:\n    schemes: []\n",
    "initial:\n  hukou_holders:\n    '211202': 9000000\n", "initial:\n  hukou_holders:\n    '211202': 10\n",
    "description: " + "x" * 5000 + "\n",
])
def test_typed_and_cross_field_problems_read_in_chinese(text):
    with pytest.raises(sim.ScenarioError) as info:
        sim.parse_scenario("name: a\n" + text, "t.yaml")
    for p in info.value.problems:
        zh = i18n.problem(p, "zh")
        assert zh.startswith("t.yaml:") and not untranslated(zh), zh
        assert not stray_words(zh.rsplit("实际为", 1)[0]), zh        # the found value is the file's own


def test_upload_and_dashboard_problems_read_in_chinese():
    def data_url(raw: bytes) -> str:
        return "data:text/yaml;base64," + base64.b64encode(raw).decode()
    found = []
    for raw, name in ((b"x" * 300_000, "big.yaml"), (b"\xff\xfe\x00", "bin.yaml"),
                      (b"name: a\nname: b\n", "dup.yaml"), (b"a: &a [*a]\n", "alias.yaml"),
                      (b"[1, 2]\n", "list.yaml")):
        _, _, problems = parse_upload(data_url(raw), name)
        assert problems, name
        found += problems
    found += ["no scenario selected in the library",
              "policy.purchase.min_floor_area_m2: expected a number from 0 to 150 m², found an empty or "
              "out-of-range entry", "replicates: expected 1 to 10, found 12", "file:x.yaml: not in the scenario library",
              "scale: expected one of 0.005, 0.01, 0.02, found 0.3"]
    for p in found:
        zh = i18n.problem(p, "zh")
        assert zh != p and not stray_words(zh), (p, zh, stray_words(zh))


def test_problem_boxes_name_the_lever_or_parameter_in_the_language():
    box = problems_box(["override: behaviour.settling.asc: expected 'less than or equal to 5', found 9"], "zh")
    text = texts_of(box)
    assert "behaviour.settling.asc" in text and "落户惯性" in text and "不大于 5" in text
    assert "Inertia" in texts_of(problems_box(["override: behaviour.settling.asc: x"], "en"))


# --- status lines follow the language ------------------------------------------------------

def test_status_records_render_in_the_current_language():
    done = messages.status("run_done", label="无购房方案", seconds=57.73)
    assert texts_of(messages.render(done, "zh")) == "运行完成：无购房方案（57.7 秒）"
    assert texts_of(messages.render(done, "en")) == "Finished: 无购房方案 (57.7 s)"
    bad = messages.problems(["a.yaml:3: scale: expected 'a valid number', found 'lots'"], "upload_bad")
    assert "应为数值" in texts_of(messages.render(bad, "zh"))
    assert "expected 'a valid number'" in texts_of(messages.render(bad, "en"))
    assert messages.render(None, "zh") is None
    assert texts_of(messages.render(messages.status("run_cancelled"), "en")) == "Run cancelled."


def test_progress_line_has_a_time_estimate():
    text = progress_text("甲", 5, 45, 10.0, "zh")      # 2 s a year so far, 40 years left
    assert text == "正在运行 甲：已模拟 5/45 年，约剩 1 分 20 秒"
    assert progress_text("a", 3, 15, 3.0, "en") == "Running a: 3/15 years simulated, about 12 s left"
    assert "约剩" not in progress_text("甲", 15, 15, 9.0, "zh")
    assert duration_text(0.2, "zh") == "1 秒"


def test_run_yaml_records_what_ran(reform):
    seeds = replicate_seeds(REPLICATE_SEED, 3)
    text = run_yaml(reform, "tieling_reform_2020-2", 0.01, seeds)
    sc = sim.parse_scenario(text)
    assert (sc.name, sc.scale, sc.seed) == ("tieling_reform_2020-2", 0.01, seeds[0])
    assert all(str(s) in text.splitlines()[0] for s in seeds)
    assert sc.policy == reform.policy


# --- Chinese names ---------------------------------------------------------------------------

def test_chinese_scenario_names_and_files_are_accepted(tmp_path):
    text = (SCENARIOS / "reform_without_purchase.yaml").read_text(encoding="utf-8").replace(
        "name: reform_without_purchase", "name: 无购房方案")
    path = tmp_path / "铁岭_无购房.yaml"
    path.write_text(text, encoding="utf-8")
    assert sim.load_scenario(path).name == "无购房方案"
    sc, _, problems = parse_upload("data:;base64," + base64.b64encode(text.encode()).decode(), "铁岭_无购房.yaml")
    assert not problems and sc.name == "无购房方案"
    lib = Library(tmp_path)
    assert [e.name for e in lib.entries()] == ["无购房方案"]
    assert lib.load("file:铁岭_无购房.yaml").name == "无购房方案"
    for bad in ("a b", "a/b", "../x", "名 称"):
        with pytest.raises(sim.ScenarioError):
            sim.with_overrides(sc, {"name": bad})


def test_chinese_sweep_names_are_accepted(tmp_path):
    from experiments import load_sweep
    from .test_sweep_support import spec_dict
    path = tmp_path / "扫描.yaml"
    path.write_text(yaml.safe_dump(dict(spec_dict(), name="扫描_甲"), allow_unicode=True), encoding="utf-8")
    assert load_sweep(path).name == "扫描_甲"


def test_every_library_scenario_has_a_chinese_description():
    for e in Library(SCENARIOS).entries():
        assert e.description_zh, e.key
        assert e.describe("zh") == e.description_zh and e.describe("en") == e.description
        assert not stray_words(e.describe("zh")), (e.key, stray_words(e.describe("zh")))


# --- figures and table ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_runs():
    seeds = replicate_seeds(REPLICATE_SEED, 3)
    names = ["resident_urbanization_rate", "hukou_urbanization_rate", "urbanization_gap", "residents",
             "migrant_children", "migrant_children_in_public_school", "school_places", "transfers"]
    df = pd.concat([synthetic_outcomes(names),
                    synthetic_outcomes(["service_congestion"], groups=("school", "clinic"))], ignore_index=True)
    base = RunSet("a", "甲", replicated(df, seeds), seeds, 0.01)
    alt = RunSet("b", "乙", replicated(df, seeds, shift=0.1), seeds, 0.01)
    return [base, alt]


def test_summary_table_differences_of_rates_are_in_percentage_points(two_runs):
    df = summary_table(two_runs, ViewOptions(lang="zh", mode="difference", baseline="a"))
    rate = df[df["指标"] == sim.OUTCOMES["resident_urbanization_rate"].zh].iloc[0]
    assert rate["单位"] == "%（差值：百分点）"
    assert list(df.columns) == ["指标", "单位", "甲 (基准情景)", "乙 − 甲"]
    persons = df[df["指标"] == sim.OUTCOMES["residents"].zh].iloc[0]
    assert persons["单位"] == "人"


def test_schools_view_puts_places_on_their_own_axis_and_shows_the_shortfall(two_runs):
    [block] = [b for b in build_view("schools", two_runs, ViewOptions(lang="zh")) if b.kind == "graph"]
    fig = block.figure
    axis = {}
    for t in fig.data:
        if (t.meta or {}).get("kind") == "mean":
            axis.setdefault(t.meta["outcome"], set()).add(t.yaxis)
    assert axis["school_places"].isdisjoint(axis["migrant_children"])
    assert axis["migrant_children_outside_public_school"] == axis["migrant_children"]
    short = next(t for t in fig.data if (t.meta or {}).get("outcome") == "migrant_children_outside_public_school"
                 and t.meta["kind"] == "mean" and t.meta["run"] == "a")
    kids, public = (two_runs[0].values(o, sim.CITY_CODE).mean(axis=1) for o in DERIVED[
        "migrant_children_outside_public_school"][:2])
    assert list(short.y) == pytest.approx(list((kids - public).values))
    assert any("拥挤度" in n and "%" in n for n in block.notes)


def test_axes_print_plain_numbers(two_runs):
    block = build_view("money", two_runs, ViewOptions(lang="zh"))[0]
    assert block.figure.layout.yaxis.tickformat == ",.2~f"
    [block] = build_view("urban", two_runs, ViewOptions(lang="zh"))
    assert block.figure.layout.yaxis.tickformat == ".2f"


def test_difference_views_have_an_interval_and_say_what_it_is(two_runs):
    [block] = build_view("urban", two_runs, ViewOptions(lang="zh", mode="difference", baseline="a"))
    legend = [t for t in block.figure.data if (t.meta or {}).get("kind") == "band-legend"]
    assert len(legend) == 1 and "3 次配对种子重复" in legend[0].name
    bands = [t for t in block.figure.data if (t.meta or {}).get("kind") == "band"]
    assert bands and all(t.meta["run"] == "b" for t in bands)
    one = [RunSet(rs.key, rs.label, rs.outcomes[rs.outcomes.replicate == 0], rs.seeds[:1], 0.01) for rs in two_runs]
    [block] = build_view("urban", one, ViewOptions(lang="zh", mode="difference", baseline="a"))
    assert not [t for t in block.figure.data if (t.meta or {}).get("kind") in ("band", "band-legend")]
    assert any("只有 1 次重复" in n for n in block.notes)


def test_strict_value_problems_read_in_chinese(reform):
    """The strict checks of scenario values (sim/blocks.py) and the cross-field checks."""
    from sim import ScenarioError, with_overrides
    lines = []
    for over in ({"scale": True}, {"policy.purchase.dependents": ["spouse", "spouse"]},
                 {"initial.hukou_holders": {"211202": 5}}, {"policy.insurance.schemes": []}):
        with pytest.raises(ScenarioError) as e:
            with_overrides(reform, over)
        lines += e.value.problems
    for p in lines:
        zh = i18n.problem(p, "zh")
        assert zh != p and not stray_words(zh), (p, zh, stray_words(zh))
