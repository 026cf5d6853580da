"""One label table per code list: the registry pages, the indicators' dashboard and exports, and
every other reader of a registry code list take its name from hemis.registry.labels.LABELS, so a
code reads the same everywhere (ProgramStatus.open was "Đang đào tạo" on one page and "Đang tuyển
sinh" on another)."""

from __future__ import annotations

import pytest

from hemis.indicators.queries import OWNERSHIP_LABELS
from hemis.registry import codes
from hemis.registry.labels import LABELS, label
from hemis.registry.pages import KINDS, label_function


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_registry_pages_name_every_code_from_the_one_table(lang: str) -> None:
    page_label = label_function(lang)
    for kind, enum in KINDS.items():
        assert enum in LABELS, kind
        for member in enum:
            expected = LABELS[enum][member][1 if lang == "en" else 0]
            assert page_label(kind, member.value) == expected, (kind, member)
            assert expected, (kind, member)  # no code is shown as nothing
            assert expected != member.value, (kind, member)  # nor as itself


def test_every_registry_code_list_is_labelled_completely() -> None:
    for enum, pairs in LABELS.items():
        assert set(pairs) == set(enum), enum.__name__


def test_the_dashboard_and_the_registry_agree() -> None:
    assert {m.value: LABELS[codes.Ownership][m] for m in codes.Ownership} == OWNERSHIP_LABELS
    assert label_function("vi")("program_status", "open") == "Đang đào tạo"
    assert label(codes.ProgramStatus.open) == "Đang đào tạo"


def test_an_unknown_code_is_shown_as_stored() -> None:
    assert label_function("vi")("level", "postdoc") == "postdoc"
