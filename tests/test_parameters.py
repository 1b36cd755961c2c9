"""The behaviour blocks and how a parameter is declared (sim/parameters/): bounds, source and
unit on every field, shares that split one whole refused above 1, and each block gathered by
`Behaviour` from the module of its subject."""
from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from sim.parameters import PARAMETERS, Behaviour, iter_parameters
from sim.parameters import life, moves, register, town
from sim.parameters.fields import param
from sim.blocks import Block


class Toy(Block):
    share: float = param(0.25, lo=0.0, hi=0.5, unit="share", source="assumption: a test", assumption=True)


def test_a_parameter_is_a_bounded_field_with_its_source():
    assert Toy().share == 0.25
    with pytest.raises(ValidationError, match="less than or equal to 0.5"):
        Toy(share=0.6)
    (path, info), = list(iter_parameters(Toy, "toy"))
    assert path == "toy.share" and info.json_schema_extra == {"source": "assumption: a test", "unit": "share",
                                                              "assumption": True}


@pytest.mark.parametrize("single, couple, ok", [(0.5, 0.5, True), (0.7, 0.3, True), (0.8, 0.3, False),
                                                (1.0, 0.01, False)])
def test_shares_that_split_one_whole_are_refused_above_one(single, couple, ok):
    if ok:
        assert moves.Outside(household_single_share=single, household_couple_share=couple)
    else:
        with pytest.raises(ValidationError, match="at most"):
            moves.Outside(household_single_share=single, household_couple_share=couple)


def test_behaviour_gathers_each_block_from_its_subject_module():
    blocks = {name: info.annotation for name, info in Behaviour.model_fields.items()}
    assert blocks == {"demography": life.Demography, "outside": moves.Outside, "migration": moves.Migration,
                      "work": town.Work, "education": life.Education, "settling": register.Settling,
                      "housing": town.Housing, "services": town.Services, "registry": register.Registry}
    assert all(issubclass(b, BaseModel) for b in blocks.values())


def test_every_parameter_has_bounds_around_its_default_and_a_source():
    assert len(PARAMETERS) == len(list(iter_parameters()))
    for p in PARAMETERS:
        assert p.lo is not None and p.hi is not None and p.lo <= p.declared <= p.hi, p.path
        assert p.source, p.path
        assert p.assumption or not p.source.startswith("assumption"), f"{p.path}: an assumption not marked as one"
