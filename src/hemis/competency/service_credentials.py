"""Use cases of credentials: a learner has the ministry issue a signed credential of one of their
own enrolments' profiles (stored as issued, to download again); an institution's officer or a
ministry administrator revokes one; the status lists and the verification read the database.

Issuing reads the profile in the learner's own read-only scope (their person only), then writes
in a national scope made for this one use case. Revocation goes through the caller's scope (an
officer finds only their institution's credentials) and is audited (an Audited row).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from hemis.accounts.service import Principal
from hemis.admissions.access import linked_person
from hemis.common.crypto import IdCipher
from hemis.competency.credentials import document as credential_document
from hemis.competency.credentials.keys import issuer_key, status_list_url, trusted
from hemis.competency.credentials.proof import add_proof
from hemis.competency.credentials.status_list import LIST_SIZE, status_list_credential
from hemis.competency.credentials.verify import Outcome, StatusLookup, verify
from hemis.competency.models import CompetencyCredential
from hemis.competency.service_learners import own_profile, own_scope, require_personal
from hemis.config import Settings
from hemis.db.rows import commit
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope, get_scope
from hemis.errors import Forbidden, NotFound, ValidationFailed
from hemis.registry.models import Person

VALID_YEARS = 5  # a credential states its profile on its day; it is not a lifelong diploma
ISSUE = "self-issue"
C = CompetencyCredential


def _free_index(session: Session) -> tuple[int, int]:
    """A free (list, index), drawn at random so that neighbouring bits say nothing about who
    was issued together (Bitstring Status List §6, herd privacy)."""
    last = int(session.scalar(select(func.coalesce(func.max(C.status_list), 1))) or 1)
    for number in (last, last + 1):
        used = int(
            session.scalar(select(func.count()).select_from(C).where(C.status_list == number)) or 0
        )
        if used >= LIST_SIZE * 3 // 4:  # keep a quarter free: random draws stay quick
            continue
        while True:
            index = secrets.randbelow(LIST_SIZE)
            taken = session.scalar(
                select(C.id).where(C.status_list == number, C.status_index == index)
            )
            if taken is None:
                return number, index
    raise AssertionError("unreachable: the next list is empty")


def issue_credential(
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    cipher: IdCipher,
    principal: Principal,
    learner_id: int,
) -> CompetencyCredential:
    """Sign and keep a credential of one of the account's own enrolments. Commits."""
    require_personal(principal)
    with scoped_session(sessions, own_scope(principal)) as session:
        person_id = linked_person(session, principal.user_id)
        if person_id is None:
            raise Forbidden(
                "Tài khoản chưa được gắn với hồ sơ người học.",
                "This account is not linked to a learner yet.",
                code="learner_not_linked",
            )
        profile = own_profile(session, person_id, learner_id)
        person = session.scalars(
            select(Person).where(Person.id == person_id).execution_options(person_lookup=True)
        ).one()
        full_name, national_id = person.full_name, cipher.decrypt(person.national_id_enc)
    if not profile.assessed:
        raise ValidationFailed(
            "Chưa có mức năng lực nào được cơ sở đào tạo đánh giá: chưa thể cấp chứng nhận.",
            "No level has been assessed by the institution yet: nothing to certify.",
            code="credential.nothing_assessed",
        )
    key = issuer_key(settings)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        until = now.replace(year=now.year + VALID_YEARS)
    except ValueError:  # 29 February
        until = now.replace(year=now.year + VALID_YEARS, day=28)
    scope = Scope(f"user:{principal.user_id}", None, True, ISSUE)
    with scoped_session(sessions, scope) as session:
        number, index = _free_index(session)
        credential_uuid = str(uuid.uuid4())
        unsigned = credential_document.build(
            profile,
            full_name=full_name,
            national_id=national_id,
            salt=secrets.token_hex(16),
            credential_uuid=credential_uuid,
            issuer_id=key.issuer_id,
            base_url=settings.public_url,
            status_url=status_list_url(settings, number),
            status_index=index,
            valid_from=now,
            valid_until=until,
        )
        signed = add_proof(unsigned, key.private, key.verification_method, now)
        text = json.dumps(signed, ensure_ascii=False, indent=2)
        row = CompetencyCredential(
            institution_id=profile.institution_id,
            learner_id=profile.learner_id,
            person_id=person_id,
            credential_uuid=credential_uuid,
            status_list=number,
            status_index=index,
            issued_at=now,
            valid_from=now,
            valid_until=until,
            document=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
        session.add(row)
        commit(session)
        session.refresh(row)
        session.expunge(row)
        return row


def own_credentials(sessions: sessionmaker[HemisSession], principal: Principal) -> list[C]:
    require_personal(principal)
    with scoped_session(sessions, own_scope(principal)) as session:
        person_id = linked_person(session, principal.user_id)
        if person_id is None:
            return []
        rows = list(
            session.scalars(
                select(C).where(C.person_id == person_id).order_by(C.issued_at.desc(), C.id)
            )
        )
        for row in rows:
            session.expunge(row)
        return rows


def own_credential(
    sessions: sessionmaker[HemisSession], principal: Principal, credential_uuid: str
) -> C:
    for row in own_credentials(sessions, principal):
        if row.credential_uuid == credential_uuid:
            return row
    raise NotFound("chứng nhận / credential", credential_uuid)


def credentials_page(session: Session, limit: int = 200) -> list[C]:
    """The credentials the caller's scope sees (an officer: their institution's), newest first."""
    return list(session.scalars(select(C).order_by(C.issued_at.desc(), C.id.desc()).limit(limit)))


def revoke_credential(session: Session, credential_id: int, reason: str) -> C:
    """Revoke (the status bit is set from now on); officers revoke their institution's only,
    the ministry any. Commits (audited)."""
    scope = get_scope(session)
    if not scope.writable or not (scope.national or scope.institution_id):
        raise Forbidden()
    text = " ".join(reason.split())
    if not text:
        raise ValidationFailed(
            "Cần ghi lý do thu hồi.",
            "Say why the credential is revoked.",
            details=[{"field": "reason", "problem": "required"}],
        )
    row = session.scalar(select(C).where(C.id == credential_id))
    if row is None:
        raise NotFound("chứng nhận / credential", credential_id)
    if row.revoked_at is not None:
        raise ValidationFailed(
            "Chứng nhận đã bị thu hồi trước đó.",
            "The credential was already revoked.",
            code="credential.already_revoked",
        )
    row.revoked_at = dt.datetime.now(dt.UTC)
    row.revoked_by = scope.actor
    row.revoked_reason = text[:500]
    commit(session)
    return row


def status_list(session: Session, settings: Settings, number: int) -> dict[str, Any]:
    """The signed status list credential of list `number` (NotFound past the last list)."""
    last = int(session.scalar(select(func.coalesce(func.max(C.status_list), 1))) or 1)
    if not 1 <= number <= last:
        raise NotFound("danh sách trạng thái / status list", number)
    revoked = session.scalars(
        select(C.status_index).where(C.status_list == number, C.revoked_at.is_not(None))
    ).all()
    key = issuer_key(settings)
    now = dt.datetime.now(dt.UTC)
    url = status_list_url(settings, number)
    return add_proof(
        status_list_credential(url, key.issuer_id, revoked, now),
        key.private,
        key.verification_method,
        now,
    )


def database_status(session: Session) -> StatusLookup:
    """Status answered from the credential table: the list number is the URL's last segment."""

    def lookup(url: str, index: int, credential_id: str) -> bool | None:
        tail = url.rstrip("/").rsplit("/", 1)[-1]
        if not tail.isdigit():
            return None
        row = session.execute(
            select(C.credential_uuid, C.revoked_at).where(
                C.status_list == int(tail), C.status_index == index
            )
        ).first()
        if row is None or f"urn:uuid:{row[0]}" != credential_id:
            return None
        return row[1] is not None

    return lookup


def verify_file(session: Session, settings: Settings, raw: bytes | str) -> Outcome:
    """A file's verdict with the issuer's keys and the revocation status HEMIS holds."""
    return verify(raw, trusted(settings), database_status(session), dt.datetime.now(dt.UTC))
