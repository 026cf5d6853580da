"""No request body takes true or false for a number (common/bodies.py): Pydantic's lax mode
would read them as 1 and 0."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import Field, ValidationError

import hemis.web.app  # noqa: F401 - loads every router, so every body model exists
from hemis.common.bodies import NoBooleanNumbers, boolean_for_number


def every_body_model() -> list[type[NoBooleanNumbers]]:
    found: list[type[NoBooleanNumbers]] = []
    todo = list(NoBooleanNumbers.__subclasses__())
    while todo:
        model = todo.pop()
        if model not in found:
            found.append(model)
            todo.extend(model.__subclasses__())
    return found


def test_every_number_field_of_every_body_refuses_true_and_false() -> None:
    checked = 0
    for model in every_body_model():
        for name, field in model.model_fields.items():
            key = field.alias or name
            if not boolean_for_number(field.annotation, True):
                continue
            for value in (True, False):
                with pytest.raises(ValidationError) as caught:
                    model.model_validate({key: value})
                refused = [e for e in caught.value.errors() if e["loc"][:1] == (key,)]
                assert refused, (model.__name__, key)
                assert "true or false" in refused[0]["msg"], (model.__name__, key)
            checked += 1
    assert checked > 50  # the registry, admissions, submissions and payment bodies


Score = Annotated[Decimal, Field(ge=0)]


@pytest.mark.parametrize(
    ("annotation", "value", "refused"),
    [
        (int, True, True),
        (int | None, False, True),
        (Annotated[int, Field(ge=1)] | None, True, True),
        (float, 1.5, False),
        (bool, True, False),
        (bool | int, True, False),  # a field that says it takes booleans
        (str, True, False),  # not a number: Pydantic refuses it by itself
        (list[int], [1, True], True),
        (list[int], [1, 2], False),
        (list[tuple[Decimal, Score]], [["0", "1"], ["1", False]], True),
        (list[tuple[Decimal, Score]], [["0", "1"], ["1", "2"]], False),
        (tuple[int, ...], (1, 2, True), True),
        (dict[str, Any], {"a": True}, False),
    ],
)
def test_a_boolean_is_found_where_a_number_is_due(
    annotation: Any, value: Any, refused: bool
) -> None:
    assert boolean_for_number(annotation, value) is refused


@given(st.lists(st.integers() | st.booleans(), max_size=8))
def test_a_list_of_numbers_is_refused_exactly_when_it_holds_a_boolean(values: list[Any]) -> None:
    assert boolean_for_number(list[int], values) is any(isinstance(v, bool) for v in values)
