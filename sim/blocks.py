"""The base of every block of a scenario: frozen, no unknown keys, and values taken as typed.

Pydantic's lax mode turns `true` into 1 and "0.1" into 0.1; in a scenario file `scale: true`
is a mistake (it ran the whole city), so a number field refuses booleans and text. Lists of
options refuse repeats (`dependents: [spouse, spouse]`), and text must be writable as UTF-8
(a lone surrogate such as "\\ud800" otherwise passes validation and fails when the manifest
is written, after the whole run). Numbers from numpy (sweep samples) still pass as numbers.
`problem_at` names a field below the model that found a cross-field problem.
"""
from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


def problem_at(at: str, expected: str, found: Any) -> PydanticCustomError:
    """An error for the field `at` (dotted, relative to the model that raises it)."""
    return PydanticCustomError("value_at", "{expected}", {"at": at, "expected": expected, "found": found})


def checked_value(annotation: Any, value: Any) -> Any:
    """`value` if it has the kind `annotation` asks for; else ValueError saying what was expected."""
    if annotation in (int, float) and isinstance(value, (bool, str)):
        kind = "a whole number" if annotation is int else "a number"
        raise ValueError(f"{kind} (not true/false or quoted text)")
    if isinstance(value, str):
        utf8(value)
    if get_origin(annotation) is list and isinstance(value, list):
        seen = set()
        for v in value:
            key = v if isinstance(v, (str, int, float)) else repr(v)
            if key in seen:
                raise ValueError(f"each option at most once ({v!s} is repeated)")
            seen.add(key)
    if get_origin(annotation) is dict and isinstance(value, dict):
        inner = get_args(annotation)[1] if len(get_args(annotation)) == 2 else None
        inner = getattr(inner, "__origin__", inner)   # Annotated[int, ...] -> int
        for v in value.values():
            checked_value(inner, v)
    return value


def utf8(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"text that can be written as UTF-8 (a lone surrogate {text[e.start]!r} at "
                         f"character {e.start})") from None
    return text


class Block(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _typed(cls, value: Any, info: ValidationInfo) -> Any:
        return checked_value(cls.model_fields[info.field_name].annotation, value)
