"""What the dashboard runs and keeps: the scenario library, replicate runs, and a
per-run results store keyed by unguessable tokens.

Nothing here holds state shared between browser sessions: a session knows only the
tokens of its own runs (kept in its browser), and the store is a disk cache that
answers only to a token. Uses `sim`'s public names only.
"""
from __future__ import annotations

import base64
import io
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import diskcache
import pandas as pd

import sim

from . import i18n

# Sample scales offered. The default keeps a click-to-figures time of about 2 s for three
# 15-year replicates: with the model as of this writing a 1% run (about 29,000 persons)
# takes 0.3-0.7 s on two cores, a 2% run twice that (docs/dashboard.md has the measurements).
SCALES: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
DEFAULT_SCALE = 0.01
DEFAULT_REPLICATES = 3
MAX_REPLICATES = 10
MAX_COMPARED = 4
MAX_UPLOAD_BYTES = 256 * 1024
# Replicate k of every run is seed REPLICATE_SEED + k (sim.replicate_seeds), so every scenario in a
# comparison uses the same seeds (common random numbers: differences are policy, not noise), and
# replicate 0 is the library scenarios' own seed (one replicate is `urbsim run` of the file).
REPLICATE_SEED = 20200
RESULT_TTL_S = 3 * 24 * 3600


def scratch_dir() -> Path:
    """Folder for the job and result caches: $URBSIM_TMP or the system temp folder."""
    base = Path(os.environ.get("URBSIM_TMP") or tempfile.gettempdir())
    return base / f"urbsim-dashboard-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


# --- the scenario library -------------------------------------------------

FILE, SESSION = "file:", "session:"


@dataclass(frozen=True)
class Entry:
    key: str          # "file:tieling_reform_2020.yaml" or "session:my_variant"
    name: str
    description: str
    source: str       # "file" | "session"
    description_zh: str = ""

    def describe(self, lang: str) -> str:
        """The description in `lang` (the Chinese one when the file has it)."""
        return (self.description_zh or self.description) if lang == "zh" else self.description


class Library:
    """Scenario files in a folder (re-read on every call, so files others add appear),
    plus the scenarios a session uploaded or saved, passed in as {name: yaml}."""

    def __init__(self, folder: Path | None):
        self.folder = Path(folder) if folder else None

    def files(self) -> list[Path]:
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())

    def entries(self, session: dict[str, str] | None = None) -> list[Entry]:
        out = []
        for p in self.files():
            try:
                sc = sim.load_scenario(p)
                out.append(Entry(FILE + p.name, sc.name, sc.description.strip(), "file", sc.description_zh.strip()))
            except sim.ScenarioError as e:
                out.append(Entry(FILE + p.name, p.stem, "invalid: " + e.problems[0], "file",
                                 "无效：" + i18n.problem(e.problems[0], "zh")))
        for name, text in (session or {}).items():
            desc = desc_zh = ""
            try:
                sc = sim.parse_scenario(text, name)
                desc, desc_zh = sc.description.strip(), sc.description_zh.strip()
            except sim.ScenarioError:
                pass
            out.append(Entry(SESSION + name, name, desc, "session", desc_zh))
        return out

    def load(self, key: str, session: dict[str, str] | None = None) -> sim.Scenario:
        """The scenario behind a library key; raises ScenarioError."""
        if key.startswith(FILE) and self.folder is not None:
            name = key[len(FILE):]
            path = self.folder / name
            if Path(name).name != name or path not in self.files():
                raise sim.ScenarioError([f"{name}: not in the scenario library"])
            return sim.load_scenario(path)
        if key.startswith(SESSION) and session and key[len(SESSION):] in session:
            name = key[len(SESSION):]
            return sim.parse_scenario(session[name], source=name)
        raise sim.ScenarioError([f"{key}: not in the scenario library"])

    def default_key(self) -> str | None:
        files = self.files()
        if not files:
            return None
        preferred = [p for p in files if p.stem == "tieling_reform_2020"]
        return FILE + (preferred[0] if preferred else files[0]).name


UPLOAD_SUFFIXES = (".yaml", ".yml")


def parse_upload(contents: Any, filename: Any, lang: str = "en") -> tuple[sim.Scenario | None, str, list[str]]:
    """Decode a dcc.Upload data URL and validate it. Returns (scenario, text, problems); a file
    that is not .yaml/.yml, over MAX_UPLOAD_BYTES or not UTF-8 text is refused before parsing,
    and so is anything that is not a data URL (a crafted request). Its own problems are in `lang`;
    a scenario's come from `sim`."""
    filename = filename if isinstance(filename, str) and filename else "upload.yaml"
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        return None, "", [i18n.t("upload_not_yaml", lang) + filename]
    try:
        payload = contents.split(",", 1)[1]
        raw = base64.b64decode(payload, validate=False)
    except (AttributeError, IndexError, ValueError, TypeError):
        return None, "", [i18n.t("upload_unreadable", lang) + filename]
    if len(raw) > MAX_UPLOAD_BYTES:
        return None, "", [f"{i18n.t('upload_too_big', lang)}{filename} ({len(raw):,} B)"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "", [i18n.t("upload_not_text", lang) + filename]
    try:
        return sim.parse_scenario(text, source=filename), text, []
    except sim.ScenarioError as e:
        return None, text, list(e.problems)


# --- scenario values <-> controls -------------------------------------------

def value_at(data: dict, path: str) -> Any:
    cur: Any = data
    for k in path.split("."):
        cur = cur[k]
    return cur


def compose(base: sim.Scenario, values: dict[str, Any], **fields: Any) -> sim.Scenario:
    """The base scenario with control values (dotted paths) and top-level fields applied;
    validated again by `sim.with_overrides`. Raises ScenarioError."""
    over = dict(values)
    over.update({k: v for k, v in fields.items() if v is not None})
    return sim.with_overrides(base, over)


def changed_paths(base: sim.Scenario, edited: sim.Scenario, paths: Iterable[str]) -> list[str]:
    a, b = base.model_dump(mode="json"), edited.model_dump(mode="json")
    out = []
    for p in paths:
        va, vb = value_at(a, p), value_at(b, p)
        if isinstance(va, list) and isinstance(vb, list):
            va, vb = sorted(va), sorted(vb)
        if va != vb:
            out.append(p)
    return out


# --- runs ----------------------------------------------------------------------

def one_replicate(scenario: sim.Scenario, index: int, seed: int, scale: float,
                  progress: Callable[[int, int], None] | None = None) -> tuple[pd.DataFrame, dict]:
    """Replicate `index` of the scenario: `sim.run` with `seed` at `scale`; its tidy outcomes with
    `replicate` and `seed` columns, and its manifest. (The replicate pool's workers run this too,
    dashboard/pool.py, so a pooled run is the serial run, value for value.)"""
    sc = sim.with_overrides(scenario, {"seed": int(seed), "scale": float(scale)})
    res = sim.run(sc, progress=progress)
    df = res.outcomes.copy()
    df["replicate"] = index
    df["seed"] = int(seed)
    return df, res.manifest


def run_replicates(scenario: sim.Scenario, seeds: list[int], scale: float,
                   progress: Callable[[int, int], None] | None = None, pool: Any = None
                   ) -> tuple[pd.DataFrame, list[dict]]:
    """Run the scenario once per seed at `scale`, one after another, or on `pool`'s workers at
    once (a dashboard.pool.ReplicatePool) when it is given and running; the tidy outcomes of all
    runs with `replicate` and `seed` columns, and their manifests. `progress(done, total)`
    counts simulated years across the replicates."""
    if pool is not None and pool.running():
        from .pool import PoolUnavailable
        try:
            return pool.run(scenario, seeds, scale, progress)
        except PoolUnavailable:
            pass   # stopped: the run does it alone, as without a pool
    years = scenario.end_year - scenario.base_year
    total = years * len(seeds)
    frames, manifests = [], []
    for i, seed in enumerate(seeds):
        step = (lambda done, _t, i=i: progress(i * years + done, total)) if progress else None
        df, manifest = one_replicate(scenario, i, seed, scale, step)
        frames.append(df)
        manifests.append(manifest)
    return gather(frames, manifests)


def gather(frames: list[pd.DataFrame], manifests: list[dict]) -> tuple[pd.DataFrame, list[dict]]:
    """The replicates' outcomes in one table, in replicate order."""
    return pd.concat(frames, ignore_index=True), manifests


@dataclass
class RunSet:
    """One compared scenario: its label, replicate outcomes and what produced them."""
    key: str
    label: str
    outcomes: pd.DataFrame          # year, county, group, outcome, value, replicate, seed
    seeds: list[int] = field(default_factory=list)
    scale: float = DEFAULT_SCALE
    scenario_yaml: str = ""

    _wide: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def n_replicates(self) -> int:
        return int(self.outcomes["replicate"].nunique()) if len(self.outcomes) else 0

    @property
    def wide(self) -> pd.DataFrame:
        """Values indexed by (outcome, county, group, year), one column per replicate
        (derived once per RunSet, which lives for one callback)."""
        if self._wide is None:
            idx = ["outcome", "county", "group", "year"]
            self._wide = (self.outcomes.pivot_table(index=idx, columns="replicate", values="value", aggfunc="mean")
                          .sort_index())
        return self._wide

    def values(self, outcome: str, county: str, group: str = "all") -> pd.DataFrame:
        """Year x replicate values of one outcome in one area (empty when not recorded)."""
        try:
            return self.wide.loc[(outcome, county, group)]
        except KeyError:
            return pd.DataFrame(columns=self.wide.columns, dtype=float)

    def in_year(self, outcome: str, year: int, group: str = "all") -> pd.DataFrame:
        """County x replicate values of one outcome in one year (empty when not recorded)."""
        try:
            return self.wide.xs((outcome, group, year), level=("outcome", "group", "year"))
        except KeyError:
            return pd.DataFrame(columns=self.wide.columns, dtype=float)


class ResultStore:
    """Run outcomes on disk, keyed by a random token that only the session that ran them
    holds. Least-recently-used entries are evicted past `size_limit`; entries expire."""

    def __init__(self, directory: Path, size_limit: int = 2 ** 30):
        self.directory = Path(directory)
        self.cache = diskcache.Cache(str(self.directory), size_limit=size_limit,
                                     eviction_policy="least-recently-used")

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)

    def put(self, token: str, outcomes: pd.DataFrame, manifests: list[dict]) -> None:
        buf = io.BytesIO()
        outcomes.to_parquet(buf, index=False)
        self.cache.set(token, {"parquet": buf.getvalue(), "manifests": manifests}, expire=RESULT_TTL_S)

    def get(self, token: str) -> pd.DataFrame | None:
        if not isinstance(token, str):
            return None
        item = self.cache.get(token)
        if item is None or "parquet" not in item:
            return None
        return pd.read_parquet(io.BytesIO(item["parquet"]))

    def put_ensemble(self, token: str, result: sim.EnsembleResult) -> None:
        """A parameter-ensemble result (dashboard/ensemble_panel.py): its runs and members as Parquet."""
        self.cache.set(token, {"ensemble": _parquet(result.runs), "members": _parquet(result.members),
                               "manifest": result.manifest}, expire=RESULT_TTL_S)

    def get_ensemble(self, token: str) -> sim.EnsembleResult | None:
        item = self.cache.get(token) if isinstance(token, str) else None
        if not isinstance(item, dict) or "ensemble" not in item:
            return None
        return sim.EnsembleResult(pd.read_parquet(io.BytesIO(item["ensemble"])),
                                  pd.read_parquet(io.BytesIO(item["members"])), item["manifest"])

    def manifests(self, token: str) -> list[dict]:
        item = self.cache.get(token) if isinstance(token, str) else None
        return item.get("manifests", []) if isinstance(item, dict) else []


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()


def runsets_from(runs: list[dict] | None, store: ResultStore) -> tuple[list[RunSet], list[str]]:
    """RunSets for the session's run records; labels of those whose results expired."""
    out, missing = [], []
    for r in runs or []:
        df = store.get(r.get("key"))
        if df is None:
            missing.append(r.get("label", "?"))
            continue
        out.append(RunSet(r["key"], r["label"], df, list(r.get("seeds", [])), r.get("scale", DEFAULT_SCALE),
                          r.get("yaml", "")))
    return out, missing


def unique_label(name: str, runs: list[dict]) -> str:
    """The name, or name-2, name-3 … when a compared run has it: still a valid scenario name,
    so the run's YAML carries the label it is shown under."""
    taken = {r["label"] for r in runs}
    if name not in taken:
        return name
    i = 2
    while f"{name}-{i}" in taken:
        i += 1
    return f"{name}-{i}"


def export_table(runsets: list[RunSet], lang: str = "en") -> pd.DataFrame:
    """All compared runs in one tidy table: scenario, replicate, seed, scale, year,
    county, county_name, group, outcome, value."""
    frames = []
    for rs in runsets:
        df = rs.outcomes.copy()
        df.insert(0, "scenario", rs.label)
        df["scale"] = rs.scale
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=["scenario", "replicate", "seed", "scale", "year", "county", "county_name",
                                     "group", "outcome", "value"])
    df = pd.concat(frames, ignore_index=True)
    names = {c: sim.county_label(c, lang) for c in df["county"].unique()}
    df["county_name"] = df["county"].map(names)
    cols = ["scenario", "replicate", "seed", "scale", "year", "county", "county_name", "group", "outcome", "value"]
    return df[cols]
