"""Labels: every member of every code list has a Vietnamese and an English label."""

from __future__ import annotations

import inspect
from enum import StrEnum

import pytest

from hemis.registry import codes
from hemis.registry.labels import LABELS, choices, label

CODE_LISTS = [
    obj
    for _, obj in inspect.getmembers(codes, inspect.isclass)
    if issubclass(obj, StrEnum) and obj is not StrEnum and obj.__module__ == codes.__name__
]


def test_code_lists_found() -> None:
    assert len(CODE_LISTS) >= 18


@pytest.mark.parametrize("enum", CODE_LISTS, ids=lambda e: e.__name__)
def test_every_member_has_both_labels(enum: type[StrEnum]) -> None:
    assert enum in LABELS, enum.__name__
    assert set(LABELS[enum]) == set(enum), enum.__name__
    for member in enum:
        vi, en = label(member, "vi"), label(member, "en")
        assert vi.strip()
        assert en.strip()
        assert label(member.value, "vi", enum=enum) == vi
        assert label(member.value, "en", enum=enum) == en
    vi_labels = [label(m, "vi") for m in enum]
    assert len(set(vi_labels)) == len(vi_labels), f"duplicate labels in {enum.__name__}"


def test_no_labels_for_unknown_lists() -> None:
    assert set(LABELS) <= set(CODE_LISTS)


def test_examples() -> None:
    assert label(codes.Level.master) == "Thạc sĩ"
    assert label(codes.Level.master, "en") == "Master's"
    assert label(codes.Sex.female) == "Nữ"
    assert label("graduated") == "Đã tốt nghiệp"
    assert label("other", "en") == "Other"
    assert choices(codes.StudyMode) == [
        ("full_time", "Chính quy"),
        ("part_time", "Vừa làm vừa học"),
        ("distance", "Đào tạo từ xa"),
    ]


def test_ambiguous_and_unknown_values() -> None:
    with pytest.raises(ValueError, match="several code lists"):
        label("suspended")
    assert label("suspended", enum=codes.LearnerStatus) == "Tạm dừng học"
    with pytest.raises(KeyError):
        label("nonsense")
    with pytest.raises(KeyError):
        label("nonsense", enum=codes.Level)
    with pytest.raises(ValueError, match="language"):
        label(codes.Level.master, "fr")  # type: ignore[arg-type]
