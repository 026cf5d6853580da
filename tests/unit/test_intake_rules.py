"""The intake's two pure rules over their space of inputs: student codes (unique, never one the
institution uses, the sequence continuing without gaps but those), and the one-to-one match of
a learners file's unknown rows to the intake's learners (exactly the person-and-program pairs
that are alone on both sides)."""

from __future__ import annotations

from collections import Counter

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from hemis.admissions.intake import allocate_codes, code_prefix
from hemis.submissions.admitted import one_to_one

PREFIX = code_prefix("DHX", 2025)


@given(
    last=st.integers(0, 200),
    n=st.integers(0, 60),
    taken=st.sets(st.integers(1, 300), max_size=80),
    foreign=st.sets(st.text(max_size=12), max_size=10),
)
def test_codes_continue_the_sequence_skipping_used_ones(
    last: int, n: int, taken: set[int], foreign: set[str]
) -> None:
    used = {f"{PREFIX}{k:05d}" for k in taken} | foreign
    codes = allocate_codes(PREFIX, last, used, n)
    assert len(codes) == n
    assert len(set(codes)) == n
    assert not set(codes) & used
    numbers = [int(c.removeprefix(PREFIX)) for c in codes]
    assert all(c.startswith(PREFIX) for c in codes)
    assert numbers == sorted(numbers)
    if numbers:
        assert numbers[0] > last
        skipped = set(range(last + 1, numbers[-1] + 1)) - set(numbers)
        assert skipped <= taken  # only codes in use are skipped


def test_codes_have_five_digits_then_grow() -> None:
    assert allocate_codes(PREFIX, 0, set(), 2) == ["DHX-2025-00001", "DHX-2025-00002"]
    assert allocate_codes(PREFIX, 99_999, set(), 1) == ["DHX-2025-100000"]


keys = st.tuples(st.integers(1, 4), st.integers(1, 3))  # (person_id, program_id)


@given(file_keys=st.lists(keys, max_size=12), learner_keys=st.lists(keys, max_size=12))
def test_only_pairs_alone_on_both_sides_are_matched(
    file_keys: list[tuple[int, int]], learner_keys: list[tuple[int, int]]
) -> None:
    unknown = pl.DataFrame(
        {
            "student_code": [f"SV{i}" for i in range(len(file_keys))],
            "person_id": [p for p, _ in file_keys],
            "program_id": [g for _, g in file_keys],
        },
        schema={"student_code": pl.String, "person_id": pl.Int64, "program_id": pl.Int64},
    )
    learners = pl.DataFrame(
        {
            "id": list(range(100, 100 + len(learner_keys))),
            "old_code": [f"DHX-2025-{i:05d}" for i in range(len(learner_keys))],
            "person_id": [p for p, _ in learner_keys],
            "program_id": [g for _, g in learner_keys],
        },
        schema={
            "id": pl.Int64,
            "old_code": pl.String,
            "person_id": pl.Int64,
            "program_id": pl.Int64,
        },
    )
    pairs = one_to_one(unknown, learners)
    on_file, on_registry = Counter(file_keys), Counter(learner_keys)
    alone = {k for k in on_file if on_file[k] == 1 and on_registry[k] == 1}
    matched = {(p, g) for p, g in pairs.select("person_id", "program_id").iter_rows()}
    assert matched == alone
    assert pairs.height == len(alone)
    for code, learner_id, person, program in pairs.select(
        "student_code", "id", "person_id", "program_id"
    ).iter_rows():
        assert file_keys[int(code[2:])] == (person, program)
        assert learner_keys[learner_id - 100] == (person, program)
