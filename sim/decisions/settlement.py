"""Settling (落户): who is eligible by which pathway, and who chooses to (clauses 二, 四-七).

Settling is always voluntary (clause 二): a pathway only makes a person eligible; the
person weighs the services town hukou adds over its current status against the rural
rights it would lose, and uses only a pathway it knows of.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..parameters import Settling
from ..policies.levers import GraduateSettlement, Scheme
from ..policies.rules import Rules
from ..population.columns import Edu, Insured, Job, Pathway, Tenure

N_PATHWAYS = len(Pathway)
HEAD, SPOUSE, CHILD, PARENT, OTHER = range(5)
FRESH_GRADUATE_YEARS = 2    # "fresh graduate" (应届) window under conditional rules (assumption)
CONDITIONAL_MAX_AGE = 35    # age cap of the pre-reform graduate rules (assumption)
NEVER_GRADUATED = 999       # years since graduation of a candidate who never graduated
SCHEME_BITS = {Scheme.medical: Insured.medical, Scheme.pension: Insured.pension}


@dataclass
class Candidates:
    """Town residents without town hukou there, as arrays of equal length."""
    age: np.ndarray
    edu: np.ndarray
    years_since_graduation: np.ndarray   # NEVER_GRADUATED when never graduated
    non_regular: np.ndarray
    job: np.ndarray
    role: np.ndarray                     # HEAD, SPOUSE, CHILD, PARENT, OTHER in the household
    tenure: np.ndarray                   # household's Tenure
    floor_m2: np.ndarray
    ins_years: np.ndarray
    ins_schemes: np.ndarray              # Insured bits
    town_years: np.ndarray
    relative_has_town_hukou: np.ndarray  # a household member holds town hukou of this town


def eligible(c: Candidates, r: Rules) -> np.ndarray:
    """(n, N_PATHWAYS) eligibility by pathway under the rules of the year."""
    out = np.zeros((N_PATHWAYS, len(c.age)), bool).T     # column-major: each pathway's column is contiguous
    graduate = (c.edu >= Edu.college) & (c.years_since_graduation < NEVER_GRADUATED) & (r.graduates.include_non_regular_degrees | ~c.non_regular)
    owner = c.tenure == Tenure.owned
    if r.graduates.settlement == GraduateSettlement.unrestricted:
        housed = owner | (c.tenure == Tenure.public_rental) | r.graduates.collective_registration
        out[:, Pathway.graduate] = graduate & housed
    elif r.graduates.settlement == GraduateSettlement.conditional:
        out[:, Pathway.graduate] = (graduate & (c.job == Job.employee) & (c.age <= CONDITIONAL_MAX_AGE)
                                    & (c.years_since_graduation <= FRESH_GRADUATE_YEARS) & owner)
    if r.purchase.enabled:
        roles = {HEAD} | {dict(spouse=SPOUSE, children=CHILD, parents=PARENT)[d.value] for d in r.purchase.dependents}
        out[:, Pathway.purchase] = owner & (c.floor_m2 >= r.purchase.min_floor_area_m2) & _one_of(c.role, roles)
    if r.insurance.enabled and r.insurance.schemes:
        mask = sum(SCHEME_BITS[s] for s in r.insurance.schemes)
        out[:, Pathway.insurance] = ((c.job == Job.flexible) & ((c.ins_schemes & mask) > 0)
                                     & (c.ins_years >= max(r.insurance.min_contribution_years, 1e-6)))
    working = (c.job == Job.employee) | (c.job == Job.flexible)
    out[:, Pathway.residence_years] = working & (c.town_years >= r.settlement.residence_years_required)
    if r.settlement.three_dependents:
        out[:, Pathway.three_dependents] = c.relative_has_town_hukou & _one_of(c.role, (SPOUSE, CHILD, PARENT))
    return out


def _one_of(role: np.ndarray, roles) -> np.ndarray:
    """`np.isin(role, roles)` by a lookup in a table of the five roles (np.isin sorts)."""
    table = np.zeros(OTHER + 1, bool)
    table[list(roles)] = True
    return table[role]


def utility(service_gain: np.ndarray, school_child: np.ndarray, loses_land: np.ndarray,
            params: Settling) -> np.ndarray:
    """Utility of settling now rather than keeping the current registration."""
    return (params.asc + params.beta_services * service_gain + params.beta_children * school_child
            - params.beta_land_loss * loses_land)


def eligible_bits(eligible_: np.ndarray) -> np.ndarray:
    """(n, N_PATHWAYS) eligibility as one byte per person, bit k for pathway k."""
    # set column by column (np.packbits along rows of six is four times slower)
    bits = eligible_[:, 0].astype(np.uint8)
    for k in range(1, eligible_.shape[1]):
        bits |= eligible_[:, k].view(np.uint8) << k
    return bits


def first_known(eligible_: np.ndarray, knows: np.ndarray) -> np.ndarray:
    """The pathway used: the first eligible one the person knows, or -1."""
    return _LOWEST_BIT[eligible_bits(eligible_) & knows]


# Index of the lowest set bit of a byte, -1 for 0 (the first pathway in order).
_LOWEST_BIT = np.array([-1] + [(b & -b).bit_length() - 1 for b in range(1, 256)], np.intp)
