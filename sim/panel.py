"""Agents out of the model: persons and households as pandas tables with readable columns, and a
year-by-year panel of them keyed by their stable ids (docs/outcomes.md, "Person and household panels").

    model.persons_frame()                       # the living persons now, one row each
    result = sim.run(scenario, micro=0.1)       # a tenth of the persons and households, every year
    result.persons, result.households           # DataFrames: one row per agent-year

A sample is drawn by id, not from the model's random streams: a person is in it in every year
or in none, and sampling changes no outcome. Persons born or arriving later join it by the same
rule.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .places import CODES, OUTSIDE, county_label
from .population.columns import Edu, HukouKind, Job, Pathway, Tenure
from .population.registration import agent_kind

OUTSIDE_LABEL = "outside Tieling (市外)"
COUNTY = [county_label(code, "en") for code in CODES] + [OUTSIDE_LABEL]   # by county index, 7 = outside
AREA = ["village", "town"]                                                # by the `*_urban` flag
EDUCATION = ["none or pre-school", "primary", "junior secondary", "senior secondary", "junior college",
             "bachelor or above"]
SEX = ["male", "female"]
KIND = ["migrant_worker", "graduate", "household"]                        # registration.agent_kind
assert len(EDUCATION) == len(Edu)

PERSON_FILE, HOUSEHOLD_FILE = "persons.parquet", "households.parquet"


def _cat(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
    """Codes (-1 for missing) as a categorical with every label as a category, so that every
    year's table has the same categories (and Parquet the same dictionary)."""
    return pd.Categorical.from_codes(codes.astype(np.int16), categories=labels)


def _enum(values: np.ndarray, enum) -> pd.Categorical:
    return _cat(values, [m.name for m in enum])


def in_sample(ids: np.ndarray, fraction: float) -> np.ndarray:
    """Whether each id is in a sample of `fraction`: a fixed hash of the id (splitmix64's
    finaliser) read as a uniform number in [0, 1). The same ids are in it in every year and run."""
    if not 0 < fraction <= 1:
        raise ValueError(f"sample: expected a fraction in (0, 1], found {fraction!r}")
    if fraction == 1:
        return np.ones(len(ids), bool)
    x = ids.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return (x >> np.uint64(11)).astype(np.float64) * 2.0 ** -53 < fraction


def persons_frame(model, sample: float = 1.0) -> pd.DataFrame:
    """The living persons (residents and people registered in Tieling living outside) in the
    model's current year, one row each, or a `sample` of them by id. Columns in docs/outcomes.md."""
    p, h, year = model.pop.persons, model.pop.households, model.year
    alive = model.pop.alive()
    rows = alive[in_sample(p.id[alive], sample)]
    res, hk = p.res[rows], p.hk[rows]
    inside, registered = res != OUTSIDE, hk != OUTSIDE
    pathway = np.full(len(rows), -1, np.int16)
    settled_ids, settled_pathway = model.settled_this_year
    if len(settled_ids):
        # The last pathway of a person who settled twice in the year (a student, then by a pathway).
        order = np.argsort(settled_ids, kind="stable")
        at = np.searchsorted(settled_ids[order], p.id[rows], side="right") - 1
        found = (at >= 0) & (settled_ids[order][at.clip(min=0)] == p.id[rows])
        pathway[found] = settled_pathway[order][at[found]]
    return pd.DataFrame({
        "year": np.full(len(rows), year, np.int16),
        "id": p.id[rows],
        "household_id": h.id[p.hh[rows]],
        "age": p.age[rows],
        "sex": _cat(p.female[rows].astype(np.int8), SEX),
        "education": _cat(p.edu[rows], EDUCATION),
        "job": _enum(p.job[rows], Job),
        "residence_county": _cat(res, COUNTY),
        "residence_area": _cat(np.where(inside, p.res_urban[rows], -1), AREA),
        "hukou_county": _cat(hk, COUNTY),
        "hukou_area": _cat(np.where(registered, p.hk_urban[rows], -1), AREA),
        "hukou_kind": _enum(p.hk_kind[rows], HukouKind),
        "permit": p.permit[rows],
        "settled_pathway": _enum(pathway, Pathway),
        "kind": _cat(np.where(inside, agent_kind(model.pop, rows, year), -1), KIND),
        "town_years": p.town_years[rows],
        "insurance_years": p.ins_years[rows],
        "weight": np.full(len(rows), model.pop.weight / sample),
    })


def households_frame(model, sample: float = 1.0) -> pd.DataFrame:
    """The households with living members in the model's current year, one row each, or a
    `sample` of them by id. Columns in docs/outcomes.md."""
    p, h = model.pop.persons, model.pop.households
    members = np.bincount(p.hh[model.pop.alive()], minlength=h.n)
    live = np.flatnonzero(h.view("alive") & (members > 0))
    rows = live[in_sample(h.id[live], sample)]
    county = h.county[rows]
    return pd.DataFrame({
        "year": np.full(len(rows), model.year, np.int16),
        "id": h.id[rows],
        "county": _cat(county, COUNTY),
        "area": _cat(np.where(county != OUTSIDE, h.urban[rows], -1), AREA),
        "members": members[rows].astype(np.int16),
        "collective": h.collective[rows],
        "land_contract": h.land[rows],
        "tenure": _enum(h.tenure[rows], Tenure),
        "floor_m2": h.floor_m2[rows],
        "savings_yuan": h.savings[rows],
        "income_yuan_month": h.income[rows],
        "queuing_for_public_rental": h.queue_year[rows] > 0,
        "weight": np.full(len(rows), model.pop.weight / sample),
    })


class Panel:
    """Person and household tables of every year of a run (`observe(model)` once a year), in
    memory or, with `folder`, written to persons.parquet and households.parquet there one year
    at a time (a year's tables are all that is held). The files take their names at `close()`;
    until then they are hidden temporary files, removed by `abort()`."""

    def __init__(self, sample: float = 1.0, folder: str | Path | None = None):
        in_sample(np.zeros(0, np.int64), sample)          # checks the fraction
        self.sample = sample
        self.folder = Path(folder) if folder is not None else None
        self._frames: dict[str, list[pd.DataFrame]] = {PERSON_FILE: [], HOUSEHOLD_FILE: []}
        self._writers: dict = {}          # file name -> pyarrow.parquet.ParquetWriter

    def observe(self, model) -> None:
        for name, frame in ((PERSON_FILE, persons_frame(model, self.sample)),
                            (HOUSEHOLD_FILE, households_frame(model, self.sample))):
            if self.folder is None:
                self._frames[name].append(frame)
                continue
            import pyarrow as pa              # imported late: keeps `import sim` light
            import pyarrow.parquet as pq
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if name not in self._writers:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._writers[name] = pq.ParquetWriter(self._tmp(name), table.schema)
            self._writers[name].write_table(table)

    def close(self) -> None:
        """Finish the files (if written to a folder) under their names."""
        for name, writer in self._writers.items():
            writer.close()
            os.replace(self._tmp(name), self.folder / name)
        self._writers = {}

    def abort(self) -> None:
        for name, writer in self._writers.items():
            writer.close()
            self._tmp(name).unlink(missing_ok=True)
        self._writers = {}

    @property
    def persons(self) -> pd.DataFrame:
        return self._table(PERSON_FILE)

    @property
    def households(self) -> pd.DataFrame:
        return self._table(HOUSEHOLD_FILE)

    def _table(self, name: str) -> pd.DataFrame:
        if self.folder is not None:
            return pd.read_parquet(self.folder / name)
        frames = self._frames[name]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def _tmp(self, name: str) -> Path:
        return self.folder / f".{name}.tmp"
