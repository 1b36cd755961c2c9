"""Who may settle by which pathway (`sim.decisions.settlement.eligible`), one table row per rule of
the reform document (clauses 二, 四-七) and of the rules before it (`policies/historical.yaml`):
a candidate, the rules of the year, the pathway, and whether the candidate is eligible."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.decisions.settlement import (CHILD, CONDITIONAL_MAX_AGE, FRESH_GRADUATE_YEARS, HEAD, NEVER_GRADUATED, PARENT,
                                      SPOUSE, Candidates, eligible, eligible_bits, first_known)
from sim.policies.rules import HISTORICAL, Rules
from sim.population.columns import Edu, Insured, Job, Pathway, Tenure

# A town resident without town hukou who qualifies for nothing: no degree, renting, new in town.
NOBODY: dict[str, Any] = dict(
    age=30, edu=Edu.senior, years_since_graduation=NEVER_GRADUATED, non_regular=False, job=Job.employee, role=HEAD,
    tenure=Tenure.rented, floor_m2=60.0, ins_years=0.0, ins_schemes=0, town_years=0, relative_has_town_hukou=False)
GRADUATE = dict(edu=Edu.college, years_since_graduation=1)
OWNER = dict(tenure=Tenure.owned)
FLEXIBLE_INSURED = dict(job=Job.flexible, ins_schemes=Insured.medical, ins_years=1.0)

REFORM = Rules()                                              # the document as written (the levers' defaults)
BEFORE = Rules.model_validate(HISTORICAL.model_dump())        # the rules before it


def rules(base: Rules, **levers: Any) -> Rules:
    """`base` with levers changed by path, `graduates__settlement="closed"` for graduates.settlement."""
    data = base.model_dump()
    for path, value in levers.items():
        *blocks, name = path.split("__")
        node = data
        for b in blocks:
            node = node[b]
        node[name] = value
    return Rules.model_validate(data)


def candidates(**fields: Any) -> Candidates:
    person = {**NOBODY, **fields}
    return Candidates(**{k: np.array([v]) for k, v in person.items()})


CASES = [
    # graduate (clause 五): no restriction; a home, public rental or a collective household
    ("graduate renting, collective registration", REFORM, {**GRADUATE}, Pathway.graduate, True),
    ("graduate renting, no collective registration", rules(REFORM, graduates__collective_registration=False),
     {**GRADUATE}, Pathway.graduate, False),
    ("graduate owning, no collective registration", rules(REFORM, graduates__collective_registration=False),
     {**GRADUATE, **OWNER}, Pathway.graduate, True),
    ("graduate in public rental, no collective", rules(REFORM, graduates__collective_registration=False),
     {**GRADUATE, "tenure": Tenure.public_rental}, Pathway.graduate, True),
    ("graduate aged 50, years after graduating", REFORM, {**GRADUATE, "age": 50, "years_since_graduation": 20},
     Pathway.graduate, True),
    ("bachelor", REFORM, {**GRADUATE, "edu": Edu.bachelor}, Pathway.graduate, True),
    ("senior school only", REFORM, {"edu": Edu.senior, "years_since_graduation": 1}, Pathway.graduate, False),
    ("college level who never graduated", REFORM, {"edu": Edu.college}, Pathway.graduate, False),
    ("non-regular degree counted", REFORM, {**GRADUATE, "non_regular": True}, Pathway.graduate, True),
    ("non-regular degree not counted", rules(REFORM, graduates__include_non_regular_degrees=False),
     {**GRADUATE, "non_regular": True}, Pathway.graduate, False),
    ("graduate pathway closed", rules(REFORM, graduates__settlement="closed"), {**GRADUATE, **OWNER},
     Pathway.graduate, False),
    # graduate before the reform: a fresh graduate under 35, local employee, owning a home
    ("conditional: fresh graduate, 35, employee, owner", BEFORE,
     {**GRADUATE, **OWNER, "age": CONDITIONAL_MAX_AGE}, Pathway.graduate, True),
    ("conditional: graduate aged 36", BEFORE, {**GRADUATE, **OWNER, "age": 36}, Pathway.graduate, False),
    ("conditional: graduated 3 years ago", BEFORE,
     {**GRADUATE, **OWNER, "years_since_graduation": FRESH_GRADUATE_YEARS + 1}, Pathway.graduate, False),
    ("conditional: flexible job", BEFORE, {**GRADUATE, **OWNER, "job": Job.flexible}, Pathway.graduate, False),
    ("conditional: renting", BEFORE, {**GRADUATE}, Pathway.graduate, False),
    # purchase (clause 六): the buyer and the family members the rules name, any floor area
    ("buyer, head", REFORM, {**OWNER, "floor_m2": 20.0}, Pathway.purchase, True),
    ("buyer's parent", REFORM, {**OWNER, "role": PARENT}, Pathway.purchase, True),
    ("renter", REFORM, {}, Pathway.purchase, False),
    ("purchase disabled", rules(REFORM, purchase__enabled=False), {**OWNER}, Pathway.purchase, False),
    ("before: home below 60 m²", BEFORE, {**OWNER, "floor_m2": 59.0}, Pathway.purchase, False),
    ("before: home of 60 m²", BEFORE, {**OWNER, "floor_m2": 60.0}, Pathway.purchase, True),
    ("before: buyer's spouse", BEFORE, {**OWNER, "role": SPOUSE}, Pathway.purchase, True),
    ("before: buyer's parent", BEFORE, {**OWNER, "role": PARENT}, Pathway.purchase, False),
    # insurance (clause 七): flexible workers paying a scheme that counts, for the years required
    ("flexible worker paying medical", REFORM, FLEXIBLE_INSURED, Pathway.insurance, True),
    ("flexible worker paying pension", REFORM, {**FLEXIBLE_INSURED, "ins_schemes": Insured.pension},
     Pathway.insurance, True),
    ("flexible worker who never paid", REFORM, {**FLEXIBLE_INSURED, "ins_schemes": 0, "ins_years": 0.0},
     Pathway.insurance, False),
    ("paid a scheme that does not count", rules(REFORM, insurance__schemes=["pension"]), FLEXIBLE_INSURED,
     Pathway.insurance, False),
    ("paid fewer years than required", rules(REFORM, insurance__min_contribution_years=3.0),
     {**FLEXIBLE_INSURED, "ins_years": 2.0}, Pathway.insurance, False),
    ("paid the years required", rules(REFORM, insurance__min_contribution_years=3.0),
     {**FLEXIBLE_INSURED, "ins_years": 3.0}, Pathway.insurance, True),
    ("employee (employer pays; other pathways)", REFORM, {**FLEXIBLE_INSURED, "job": Job.employee},
     Pathway.insurance, False),
    ("before: no insurance pathway", BEFORE, FLEXIBLE_INSURED, Pathway.insurance, False),
    # residence years (clause 二): working, and in town the years required
    ("employee two years in town", REFORM, {"town_years": 2}, Pathway.residence_years, True),
    ("flexible worker two years in town", REFORM, {"town_years": 2, "job": Job.flexible},
     Pathway.residence_years, True),
    ("employee one year in town", REFORM, {"town_years": 1}, Pathway.residence_years, False),
    ("without work", REFORM, {"town_years": 9, "job": Job.none}, Pathway.residence_years, False),
    ("before: four years in town", BEFORE, {"town_years": 4}, Pathway.residence_years, False),
    ("before: five years in town", BEFORE, {"town_years": 5}, Pathway.residence_years, True),
    # three dependents (clause 四): spouse, child or parent of a town-hukou holder in the household
    ("child of a town-hukou holder", REFORM, {"role": CHILD, "relative_has_town_hukou": True},
     Pathway.three_dependents, True),
    ("spouse of a town-hukou holder", REFORM, {"role": SPOUSE, "relative_has_town_hukou": True},
     Pathway.three_dependents, True),
    ("head with a town-hukou member", REFORM, {"relative_has_town_hukou": True}, Pathway.three_dependents, False),
    ("child, nobody with town hukou", REFORM, {"role": CHILD}, Pathway.three_dependents, False),
    ("three dependents off", rules(REFORM, settlement__three_dependents=False),
     {"role": CHILD, "relative_has_town_hukou": True}, Pathway.three_dependents, False),
]


@pytest.mark.parametrize("name, r, person, pathway, expected", CASES, ids=[c[0] for c in CASES])
def test_eligibility(name, r, person, pathway, expected):
    assert bool(eligible(candidates(**person), r)[0, pathway]) is expected


def test_nobody_qualifies_for_anything_under_either_rules():
    for r in (REFORM, BEFORE):
        assert not eligible(candidates(), r).any()


def test_the_pathway_used_is_the_first_eligible_one_the_person_knows():
    both = candidates(**GRADUATE, **OWNER)           # graduate and purchase
    e = eligible(both, REFORM)
    assert eligible_bits(e)[0] == (1 << Pathway.graduate) | (1 << Pathway.purchase)
    assert first_known(e, np.array([0xFF], np.uint8))[0] == Pathway.graduate
    assert first_known(e, np.array([1 << Pathway.purchase], np.uint8))[0] == Pathway.purchase
    assert first_known(e, np.array([1 << Pathway.insurance], np.uint8))[0] == -1


def test_many_candidates_are_judged_one_by_one():
    """The vectorised rule gives each row the answer it gives alone."""
    people = [person for _, r, person, _, _ in CASES if r is REFORM]
    together = Candidates(**{k: np.array([{**NOBODY, **p}[k] for p in people]) for k in NOBODY})
    alone = np.vstack([eligible(candidates(**p), REFORM) for p in people])
    np.testing.assert_array_equal(eligible(together, REFORM), alone)
