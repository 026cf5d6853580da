"""Results import: the whole file is checked (range, step, numbers, candidate numbers, registered
subjects, duplicates) and written as one batch with its provenance, or not at all."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import func, select

from hemis.admissions import queries, results_import
from hemis.admissions.codes import Method
from hemis.admissions.models import ResultBatch, ResultScore
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.errors import ValidationFailed
from tests.admissions import world
from tests.admissions.world import YEAR


def _import(
    s: HemisSession, text: str, method: Method = Method.exam
) -> results_import.ImportReport:
    return results_import.import_results(s, YEAR, method, text.encode(), "Cục Quản lý chất lượng")


def test_a_clean_file_is_one_batch_with_provenance_and_a_correction_replaces(
    s: HemisSession, cipher: IdCipher
) -> None:
    world.calendar(s)
    a, b = world.candidate(s, cipher, 1), world.candidate(s, cipher, 2)
    report = _import(
        s,
        "candidate_number,math,literature,physics,chemistry\n"
        f"{a.number},8.25,7.5,9,6.75\n{b.number},5,6.25,,7\n",
    )
    assert (report.rows, report.scores) == (2, 7)
    scores = queries.my_scores(s, YEAR, a.person_id)
    assert {(r.subject, r.score_h) for r in scores} == {
        ("math", 825),
        ("literature", 750),
        ("physics", 900),
        ("chemistry", 675),
    }
    assert {r.source for r in scores} == {"Cục Quản lý chất lượng"}
    batch = s.get(ResultBatch, report.batch_id)
    assert batch is not None
    assert batch.sha256 == report.sha256
    assert batch.rows == 2
    audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "bulk_load")).one()
    assert audit.after["rows"] == 7
    assert audit.after["batch_id"] == report.batch_id
    corrected = _import(s, f"candidate_number,math\n{a.number},8.5\n")
    row = s.get(ResultScore, (YEAR, a.person_id, "exam", "math"))
    assert row is not None
    assert row.score_h == 850
    assert row.batch_id == corrected.batch_id
    assert s.scalar(select(func.count()).select_from(ResultScore)) == 7


def test_every_problem_is_reported_and_nothing_is_written(
    s: HemisSession, cipher: IdCipher
) -> None:
    world.calendar(s)
    a, b = world.candidate(s, cipher, 1), world.candidate(s, cipher, 2)
    text = (
        "candidate_number,math,physics,history\n"
        f"{a.number},10.5,7,\n"  # row 2: out of range
        f"{b.number},7.12,abc,\n"  # row 3: off the 0.05 step (2025), not a number
        "99999999,5,5,\n"  # row 4: unknown candidate number
        f"{a.number},6,,8\n"  # row 5: repeated, and history is not a registered subject
    )
    with pytest.raises(ValidationFailed) as failed:
        _import(s, text)
    found = {(p["row"], p["field"], p["code"]) for p in failed.value.details["problems"]}
    assert found == {
        (2, "math", "import.range"),
        (3, "math", "import.step"),
        (3, "physics", "import.number"),
        (4, "candidate_number", "import.unknown"),
        (5, "candidate_number", "import.duplicate"),
        (5, "history", "import.not_registered"),
    }
    assert s.scalar(select(func.count()).select_from(ResultScore)) == 0
    assert s.scalar(select(func.count()).select_from(ResultBatch)) == 0


def test_other_methods_have_their_own_scales(s: HemisSession, cipher: IdCipher) -> None:
    world.calendar(s)
    a = world.candidate(s, cipher, 1)
    _import(s, f"candidate_number,score\n{a.number},112\n", Method.hsa)
    _import(s, f"candidate_number,score\n{a.number},67.41\n", Method.tsa)
    _import(s, f"candidate_number,math,physics\n{a.number},8.7,9.13\n", Method.transcript)
    with pytest.raises(ValidationFailed) as vact:
        _import(s, f"candidate_number,score\n{a.number},1250\n", Method.vact)
    assert vact.value.details["problems"][0]["code"] == "import.range"
    with pytest.raises(ValidationFailed) as hsa:
        _import(s, f"candidate_number,score\n{a.number},100.5\n", Method.hsa)
    assert hsa.value.details["problems"][0]["code"] == "import.step"
    with pytest.raises(ValidationFailed) as header:
        _import(s, f"candidate_number,math\n{a.number},8\n", Method.hsa)
    assert header.value.details["problems"][0]["code"] == "import.column"
    results = queries.candidate_results(s, YEAR, a.person_id)
    assert results.tests == {"hsa": 11200, "tsa": 6741}
    assert results.transcript == {"math": 870, "physics": 913}


def test_a_2025_file_with_scores_in_steps_of_0_05_is_accepted(
    s: HemisSession, cipher: IdCipher
) -> None:
    # From 2025 the exam's true/false items score 0.1 / 0.25 / 0.5 / 1 per question, so a subject
    # score is a multiple of 0.05 (MOET 2025 answer-sheet guidance, rules.exam_step_h).
    world.calendar(s)
    a = world.candidate(s, cipher, 1)
    report = _import(s, f"candidate_number,math,literature,physics\n{a.number},7.35,6.8,9.05\n")
    assert report.scores == 3
    assert queries.candidate_results(s, YEAR, a.person_id).exam == {
        "math": 735,
        "literature": 680,
        "physics": 905,
    }
    with pytest.raises(ValidationFailed) as failed:
        _import(s, f"candidate_number,chemistry\n{a.number},7.33\n")
    (problem,) = failed.value.details["problems"]
    assert (problem["code"], problem["message_en"]) == ("import.step", "must be a multiple of 0.05")


def test_the_step_follows_the_exam_year() -> None:
    # A 2024 results file (exam format 2017–2024): Mathematics 8.2 is on its 0.2 step, Physics
    # 8.2 is off its 0.25 step; the same Physics 8.2 passes in 2025 (0.05 step).
    frame = pl.DataFrame(
        {"row": [2, 2], "candidate_number": ["1", "1"], "subject": ["math", "physics"]}
    ).with_columns(pl.lit("8.2").alias("raw"))
    kept, problems = results_import._check_values(frame, Method.exam, 2024)
    assert kept["subject"].to_list() == ["math"]
    assert [(p["field"], p["message_en"]) for p in problems] == [
        ("physics", "must be a multiple of 0.25")
    ]
    kept, problems = results_import._check_values(frame, Method.exam, 2025)
    assert (kept.height, problems) == (2, [])
