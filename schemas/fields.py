"""Field types the standard marshmallow set lacks."""

from __future__ import annotations

import math
import re
from typing import Any

from marshmallow import ValidationError, fields


class TrimmedString(fields.String):
    """A string with surrounding whitespace removed before validation."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class StrictInteger(fields.Integer):
    """A JSON integer: no strings, fractions or booleans (bool is an int in Python).

    ``14.0`` is the integer 14, as JSON Schema's ``integer`` says (a number with a zero
    fractional part); ``14.5`` and ``"14"`` are refused.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


_WORD = re.compile(r"[^\W_]")  # a letter or a digit, in any script


def has_word(text: str) -> None:
    """Refuse a text without a letter or digit (only punctuation, or zero-width characters)."""
    if not _WORD.search(text):
        raise ValidationError("Must contain at least one word (a letter or a digit).")


class SizedList(fields.List):
    """A list whose size validators run before its items load, so a huge list fails fast."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list):
            self._validate(value)
        return super()._deserialize(value, attr, data, **kwargs)


class Bound(fields.Float):
    """An interval end: an unbounded (infinite) or undefined end dumps as null."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        if value is None or not math.isfinite(value):
            return None
        return super()._serialize(value, attr, obj, **kwargs)
