"""Registry use cases for learners: enrolment with the person, status events, term results and
the award. A learner's `status`/`status_date` always mirror its latest status event."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.common.crypto import IdCipher
from hemis.db.rows import commit, flush, get_for_update, get_row
from hemis.db.versions import ANY, Precondition, locked
from hemis.errors import NotFound, invalid
from hemis.registry.codes import LearnerStatus
from hemis.registry.models import Award, Learner, LearnerStatusEvent, TermResult
from hemis.registry.schemas_people import (
    AwardCreate,
    AwardUpdate,
    LearnerCreate,
    LearnerRead,
    LearnerUpdate,
    PersonFields,
    StatusEventCreate,
    TermResultCreate,
)
from hemis.registry.service import changes_of, target_institution
from hemis.registry.service_people import reads_with_person, resolve_person
from hemis.registry.service_units import check_program


def create_learner(session: Session, cipher: IdCipher, data: LearnerCreate) -> Learner:
    """Enrol a person (found by national ID or created) with an admission status event."""
    iid = target_institution(session, data)
    check_program(session, iid, {"program_id": data.program_id})
    person = resolve_person(session, cipher, data)
    values = data.model_dump(
        exclude={"institution_id", "institution_code", "national_id", *PersonFields.model_fields}
    )
    learner = Learner(
        institution_id=iid,
        person_id=person.id,
        status=LearnerStatus.enrolled.value,
        status_date=data.admitted_on,
        **values,
    )
    session.add(learner)
    flush(session)
    session.add(
        LearnerStatusEvent(
            institution_id=iid,
            learner_id=learner.id,
            status=LearnerStatus.enrolled.value,
            effective_on=data.admitted_on,
            reason=None,
        )
    )
    commit(session)
    return learner


def _events(session: Session, learner: Learner) -> list[LearnerStatusEvent]:
    stmt = (
        select(LearnerStatusEvent)
        .where(
            LearnerStatusEvent.institution_id == learner.institution_id,
            LearnerStatusEvent.learner_id == learner.id,
        )
        .order_by(LearnerStatusEvent.effective_on, LearnerStatusEvent.id)
    )
    return list(session.scalars(stmt))


def update_learner(
    session: Session, learner_id: int, data: LearnerUpdate, expected: Precondition = ANY
) -> Learner:
    learner = get_for_update(session, Learner, learner_id, expected)
    changes = changes_of(data)
    check_program(session, learner.institution_id, changes)
    new_admitted = changes.get("admitted_on")
    if new_admitted is not None and new_admitted != learner.admitted_on:
        old = learner.admitted_on
        events = _events(session, learner)
        # The admission event moves with the admission date; every later event must stay after.
        if any(e.effective_on < new_admitted for e in events if e.effective_on != old):
            raise invalid(
                "admitted_on",
                "learner.admitted_after_status_change",
                "Ngày nhập học không được sau một thay đổi trạng thái đã ghi.",
                "The admission date cannot be after a recorded status change.",
            )
        for event in events:
            if event.effective_on == old:
                event.effective_on = new_admitted
        if learner.status_date == old:
            learner.status_date = new_admitted
    for name, value in changes.items():
        setattr(learner, name, value)
    commit(session)
    return learner


def add_status_event(
    session: Session, learner_id: int, data: StatusEventCreate
) -> LearnerStatusEvent:
    """Append a status event; the learner's status follows it unless it is back-dated before
    the current status date (then it only fills in the history). The learner is locked: its
    status is written from what was committed, not from an older read."""
    learner = get_for_update(session, Learner, learner_id)
    if data.effective_on < learner.admitted_on:
        raise invalid(
            "effective_on",
            "status_event.before_admission",
            "Ngày hiệu lực không được trước ngày nhập học.",
            "The effective date cannot be before the admission date.",
        )
    event = LearnerStatusEvent(
        institution_id=learner.institution_id,
        learner_id=learner.id,
        status=data.status.value,
        effective_on=data.effective_on,
        reason=data.reason,
    )
    session.add(event)
    if data.effective_on >= learner.status_date:
        learner.status = data.status.value
        learner.status_date = data.effective_on
    commit(session)
    return event


def add_term_result(session: Session, learner_id: int, data: TermResultCreate) -> TermResult:
    learner = get_row(session, Learner, learner_id)
    result = TermResult(
        institution_id=learner.institution_id, learner_id=learner.id, **data.model_dump()
    )
    session.add(result)
    commit(session)
    return result


def find_award(session: Session, learner: Learner, *, lock: bool = False) -> Award | None:
    stmt = select(Award).where(
        Award.institution_id == learner.institution_id, Award.learner_id == learner.id
    )
    return session.scalars(locked(stmt) if lock else stmt).one_or_none()


def get_award(session: Session, learner_id: int) -> Award:
    award = find_award(session, get_row(session, Learner, learner_id))
    if award is None:
        raise NotFound("award", learner_id)
    return award


def _check_award_date(learner: Learner, award: Award) -> None:
    if award.awarded_on < learner.admitted_on:
        raise invalid(
            "awarded_on",
            "award.before_admission",
            "Ngày cấp bằng không được trước ngày nhập học.",
            "The award date cannot be before the admission date.",
        )


def create_award(session: Session, learner_id: int, data: AwardCreate) -> Award:
    learner = get_row(session, Learner, learner_id)
    award = Award(institution_id=learner.institution_id, learner_id=learner.id, **data.model_dump())
    _check_award_date(learner, award)
    session.add(award)
    commit(session)
    return award


def update_award(
    session: Session, learner_id: int, data: AwardUpdate, expected: Precondition = ANY
) -> Award:
    learner = get_row(session, Learner, learner_id)
    award = find_award(session, learner, lock=True)
    if award is None:
        raise NotFound("award", learner_id)
    expected.check(award)
    for name, value in changes_of(data).items():
        setattr(award, name, value)
    _check_award_date(learner, award)
    commit(session)
    return award


def learner_reads(session: Session, cipher: IdCipher, rows: Sequence[Learner]) -> list[LearnerRead]:
    return reads_with_person(session, cipher, rows, LearnerRead)
