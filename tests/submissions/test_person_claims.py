"""A submission tells an institution nothing about persons it does not hold.

A file row naming another institution's person with other details reads exactly as a row
naming an ID no one holds: same report (findings, counts, masked values), same plan. Applied,
it becomes the institution's claim on that person, pending the ministry's review; the other
institution's person is untouched; a resubmission meets the claim as the institution's own.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from hemis.common.crypto import IdCipher
from hemis.registry.rules import make_national_id
from hemis.submissions.rules import JobStatus
from tests.submissions.world import (
    OTHER_LEARNER_NID,
    OTHER_STAFF_NID,
    World,
    learner,
    rows_of,
    run,
)

# B's learner "Lê Thị Khác" (female, 5 May 2004) and lecturer "Trần Văn Giảng" (1 Jan 1980).
NOBODYS_LEARNER_NID = make_national_id("079", "female", 2004, 800001)
NOBODYS_STAFF_NID = make_national_id("079", "male", 1980, 800002)
PROBES: dict[str, dict[str, str]] = {
    "other details": {"full_name": "Lê Thị Dò", "date_of_birth": "2004-06-06"},
    "same name, other birth date": {"full_name": "Lê Thị Khác", "date_of_birth": "2004-05-06"},
    "other ethnicity": {
        "full_name": "Lê Thị Khác",
        "date_of_birth": "2004-05-05",
        "ethnicity": "04",
    },
}


def _persons(engine: Engine, where: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return list(conn.execute(text(f"SELECT * FROM person WHERE {where} ORDER BY id"), params))


def _answer(
    engine: Engine, cipher: IdCipher, scene: World, entity: str, row: dict[str, str]
) -> str:
    outcome = run(engine, cipher, entity, [row], scene.a, dry_run=True)
    assert outcome.status is JobStatus.checked
    planned = {t.table: (t.inserted, t.updated) for t in outcome.tables}
    return outcome.report.to_json() + repr(planned)


@pytest.mark.parametrize("probe", list(PROBES))
def test_a_learner_row_naming_another_institutions_person_reads_as_naming_nobody(
    engine: Engine, cipher: IdCipher, scene: World, probe: str
) -> None:
    details = {"sex": "female", **PROBES[probe]}
    theirs = learner(1, national_id=OTHER_LEARNER_NID, **details)
    nobodys = learner(1, national_id=NOBODYS_LEARNER_NID, **details)
    assert OTHER_LEARNER_NID[-3:] == NOBODYS_LEARNER_NID[-3:]  # the masked IDs look alike
    assert _answer(engine, cipher, scene, "learners", theirs) == _answer(
        engine, cipher, scene, "learners", nobodys
    )


def test_a_staff_row_naming_another_institutions_person_reads_as_naming_nobody(
    engine: Engine, cipher: IdCipher, scene: World
) -> None:
    [theirs] = rows_of("staff", {"national_id": OTHER_STAFF_NID, "full_name": "Trần Văn Dò"})
    [nobodys] = rows_of("staff", {"national_id": NOBODYS_STAFF_NID, "full_name": "Trần Văn Dò"})
    assert _answer(engine, cipher, scene, "staff", theirs) == _answer(
        engine, cipher, scene, "staff", nobodys
    )


def test_applied_it_is_a_claim_for_review_and_a_resubmission_meets_it_as_its_own(
    engine: Engine, cipher: IdCipher, scene: World
) -> None:
    registered = _persons(engine, "national_id_index = :i", i=cipher.blind_index(OTHER_LEARNER_NID))
    row = learner(1, national_id=OTHER_LEARNER_NID, sex="female", **PROBES["other details"])
    first = run(engine, cipher, "learners", [row], scene.a)
    assert first.status is JobStatus.applied, first.report.issues.to_dicts()
    [claim] = _persons(engine, "review_of IS NOT NULL")
    assert (claim.review_of, claim.review_status) == (registered[0].id, "pending")
    assert (claim.full_name, str(claim.date_of_birth)) == ("Lê Thị Dò", "2004-06-06")
    assert claim.national_id_index == cipher.claim_index(scene.a, OTHER_LEARNER_NID)
    assert cipher.decrypt(claim.national_id_enc) == OTHER_LEARNER_NID
    # B's person is untouched.
    assert _persons(engine, "id = :i", i=registered[0].id) == registered
    # The same file again: the claim is the institution's own person now — linked, not doubled.
    again = run(engine, cipher, "learners", [row], scene.a)
    assert again.status is JobStatus.applied
    assert again.report.issues.is_empty(), again.report.issues.to_dicts()
    assert len(_persons(engine, "review_of IS NOT NULL")) == 1
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        linked = conn.execute(
            text("SELECT person_id FROM learner WHERE institution_id = :a AND student_code = :c"),
            {"a": scene.a, "c": row["student_code"]},
        ).scalar_one()
    assert linked == claim.id
    # And a row that contradicts the institution's own claim is checked like any own person.
    wrong = run(
        engine, cipher, "learners", [row | {"date_of_birth": "2004-06-07"}], scene.a, dry_run=True
    )
    assert "LRN.national_id.identity" in set(wrong.report.issues["rule"])


def test_a_row_describing_another_institutions_person_exactly_links_them(
    engine: Engine, cipher: IdCipher, scene: World
) -> None:
    """The institution already knows every detail: the person is linked (one person across
    institutions), and the double-counting rule (tier e) may then say they study elsewhere."""
    row = learner(
        1,
        national_id=OTHER_LEARNER_NID,
        full_name="Lê Thị Khác",
        sex="female",
        date_of_birth="2004-05-05",
    )
    outcome = run(engine, cipher, "learners", [row], scene.a)
    assert outcome.status is JobStatus.applied
    assert set(outcome.report.issues["rule"]) == {"LRN.national_id.elsewhere"}
    assert _persons(engine, "review_of IS NOT NULL") == []
