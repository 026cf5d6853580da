"""Exam registration: Math and Literature plus two of nine electives, inside the window for a
candidate, every edit audited; the ministry registers candidates by national ID."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hemis.admissions import service
from hemis.admissions.eligibility import registered_subjects, subject_problems
from hemis.admissions.schemas import AdmissionYearUpdate, RegistrationCreate
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.db.types import utcnow
from hemis.errors import Forbidden, ValidationFailed
from tests.admissions import world
from tests.admissions.conftest import CandidateSession
from tests.admissions.world import HOUR, YEAR


@pytest.mark.parametrize(
    ("electives", "language", "track", "codes"),
    [
        (["physics", "chemistry"], None, None, []),
        (["foreign_language", "history"], "N1", None, []),
        (["technology", "informatics"], None, "agriculture", []),
        (["physics"], None, None, ["registration.electives"]),
        (["physics", "chemistry", "biology"], None, None, ["registration.electives"]),
        (["physics", "physics"], None, None, ["registration.electives_repeat"]),
        (["math", "physics"], None, None, ["registration.electives"]),
        (["foreign_language", "history"], None, None, ["registration.language"]),
        (["physics", "history"], "N1", None, ["registration.language_unused"]),
        (["technology", "history"], None, None, ["registration.technology"]),
    ],
)
def test_subject_rules(
    electives: list[str], language: str | None, track: str | None, codes: list[str]
) -> None:
    assert [p.code for p in subject_problems(electives, language, track)] == codes


def test_the_subjects_a_registration_sits() -> None:
    assert registered_subjects(["foreign_language", "technology"], "N6", "industry") == {
        "math",
        "literature",
        "japanese",
        "technology_industry",
    }


def test_a_candidate_registers_and_edits_inside_the_window_and_every_edit_is_audited(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    world.calendar(s)
    person = world.factories.person(s, cipher, "001207000001", "Lê Thị Hoa", "female")
    s.commit()
    world.account(sessions, "hoa", person.id)  # type: ignore[arg-type]
    own = as_candidate("hoa")
    row = service.save_registration(own, YEAR, person.id, world.registration_fields())
    assert len(row.candidate_number) == 8
    assert row.candidate_number.startswith("01")
    service.save_registration(
        own,
        YEAR,
        person.id,
        world.registration_fields(electives=["foreign_language", "history"], foreign_language="N1"),
    )
    entries = s.scalars(
        select(AuditEntry).where(AuditEntry.entity == "exam_registration").order_by(AuditEntry.seq)
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].actor.startswith("user:")
    assert entries[1].after["elective1"] == "foreign_language"
    with pytest.raises(ValidationFailed) as bad:
        service.save_registration(
            own, YEAR, person.id, world.registration_fields(electives=["physics", "physics"])
        )
    assert bad.value.details[0]["code"] == "registration.electives_repeat"


def test_outside_the_window_only_the_ministry_may_change_a_registration(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    world.calendar(s, registration_open=False)
    c = world.candidate(s, cipher, 1)  # the ministry (national session) may, at any time
    s.commit()
    world.account(sessions, "late", c.person_id)  # type: ignore[arg-type]
    own = as_candidate("late")
    with pytest.raises(Forbidden) as refused:
        service.save_registration(own, YEAR, c.person_id, world.registration_fields())
    assert refused.value.code == "window_closed"
    service.update_year(s, YEAR, AdmissionYearUpdate(registration_closes_at=utcnow() + HOUR))
    again = as_candidate("late")  # a new request
    service.save_registration(again, YEAR, c.person_id, world.registration_fields(area="KV1"))
    registration = world.registration_of(s, c.person_id)
    s.refresh(registration)
    assert registration is not None
    assert registration.area == "KV1"


def test_a_candidate_cannot_register_someone_else(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    world.calendar(s)
    mine = world.candidate(s, cipher, 1)
    other = world.candidate(s, cipher, 2)
    s.commit()
    world.account(sessions, "me", mine.person_id)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        service.save_registration(
            as_candidate("me"), YEAR, other.person_id, world.registration_fields()
        )


def test_the_ministry_registers_by_national_id_and_links_the_account(
    s: HemisSession, cipher: IdCipher, sessions: object
) -> None:
    world.calendar(s)
    world.account(sessions, "an.nguyen", None)  # type: ignore[arg-type]
    body = {
        "year": YEAR,
        "national_id": "001207000123",
        "full_name": "Nguyễn Văn An",
        "date_of_birth": "2007-05-01",
        "sex": "male",
        "username": "an.nguyen",
        **world.registration_fields().model_dump(mode="json"),
    }
    row = service.register_candidate(s, cipher, RegistrationCreate.model_validate(body))
    again = service.register_candidate(
        s, cipher, RegistrationCreate.model_validate(body | {"exam_site": "02"})
    )
    assert again.id == row.id
    assert again.exam_site == "02"
    from hemis.accounts.models import User

    user = s.scalars(select(User).where(User.username == "an.nguyen")).one()
    assert user.person_id == row.person_id


def test_a_candidate_registering_after_others_at_the_same_site_gets_the_next_number(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    """A candidate's own session sees only their own registration; their new candidate number
    must still follow everyone else's at the exam council, not collide with the first one."""
    world.calendar(s)
    others = [world.candidate(s, cipher, k) for k in (1, 2)]  # sit at council 01
    person = world.factories.person(s, cipher, "001207000077", "Phạm Thu Trang", "female")
    s.commit()
    world.account(sessions, "trang", person.id)  # type: ignore[arg-type]
    row = service.save_registration(
        as_candidate("trang"), YEAR, person.id, world.registration_fields()
    )
    taken = {c.number for c in others}
    assert row.candidate_number not in taken
    assert row.candidate_number == f"01{max(int(n[2:]) for n in taken) + 1:06d}"


def test_a_2026_registration_refuses_the_retired_category(
    s: HemisSession, cipher: IdCipher
) -> None:
    # Circular 06/2026, Art. 7(2) and Appendix II: six categories (01–06); 07 of the 2025 list
    # no longer exists. The same registration is valid under the 2025 rules.
    world.calendar(s, rules_version=2026)
    person = world.factories.person(s, cipher, "001207000002", "Trần Văn Bảo", "male")
    with pytest.raises(ValidationFailed) as refused:
        service.save_registration(s, YEAR, person.id, world.registration_fields(category="07"))
    assert [d["field"] for d in refused.value.details] == ["category"]
    row = service.save_registration(s, YEAR, person.id, world.registration_fields(category="06"))
    assert row.category == "06"
    service.update_year(s, YEAR, AdmissionYearUpdate(rules_version=2025))
    row = service.save_registration(s, YEAR, person.id, world.registration_fields(category="07"))
    assert row.category == "07"
