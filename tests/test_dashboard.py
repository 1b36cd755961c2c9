"""Dashboard without a browser: every figure and table from saved and synthetic results,
controls generated from the declarations, uploads, the library, the result store."""
from __future__ import annotations

import ast
import base64

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import sim
from dashboard import figures, i18n, layout
from dashboard.callbacks import control_value, problems_box, scenario_value
from dashboard.data import (MAX_UPLOAD_BYTES, Library, ResultStore, RunSet, changed_paths, compose, export_table,
                            REPLICATE_SEED, parse_upload, runsets_from, unique_label)
from sim import load_scenario, replicate_seeds
from dashboard.figures import TABS, ViewOptions, build_view

from .conftest import ROOT, SCENARIOS

COUNTY_CODES = [c.code for c in sim.COUNTIES]


# --- fixtures ---------------------------------------------------------------------

def replicated(outcomes: pd.DataFrame, seeds: list[int], shift: float = 0.0, noise: float = 0.01) -> pd.DataFrame:
    """Replicates made from one run's outcomes: value x (1 + shift + small noise per replicate)."""
    frames = []
    rng = np.random.default_rng(0)
    for i, seed in enumerate(seeds):
        df = outcomes.copy()
        df["value"] = df["value"] * (1 + shift + noise * rng.standard_normal(len(df)))
        df["replicate"] = i
        df["seed"] = seed
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def saved_result(reform_small_result, tmp_path_factory):
    """A real (small) run, saved and loaded back as the dashboard would read it."""
    out = tmp_path_factory.mktemp("saved") / "reform"
    reform_small_result.save(out)
    return sim.RunResult.load(out)


@pytest.fixture(scope="module")
def runsets(saved_result):
    seeds = replicate_seeds(REPLICATE_SEED, 3)
    base = RunSet("k-base", "reform", replicated(saved_result.outcomes, seeds), seeds, 0.01)
    alt = RunSet("k-alt", "variant", replicated(saved_result.outcomes, seeds, shift=0.05), seeds, 0.01)
    return [base, alt]


def synthetic_outcomes(outcomes: list[str], years=range(2020, 2024), groups=("all",)) -> pd.DataFrame:
    rows = []
    for y in years:
        for county in COUNTY_CODES + [sim.CITY_CODE]:
            for o in outcomes:
                for g in groups:
                    rows.append((y, county, g, o, 0.3 if sim.OUTCOMES.get(o) and sim.OUTCOMES[o].unit == "fraction"
                                 else 1000.0 + y))
    return pd.DataFrame(rows, columns=["year", "county", "group", "outcome", "value"])


def mean_traces(fig):
    return [t for t in fig.data if (t.meta or {}).get("kind") == "mean"]


# --- every view, every mode -----------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("mode", ["levels", "difference"])
@pytest.mark.parametrize("tab", TABS)
def test_every_view_builds_from_a_saved_result(runsets, tab, mode, lang):
    outcomes = ("resident_urbanization_rate", "agents", "settlements") if tab in ("map", "explore") else \
        ("resident_urbanization_rate",)
    for outcome in outcomes:
        opts = ViewOptions(lang=lang, mode=mode, outcome=outcome, band="p10p90" if mode == "levels" else "minmax")
        blocks = build_view(tab, runsets, opts)
        assert blocks
        for b in blocks:
            assert b.kind in ("graph", "table", "note")
            if b.kind == "graph":
                b.figure.to_plotly_json()      # serialisable
                assert b.figure.data, f"{tab}: empty figure"
                runs = {(t.meta or {}).get("run") for t in b.figure.data
                        if (t.meta or {}).get("kind") not in ("band-legend", "observed", "target", "target-due")}
                assert runs <= {"k-base", "k-alt"}
                if mode == "difference":
                    assert "k-base" not in runs    # the baseline is the zero line
            if b.kind == "table":
                assert len(b.table) > 0


def test_views_with_one_run_and_with_none(runsets):
    for tab in TABS:
        assert build_view(tab, runsets[:1], ViewOptions(mode="difference"))     # falls back to levels
        (note,) = build_view(tab, [], ViewOptions(lang="en"))
        assert note.kind == "note" and "No runs yet" in note.text


def test_urbanization_figure_plots_the_replicate_means(runsets):
    fig = figures.fig_urbanization(runsets, ViewOptions(lang="en"))
    means = mean_traces(fig)
    assert {t.meta["outcome"] for t in means} == {"resident_urbanization_rate", "hukou_urbanization_rate",
                                                  "urbanization_gap"}
    t = next(t for t in means if t.meta == {"run": "k-base", "outcome": "resident_urbanization_rate", "kind": "mean"})
    df = runsets[0].outcomes
    sel = df[(df.outcome == "resident_urbanization_rate") & (df.county == sim.CITY_CODE) & (df.group == "all")]
    expected = sel.groupby("year")["value"].mean() * 100
    np.testing.assert_allclose(np.asarray(t.y, float), expected.values)
    assert list(t.x) == list(expected.index)
    bands = [t for t in fig.data if t.meta["kind"] == "band"]
    assert len(bands) == len(means)          # 3 replicates: every mean has its band


def test_difference_is_paired_by_replicate(runsets):
    base, alt = runsets
    opts = ViewOptions(mode="difference", baseline="k-base")
    y = figures.values_for(alt, runsets, opts, "residents", sim.CITY_CODE)
    a = figures.series(alt, "residents")
    b = figures.series(base, "residents")
    pd.testing.assert_frame_equal(y, a - b)
    # unpaired (different seeds): minus the baseline's mean
    other = RunSet("k-other", "other", alt.outcomes, [1, 2, 3], 0.01)
    y2 = figures.values_for(other, [base, other], opts, "residents", sim.CITY_CODE)
    pd.testing.assert_frame_equal(y2, a.sub(b.mean(axis=1), axis=0))
    assert figures.seed_notes([base, other], opts)


def test_band_kinds():
    y = pd.DataFrame({0: [1.0, 2.0], 1: [3.0, 6.0], 2: [5.0, 4.0]}, index=[2020, 2021])
    mean, lo, hi = figures.band(y, "minmax")
    assert list(mean) == [3.0, 4.0] and list(lo) == [1.0, 2.0] and list(hi) == [5.0, 6.0]
    _, lo, hi = figures.band(y, "p10p90")
    assert lo.iloc[0] == pytest.approx(1.4) and hi.iloc[0] == pytest.approx(4.6)


def test_county_bars_and_map_cover_every_county(runsets):
    opts = ViewOptions(lang="zh", year=2022)
    fig = figures.fig_county_bars(runsets, opts)
    for t in mean_traces(fig):
        assert list(t.x) == [sim.county_label(c, "zh").replace(" (", "<br>(") for c in COUNTY_CODES]
    gj = figures.load_geojson(str(sim.geojson_path()))
    m = figures.fig_map(runsets, opts, gj)
    adcodes = {f["properties"]["adcode"] for f in gj["features"]}
    for t in m.data:
        assert t.type == "choropleth" and t.featureidkey == "properties.adcode"
        assert set(t.locations) == adcodes
    assert "2022" in m.layout.title.text


def test_map_accepts_another_geojson(runsets):
    """Any GeoJSON whose features have properties.adcode replaces the map."""
    square = lambda x: [[[x, 42], [x, 43], [x + 1, 43], [x + 1, 42], [x, 42]]]   # noqa: E731
    gj = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": int(c)}, "geometry": {"type": "Polygon", "coordinates": square(i)}}
        for i, c in enumerate(COUNTY_CODES)]}
    (block,) = build_view("map", runsets, ViewOptions(), geojson=gj)
    assert block.figure.data[0].geojson == gj


def test_settlements_stack_by_pathway_and_by_kind(runsets):
    pathway, kind = build_view("settle", runsets, ViewOptions(lang="en"))
    groups = {t.meta["group"] for t in pathway.figure.data}
    assert {"purchase", "graduate"} <= groups and not any(g.startswith("kind_") for g in groups)
    assert {t.meta["group"] for t in kind.figure.data} <= {"kind_migrant_worker", "kind_graduate", "kind_household"}
    assert pathway.figure.layout.barmode == "relative"


def test_outcomes_not_in_the_results_are_an_empty_state():
    seeds = [1, 2]
    only_rates = synthetic_outcomes(["resident_urbanization_rate", "hukou_urbanization_rate", "urbanization_gap",
                                     "residents"])
    rs = [RunSet("a", "a", replicated(only_rates, seeds), seeds)]
    for tab in ("settle", "permits", "schools", "housing", "money"):
        blocks = build_view(tab, rs, ViewOptions(lang="en"))
        assert [b.kind for b in blocks] == ["note"], tab
        assert "Not yet in the model's results" in blocks[0].text
    # an outcome the model does not declare (yet) is named, not an error
    blocks = build_view("explore", rs, ViewOptions(outcome="future_outcome"))
    assert blocks[0].kind == "note" and "future_outcome" in blocks[0].text
    # a partly available view draws what exists and names the rest
    pop = build_view("population", rs, ViewOptions(lang="en"))
    assert [b.kind for b in pop] == ["graph", "note"] and "Hukou holders" in pop[1].text


def test_undeclared_groups_become_their_own_breakdown():
    df = synthetic_outcomes(["settlements"], groups=("all", "graduate", "purchase", "kind_graduate", "new_path"))
    fams = figures.group_families("settlements", df.group.unique())
    assert fams[0] == ["graduate", "purchase"] and fams[1] == ["kind_graduate"] and fams[-1] == ["new_path"]


def test_summary_table(runsets):
    t = figures.summary_table(runsets, ViewOptions(lang="en", year=2023))
    assert list(t.columns) == ["Outcome", "Unit", "reform", "variant"]
    row = t[t.Outcome == "Residents"].iloc[0]
    assert "[" in row["reform"]                        # the replicate band
    d = figures.summary_table(runsets, ViewOptions(lang="zh", mode="difference", year=2023))
    assert list(d.columns) == ["指标", "单位", "reform (基准情景)", "variant − reform"]


# --- controls from the declarations ---------------------------------------------------------

def walk(component):
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, (list, tuple)):
        for c in children:
            yield from walk(c)
    elif children is not None and hasattr(children, "to_plotly_json"):
        yield from walk(children)


@pytest.fixture(scope="module")
def page():
    lib = Library(SCENARIOS)
    return layout.page(lib.entries(), lib.default_key())


def test_every_lever_has_a_control_with_its_declared_bounds(page):
    controls = {c.id["path"]: c for c in walk(page) if isinstance(getattr(c, "id", None), dict)
                and c.id.get("type") == "lever"}
    assert set(controls) == {lv.path for lv in sim.LEVERS}
    for lv in sim.LEVERS:
        c = controls[lv.path]
        assert c.id["kind"] == lv.kind
        if lv.kind in ("int", "float"):
            assert (c.min, c.max) == (lv.lo, lv.hi)
        if lv.kind in ("choice", "multi"):
            assert [o["value"] for o in c.options] == list(lv.options)
    rows = {c.id["path"]: c for c in walk(page) if isinstance(getattr(c, "id", None), dict)
            and c.id.get("type") == "row"}
    for lv in sim.LEVERS:          # the clause text is on hover
        assert sim.CLAUSES[lv.clause][0] in rows[lv.path].title


def test_levers_are_grouped_by_clause(page):
    groups = layout.levers_by_clause()
    assert [lv for lvs in groups.values() for lv in lvs] == sorted(
        sim.LEVERS, key=lambda lv: (list(sim.CLAUSES).index(lv.clause), sim.LEVERS.index(lv)))


def test_behaviour_parameters_are_in_a_collapsed_advanced_section(page):
    adv = next(c for c in walk(page) if getattr(c, "id", None) == "advanced")
    assert adv.open is False
    params = {c.id["path"]: c for c in walk(adv) if isinstance(getattr(c, "id", None), dict)
              and c.id.get("type") == "param"}
    declared = dict(sim.iter_parameters())
    assert set(params) == set(declared)
    for path, info in declared.items():
        assert (params[path].min, params[path].max) == layout.field_bounds(info)


def test_no_default_or_bound_is_restated_in_dashboard_code():
    """Numbers of the declarations (defaults, bounds) are read, never written, in the dashboard."""
    src = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "dashboard").glob("*.py"))
    for path in ("residence_years_required", "min_floor_area_m2", "yuan_per_settler", "reach_per_year"):
        assert path not in src


def test_every_text_has_both_languages(page):
    keys = {c.id["key"] for c in walk(page) if isinstance(getattr(c, "id", None), dict) and c.id.get("type") == "t"}
    assert any(k.startswith("lever:") for k in keys)
    for k in keys:
        zh, en = layout.text_for(k, "zh"), layout.text_for(k, "en")
        assert zh and en and zh != k and en != k, k
    for lv in sim.LEVERS:
        assert layout.text_for("lever:" + lv.path, "en") == lv.en
        assert layout.text_for("lever:" + lv.path, "zh") == lv.zh
    assert set(layout.TAB_KEYS.values()) <= set(i18n.UI)


def test_county_names_are_chinese_with_romanised_names():
    assert figures.county_name("211202", "zh") == "银州区 (Yinzhou District)"
    assert figures.county_name("211202", "en") == "Yinzhou District (银州区)"


def test_control_values_round_trip():
    for lv in sim.LEVERS:
        assert scenario_value(lv.kind, control_value(lv.kind, lv.default)) == lv.default


# --- scenarios: compose, upload, library ------------------------------------------------------

def test_compose_validates_and_reports_changes(reform):
    sc = compose(reform, {"policy.purchase.enabled": False, "behaviour.outside.return_rate": 0.05},
                 name="no_purchase", end_year=2030)
    assert sc.name == "no_purchase" and sc.end_year == 2030 and not sc.policy.purchase.enabled
    assert changed_paths(reform, sc, [lv.path for lv in sim.LEVERS]) == ["policy.purchase.enabled"]
    with pytest.raises(sim.ScenarioError) as e:
        compose(reform, {"policy.settlement.residence_years_required": 99})
    assert "policy.settlement.residence_years_required" in e.value.problems[0]
    box = problems_box(e.value.problems, "zh")
    assert "居住年限落户" in str(box)          # the lever's label is named beside its path


def data_url(text: bytes) -> str:
    return "data:application/x-yaml;base64," + base64.b64encode(text).decode()


def test_upload_validates_and_names_the_field():
    good = (SCENARIOS / "tieling_reform_2020.yaml").read_bytes()
    sc, text, problems = parse_upload(data_url(good), "reform.yaml")
    assert sc is not None and sc.name == "tieling_reform_2020" and not problems
    bad = b"name: bad_one\npolicy:\n  graduates:\n    settlement: sometimes\n"
    sc, _, problems = parse_upload(data_url(bad), "bad.yaml")
    assert sc is None and len(problems) == 1
    assert problems[0].startswith("bad.yaml:4: policy.graduates.settlement: expected")
    assert "'sometimes'" in problems[0]
    sc, _, problems = parse_upload(data_url(b"x: 1\n" * (MAX_UPLOAD_BYTES // 4)), "huge.yaml")
    assert sc is None and problems[0].startswith("File larger than 256 KB, refused: huge.yaml")
    sc, _, problems = parse_upload(data_url(b"\xff\xfe\x00bad"), "binary.yaml")
    assert sc is None and "UTF-8" in problems[0]
    sc, _, problems = parse_upload(data_url(b"!!python/object/apply:os.system ['true']\n"), "evil.yaml")
    assert sc is None and problems                     # safe_load refuses Python tags


@pytest.mark.parametrize("contents, filename, lang, words", [
    (data_url(b"\x89PNG\r\n"), "map.png", "en", ["Only .yaml or .yml", "map.png"]),
    (data_url(b"year,value\n2020,1\n"), "table.csv", "zh", ["只接受 .yaml 或 .yml", "table.csv"]),
    (12345, "a.yaml", "en", ["Could not read", "a.yaml"]),                  # a crafted request
    ("no comma here", "a.yaml", "zh", ["无法读取", "a.yaml"]),
    (data_url(b"\xff\xfe"), 7, "en", ["not UTF-8", "upload.yaml"]),          # a filename that is no text
])
def test_wrong_uploads_get_a_message_in_the_pages_language(contents, filename, lang, words):
    sc, text, problems = parse_upload(contents, filename, lang)
    assert sc is None and text == "" and len(problems) == 1
    assert all(w in problems[0] for w in words), problems


def test_library_lists_files_and_session_scenarios(tmp_path):
    (tmp_path / "a.yaml").write_text("name: a\ndescription: first\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("name: [\n", encoding="utf-8")
    lib = Library(tmp_path)
    session = {"mine": "name: mine\nend_year: 2030\n"}
    entries = {e.key: e for e in lib.entries(session)}
    assert set(entries) == {"file:a.yaml", "file:broken.yaml", "session:mine"}
    assert entries["file:broken.yaml"].description.startswith("invalid:")
    assert lib.load("file:a.yaml").name == "a"
    assert lib.load("session:mine", session).end_year == 2030
    for key in ("file:../a.yaml", "file:missing.yaml", "session:other", "elsewhere"):
        with pytest.raises(sim.ScenarioError):
            lib.load(key, session)
    assert Library(SCENARIOS).default_key() == "file:tieling_reform_2020.yaml"


# --- runs and the result store ------------------------------------------------------------------

def test_result_store_answers_only_to_its_tokens(tmp_path, runsets):
    store = ResultStore(tmp_path / "results")
    t1, t2 = store.new_token(), store.new_token()
    assert t1 != t2 and len(t1) >= 32
    store.put(t1, runsets[0].outcomes, [{"seed": 1}])
    pd.testing.assert_frame_equal(store.get(t1), runsets[0].outcomes)
    assert store.get(t2) is None and store.get(None) is None
    runs = [{"key": t1, "label": "a", "seeds": [1]}, {"key": t2, "label": "gone"}]
    found, missing = runsets_from(runs, store)
    assert [r.label for r in found] == ["a"] and missing == ["gone"]


def test_one_dashboard_replicate_is_the_library_scenarios_own_run():
    # sim.replicate_seeds is the one rule: replicate 0 of a dashboard run is `urbsim run` of the file.
    assert replicate_seeds(REPLICATE_SEED, 1) == [load_scenario(SCENARIOS / "tieling_reform_2020.yaml").seed]
    assert replicate_seeds(REPLICATE_SEED, 5)[:3] == replicate_seeds(REPLICATE_SEED, 3)
    assert len(set(replicate_seeds(REPLICATE_SEED, 5))) == 5


def test_unique_labels():
    runs = [{"label": "a"}, {"label": "a-2"}]
    assert unique_label("a", runs) == "a-3" and unique_label("b", runs) == "b"
    assert sim.with_overrides(sim.Scenario(name="a"), {"name": unique_label("a", runs)}).name == "a-3"


def test_export_table(runsets):
    df = export_table(runsets, "zh")
    assert list(df.columns) == ["scenario", "replicate", "seed", "scale", "year", "county", "county_name", "group",
                                "outcome", "value"]
    assert set(df.scenario) == {"reform", "variant"}
    assert df.loc[df.county == "211202", "county_name"].iloc[0] == "银州区 (Yinzhou District)"


# --- app, command, layering -----------------------------------------------------------------------

def test_app_builds_and_registers_a_background_run(tmp_path):
    from dashboard.app import create_app
    app = create_app(SCENARIOS, cache_dir=tmp_path, warm=False)
    page = app.layout()
    assert page.id == "page"
    assert any(cb.get("background") for cb in app.callback_map.values())
    with pytest.raises(ValueError, match="adcode"):
        bad = tmp_path / "bad.geojson"
        bad.write_text('{"type": "FeatureCollection", "features": [{"properties": {}}]}', encoding="utf-8")
        create_app(SCENARIOS, geojson=bad, cache_dir=tmp_path, warm=False)


def test_dashboard_command_registers():
    import typer

    from urbsim.cmd_dashboard import register
    app = typer.Typer()
    register(app)

    @app.command()
    def other() -> None:   # a second command so typer keeps sub-command names
        pass

    result = CliRunner().invoke(app, ["dashboard", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
    result = CliRunner().invoke(app, ["dashboard", "--geojson", "/nonexistent.geojson"])
    assert result.exit_code == 2
    import socket
    with socket.socket() as busy:          # a taken port is one clear error before anything loads
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = CliRunner().invoke(app, ["dashboard", "--port", str(busy.getsockname()[1])])
    assert result.exit_code == 2


def test_dashboard_uses_only_sims_public_names():
    for path in (ROOT / "dashboard").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert not node.module.startswith(("sim.", "experiments")), f"{path.name}: from {node.module}"
                if node.module == "sim":
                    assert all(a.name in sim.__all__ for a in node.names), path.name
            if isinstance(node, ast.Import):
                for a in node.names:
                    assert not a.name.startswith(("sim.", "experiments")), f"{path.name}: import {a.name}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sim":
                assert node.attr in sim.__all__, f"{path.name}: sim.{node.attr}"


def test_no_module_level_mutable_session_state():
    """Module globals of the dashboard are constants: no dict/list a callback could fill per session."""
    for path in (ROOT / "dashboard").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [t.id for t in targets if isinstance(t, ast.Name)]
                if isinstance(node.value, (ast.List, ast.Dict, ast.Set)) and names:
                    assert all(n.isupper() or n.startswith("__") for n in names), f"{path.name}: {names}"
    for path in (ROOT / "dashboard" / "callbacks").glob("*.py"):
        assert "global " not in path.read_text(encoding="utf-8"), path.name


def test_the_record_is_drawn_beside_the_simulated_lines(runsets):
    """Census counts (and, from a 2010 start, the published register) as markers, in levels only."""
    fig = figures.fig_time_panels(runsets, ViewOptions(lang="zh"), [[("residents", "all"), ("hukou_holders", "all")]],
                                   "tab_population")
    census = [t for t in fig.data if (t.meta or {}).get("kind") == "observed"]
    assert len(census) == 1 and list(census[0].x) == [2020] and census[0].name == "普查实测"
    assert float(census[0].y[0]) == 2_388_294                    # the 2020 census, city
    urban = figures.fig_urbanization(runsets, ViewOptions(lang="en"))
    rate = next(t for t in urban.data if (t.meta or {}).get("kind") == "observed")
    assert 50 < float(rate.y[0]) < 60                               # 55.2%, drawn in % like the lines
    diff = figures.fig_urbanization(runsets, ViewOptions(mode="difference"))
    assert not [t for t in diff.data if (t.meta or {}).get("kind") == "observed"]
    o = runsets[0].outcomes
    early = o[o.year == o.year.min()].assign(year=2017)    # a run that covers the register's years
    rs = RunSet("k-2017", "from2017", pd.concat([early, o]), runsets[0].seeds, 0.01)
    fig = figures.fig_time_panels([rs], ViewOptions(lang="en"), [[("hukou_holders", "all")]], "tab_population")
    roles = {t.meta["role"]: list(t.x) for t in fig.data if (t.meta or {}).get("kind") == "observed"}
    assert roles["fit"] == [2017, 2018, 2019]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_run_chips_hover_names_its_changed_levers_in_the_pages_language(lang):
    from dashboard.callbacks import run_chip
    from tests.chinese_view import stray_words
    paths = ["policy.graduates.settlement", "policy.transfers.yuan_per_settler"]
    record = {"key": "k", "label": "variant", "name": "variant", "scale": 0.01, "seeds": [1, 2], "end_year": 2025,
              "wall_s": 1.0, "changed": paths}
    lines = run_chip(0, record, None, lang).title.split("\n")
    assert lines[1:] == [next(lv for lv in sim.LEVERS if lv.path == p).label(lang) for p in paths]
    assert not any(p in run_chip(0, record, None, lang).title for p in paths)
    if lang == "zh":
        assert stray_words("\n".join(lines)) == []
    assert run_chip(0, {**record, "changed": []}, None, lang).title == "variant"
