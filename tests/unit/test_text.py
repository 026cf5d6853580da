"""Vietnamese text: folding for search and name ordering."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from hemis.common.text import clean, fold, name_sort_key, split_name


def test_fold_strips_marks_and_d_stroke() -> None:
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("ĐẶNG Thị Đào") == "dang thi dao"
    assert fold("  Hồ\u200b  Chí   Minh ") == "ho chi minh"


def test_fold_equal_for_nfc_and_nfd_input() -> None:
    name = "Trần Thị Ngọc Ánh"
    assert fold(unicodedata.normalize("NFD", name)) == fold(name)


@given(st.text())
def test_fold_is_idempotent_and_mark_free(value: str) -> None:
    folded = fold(value)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(ch) for ch in unicodedata.normalize("NFD", folded))
    assert "đ" not in folded


def test_clean_is_nfc_and_trims() -> None:
    raw = unicodedata.normalize("NFD", " Lê\u00a0 Văn\tHùng ")
    assert clean(raw) == "Lê Văn Hùng"
    assert unicodedata.is_normalized("NFC", clean(raw))


def test_split_name() -> None:
    assert split_name("Nguyễn Thị Minh Khai") == ("Nguyễn", "Thị Minh", "Khai")
    assert split_name("Madonna") == ("", "", "Madonna")


def test_names_sort_by_given_then_middle_then_family() -> None:
    expected = [
        "Lê Thị An",  # given "An" first; "Thị" < "Văn" decides between the two Ans
        "Nguyễn Văn An",
        "Hoàng Anh",  # no middle name sorts before any middle name
        "Vũ Ngọc Ánh",  # same letters as "Anh": the tone decides, unmarked first
        "Đặng Văn Ân",  # â comes after a
        "Trần Văn Bình",
        "Phạm Văn Dũng",
        "Bùi Văn Đạt",  # đ comes after d
    ]
    shuffled = [expected[i] for i in (5, 2, 7, 0, 4, 6, 1, 3)]
    assert sorted(shuffled, key=name_sort_key) == expected


def test_family_name_breaks_ties_last() -> None:
    assert sorted(["Trần Văn An", "Lê Văn An"], key=name_sort_key) == ["Lê Văn An", "Trần Văn An"]


def test_alphabet_order_of_letters() -> None:
    # a < ă < â < b … d < đ … o < ô < ơ … u < ư
    words = ["Ư", "U", "Ơ", "Ô", "O", "Đ", "D", "Â", "Ă", "A"]
    assert sorted(words, key=name_sort_key) == ["A", "Ă", "Â", "D", "Đ", "O", "Ô", "Ơ", "U", "Ư"]
