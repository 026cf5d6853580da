"""The base of request bodies: no `true` or `false` where a number is due.

Pydantic's lax mode reads a JSON boolean as 1 or 0 for an int, float or Decimal field, so
`{"floor_area_m2": false}` would store 0 m² and `{"invoice_id": true}` name invoice 1. A body
that says true/false for a number is refused (422) instead, in every field, list and tuple.
Strings stay accepted where they were ("12" for 12): page forms fill the same models with text.
"""

from __future__ import annotations

import types
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationInfo, field_validator

NUMBERS = (int, float, Decimal)


def _takes_number_not_bool(annotation: Any) -> bool:
    """Whether a value of this type may be a number and may not be a boolean."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _takes_number_not_bool(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        members = get_args(annotation)
        return bool not in members and any(_takes_number_not_bool(m) for m in members)
    return (
        isinstance(annotation, type)
        and issubclass(annotation, NUMBERS)
        and not issubclass(annotation, (bool, Enum))
    )


def boolean_for_number(annotation: Any, value: Any) -> bool:
    """Whether `value` has a boolean where `annotation` wants a number (inside lists and
    tuples too)."""
    if isinstance(value, bool):
        return _takes_number_not_bool(annotation)
    origin = get_origin(annotation)
    if origin is Annotated:
        return boolean_for_number(get_args(annotation)[0], value)
    if origin is Union or origin is types.UnionType:
        return any(boolean_for_number(m, value) for m in get_args(annotation))
    if not isinstance(value, list | tuple):
        return False
    args = get_args(annotation)
    if origin in (list, set, frozenset) or (origin is tuple and args[-1:] == (Ellipsis,)):
        return bool(args) and any(boolean_for_number(args[0], v) for v in value)
    if origin is tuple:
        return any(boolean_for_number(a, v) for a, v in zip(args, value, strict=False))
    return False


class NoBooleanNumbers(BaseModel):
    """Refuses a boolean in any field (or list or tuple item) that is a number."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and boolean_for_number(field.annotation, value):
            raise ValueError("must be a number, not true or false")
        return value
