"""Helpers behind the pages: the fast Vietnamese name key, safe `next` paths, code labels."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hemis.accounts.pages import safe_next
from hemis.common.text import name_sort_key
from hemis.registry import codes
from hemis.registry.labels import LABELS
from hemis.registry.pages import label_function
from hemis.registry.queries import _tables, exact_name_key, like_contains, vietnamese_name_key

_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
)
_word = st.text(alphabet=_LETTERS + _LETTERS.upper() + "'-", min_size=1, max_size=7)
_names = st.lists(_word, min_size=1, max_size=5).map(" ".join)


def test_fast_path_is_active() -> None:
    assert _tables() is not None


@settings(max_examples=300, deadline=None)
@given(_names)
def test_fast_key_equals_the_reference(name: str) -> None:
    assert vietnamese_name_key(name) == exact_name_key(name)


@settings(max_examples=200, deadline=None)
@given(st.lists(_names, min_size=2, max_size=12))
def test_fast_key_orders_like_name_sort_key(names: list[str]) -> None:
    assert sorted(names, key=vietnamese_name_key) == sorted(names, key=name_sort_key)


def test_unusual_characters_fall_back_to_the_reference() -> None:
    for name in ("Nguyễn Văn Ａn", "Lê 李", "O'Brien Smith", "Trần\u200bVăn Đức"):
        assert vietnamese_name_key(name) == exact_name_key(name)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/institutions?q=a", "/institutions?q=a"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("institutions", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("/login?next=/x", "/"),
    ],
)
def test_safe_next(value: str | None, expected: str) -> None:
    assert safe_next(value) == expected


def test_like_patterns_escape_wildcards() -> None:
    assert like_contains("50%_a\\b") == "%50\\%\\_a\\\\b%"


@pytest.mark.parametrize(
    ("kind", "enum"),
    [
        ("type", codes.InstitutionType),
        ("ownership", codes.Ownership),
        ("institution_status", codes.InstitutionStatus),
        ("level", codes.Level),
        ("mode", codes.StudyMode),
        ("program_status", codes.ProgramStatus),
        ("accreditation", codes.AccreditationStatus),
        ("learner_status", codes.LearnerStatus),
        ("sex", codes.Sex),
        ("position", codes.Position),
        ("degree", codes.Degree),
        ("title", codes.AcademicTitle),
        ("contract", codes.ContractType),
    ],
)
def test_every_code_shown_on_a_page_has_both_labels(kind: str, enum: type[StrEnum]) -> None:
    assert set(LABELS[enum]) == set(codes.values(enum))
    vi, en = label_function("vi"), label_function("en")
    for code in codes.values(enum):
        if (kind, code) != ("title", "none"):  # no title is shown as an empty cell
            assert vi(kind, code)
            assert en(kind, code)
            assert en(kind, code).isascii()


def test_labels_follow_the_language() -> None:
    assert label_function("vi")("ownership", "public") == "Công lập"
    assert label_function("en")("ownership", "public") == "Public"
    assert label_function("vi")("unknown-kind", "x") == "x"
