"""How a behavioural parameter is declared: a bounded pydantic field with its source, unit and
whether it is an assumption; and the check for two shares that split one whole."""
from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo


def param(default: float, *, lo: float, hi: float, source: str, unit: str = "", assumption: bool = False) -> Any:
    extra = {"source": source, "unit": unit, "assumption": assumption}
    return Field(default, ge=lo, le=hi, json_schema_extra=extra)


def at_most_one_with(other: str, info: ValidationInfo, value: float) -> float:
    """For shares that split one whole: `value` plus the field `other` must not exceed 1."""
    first = info.data.get(other)
    if first is not None and first + value > 1 + 1e-9:
        raise ValueError(f"at most {1 - first:g} (1 - {other} = 1 - {first:g})")
    return value
