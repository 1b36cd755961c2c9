"""The base of every scenario block (`sim.blocks`): frozen, no unknown keys, values taken as
typed (no booleans or text for numbers), options at most once, text writable as UTF-8."""
from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError, model_validator

from sim.blocks import Block, problem_at


class Example(Block):
    share: float = 0.5
    years: int = 2
    options: list[str] = []
    label: str = ""
    by_code: dict[str, int] = {}

    @model_validator(mode="after")
    def _years_cover_share(self) -> "Example":
        if self.years == 0 and self.share > 0:
            raise problem_at("years", "at least 1 while share > 0", self.years)
        return self


@pytest.mark.parametrize("field, value, expected", [
    ("share", True, "a number"),
    ("share", "0.1", "a number"),
    ("years", False, "a whole number"),
    ("options", ["a", "a"], "at most once"),
    ("label", "\ud800", "UTF-8"),
    ("by_code", {"211202": True}, "a whole number"),
])
def test_a_value_of_the_wrong_kind_is_refused_saying_what_was_expected(field, value, expected):
    with pytest.raises(ValidationError, match=expected):
        Example(**{field: value})


def test_numbers_from_numpy_pass_as_numbers():
    e = Example(share=np.float64(0.25), years=np.int64(3))
    assert e.share == 0.25 and e.years == 3


def test_unknown_keys_are_refused_and_blocks_are_frozen():
    with pytest.raises(ValidationError, match="Extra inputs"):
        Example(shares=0.1)
    with pytest.raises(ValidationError):
        Example().share = 0.3


def test_a_cross_field_problem_names_its_field():
    with pytest.raises(ValidationError) as e:
        Example(years=0)
    err = e.value.errors()[0]
    assert err["type"] == "value_at" and err["ctx"]["at"] == "years"
