"""The ministry's review of person claims (registry/models/person.py).

A claim is what an institution sent for a national ID that is registered to a person with
other details. The institution was answered as for a new person and works with its claim as
its own; the ministry, which sees both records, decides:

- `merge`: the same human, and the registered details stand — the institution's learner and
  staff rows now point at the registered person;
- `merge_claimed`: the same human, and the institution's details are right — as `merge`, and
  the registered person takes the claim's details;
- `reject`: not the same human (the ID is wrong on one side) — the claim stays the
  institution's own person, and the ministry takes it up with the institution.

A merged claim gives up its claim index (a random one replaces it), so no later write finds
it: the institution's writes then meet the registered person, now its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from hemis.access import require_ministry
from hemis.common.crypto import IdCipher, mask
from hemis.common.text import fold
from hemis.db.rows import commit, get_for_update
from hemis.db.versions import ANY, Precondition
from hemis.errors import Conflict
from hemis.registry.codes import ReviewStatus
from hemis.registry.models import Institution, Learner, Person, Staff
from hemis.registry.service_people import check_national_id

DETAILS = ("full_name", "date_of_birth", "sex", "ethnicity_code", "nationality")
PAGE_SIZE = 50


class Decision(StrEnum):
    merge = "merge"
    merge_claimed = "merge_claimed"
    reject = "reject"


@dataclass(frozen=True)
class Review:
    claim: Person
    registered: Person
    national_id_masked: str
    differing: list[str]
    institutions: list[str]  # names of the institutions whose rows point at the claim


def pending_count(session: Session) -> int:
    require_ministry(session, write=False)
    stmt = select(func.count()).where(Person.review_status == ReviewStatus.pending.value)
    return int(session.scalar(stmt) or 0)


def pending(session: Session, cipher: IdCipher, page: int = 1) -> list[Review]:
    """Pending claims, oldest first, each with the registered person it contradicts."""
    require_ministry(session, write=False)
    registered = aliased(Person)
    rows = session.execute(
        select(Person, registered)
        .join(registered, registered.id == Person.review_of)
        .where(Person.review_of.is_not(None), Person.review_status == ReviewStatus.pending.value)
        .order_by(Person.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    claims = [claim.id for claim, _ in rows]
    names: dict[int, set[str]] = {c: set() for c in claims}
    for model in (Learner, Staff):
        for person_id, name in session.execute(
            select(model.person_id, Institution.name_vi)
            .join(Institution, Institution.id == model.institution_id)
            .where(model.person_id.in_(claims))
        ):
            names[person_id].add(name)
    return [
        Review(
            claim,
            reg,
            mask(cipher.decrypt(claim.national_id_enc)),
            [f for f in DETAILS if getattr(claim, f) != getattr(reg, f)],
            sorted(names[claim.id]),
        )
        for claim, reg in rows
    ]


def resolve(
    session: Session,
    cipher: IdCipher,
    claim_id: int,
    decision: Decision,
    expected: Precondition = ANY,
) -> Person:
    """Settle one claim (audited: every row it touches is). The claim is locked and checked
    against the version the reviewer saw, so two reviewers cannot both settle it."""
    require_ministry(session, write=False)
    claim = get_for_update(session, Person, claim_id, expected)
    if claim.review_status != ReviewStatus.pending.value or claim.review_of is None:
        raise Conflict(
            "Hồ sơ này không chờ xem xét.",
            "This record is not waiting for a review.",
            code="review.settled",
        )
    if decision is Decision.reject:
        claim.review_status = ReviewStatus.rejected.value
        commit(session)
        return claim
    registered = get_for_update(session, Person, claim.review_of)
    if decision is Decision.merge_claimed:
        for name in DETAILS:
            setattr(registered, name, getattr(claim, name))
        registered.name_folded = fold(registered.full_name)
        # (the claim passed the same check with the same ID; kept for a person edited since)
        check_national_id(
            cipher.decrypt(registered.national_id_enc), registered.sex, registered.date_of_birth
        )
    for learner in session.scalars(select(Learner).where(Learner.person_id == claim.id)):
        learner.person_id = registered.id
    for staff in session.scalars(select(Staff).where(Staff.person_id == claim.id)):
        staff.person_id = registered.id
    claim.review_status = ReviewStatus.merged.value
    claim.national_id_index = os.urandom(32)
    commit(session)
    return claim
