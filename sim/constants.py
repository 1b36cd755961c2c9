"""Constants of the model that are not scenario fields: a scenario cannot change them. Each is
named once here, with what it is and where it comes from; the code uses the name, and the
constants table of docs/model.md is generated from `CONSTANTS` (`python -m sim.doc_tables`).
Education levels are `population.columns.Edu` (college and above: `Edu.college`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Constant:
    name: str
    value: Any
    what: str
    source: str

    @property
    def shown(self) -> str:
        v = self.value
        if isinstance(v, tuple) and len(v) == 2:
            return f"{v[0]}–{v[1]}"
        return f"{v:g}" if isinstance(v, float) else str(v)


CONSTANTS: list[Constant] = []


def declare(name: str, value: Any, what: str, source: str) -> Any:
    """Register a constant for the docs and return its value."""
    CONSTANTS.append(Constant(name, value, what, source))
    return value


SCHOOL_AGES: tuple[int, int] = declare(
    "SCHOOL_AGES", (6, 14), "ages of compulsory schooling (pupils, school places, migrant children)",
    "China's nine-year compulsory education from age 6 (Compulsory Education Law); census age groups 5-9, 10-14")
HEAD_DECIDER_AGES: tuple[int, int] = declare(
    "HEAD_DECIDER_AGES", (18, 55), "ages of household heads who reconsider where the household lives",
    "assumption: working-age heads; older heads rarely move (no Tieling survey)")
YOUTH_DECIDER_AGES: tuple[int, int] = declare(
    "YOUTH_DECIDER_AGES", (18, 30), "ages of village youths (children of the head) who may move to a town alone",
    "assumption: new-generation migrant workers (clause 二) leave home young")
CHILD_GAP_YEARS: int = declare(
    "CHILD_GAP_YEARS", 15, "years a child is at least younger than the household head (roles, `columns.Heads`)",
    "assumption: household roles are inferred from age gaps; the census gives no relationships per person")
RETURN_AGE: int = declare(
    "RETURN_AGE", 45, "age from which people living outside come back more often (`outside.return_age_multiplier`)",
    "figures.csv: local migrant workers average 45.5 years against 36 for those working away (2019)")
GRADUATE_YEARS: int = declare(
    "GRADUATE_YEARS", 5, "years after graduation during which a resident is reported as a graduate (agent kind)",
    "assumption: 'new graduates' as counted by talent policies")
