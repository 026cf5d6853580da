"""Signing a citizen in with the national e-ID: the token's national ID leads, through the blind
index, to the person (added if new: encrypted, audited) and to their account (made if new: a
learner's account when an institution has enrolled the person, else a candidate's), in one
transaction with the token's use, so a token can log in once only."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hemis.accounts.models import User
from hemis.accounts.passwords import NO_PASSWORD
from hemis.accounts.records import record_account
from hemis.accounts.roles import Role
from hemis.accounts.service import Principal, principal_of
from hemis.common.crypto import IdCipher
from hemis.db.types import utcnow
from hemis.identity.claims import Citizen
from hemis.identity.client import EidRefused
from hemis.identity.models import EidTokenUse
from hemis.registry.models import Learner, Person
from hemis.registry.schemas_people import PersonIdentity
from hemis.registry.service_people import find_person_by_national_id, resolve_person

KEEP_USED = dt.timedelta(days=1)  # a used token is remembered well past its own expiry


def token_digest(issuer: str, jti: str) -> str:
    return hashlib.sha256(f"{issuer}\n{jti}".encode()).hexdigest()


def _new_username(session: Session) -> str:
    while True:
        username = "vneid-" + secrets.token_hex(5)
        if session.scalar(select(User.id).where(User.username == username)) is None:
            return username


def _person(session: Session, cipher: IdCipher, citizen: Citizen) -> Person:
    found = find_person_by_national_id(session, cipher, citizen.national_id)
    if found is not None:
        # The national ID is the identity; HEMIS's copy of the name is not overwritten here.
        return found
    return resolve_person(
        session,
        cipher,
        PersonIdentity(
            national_id=citizen.national_id,
            full_name=citizen.full_name,
            date_of_birth=citizen.birth_date,
            sex=citizen.sex,
        ),
    )


def _role_of(session: Session, person_id: int) -> Role:
    """A person some institution has enrolled signs up as a learner; anyone else as a
    candidate."""
    enrolled = session.scalar(select(Learner.id).where(Learner.person_id == person_id).limit(1))
    return Role.learner if enrolled is not None else Role.candidate


def sign_in(
    session: Session,
    cipher: IdCipher,
    citizen: Citizen,
    issuer: str,
    jti: str,
    expires_at: dt.datetime,
) -> Principal:
    """The citizen's own account (made, or linked, if need be); commits."""
    digest = token_digest(issuer, jti)
    if session.get(EidTokenUse, digest) is not None:
        raise EidRefused("eid.replayed")
    person = _person(session, cipher, citizen)
    user = session.scalar(select(User).where(User.person_id == person.id))
    if user is not None and (not Role(user.role).personal or not user.is_active):
        session.rollback()
        raise EidRefused("eid.account", 403)
    now = utcnow()
    if user is None:
        user = User(
            username=_new_username(session),
            display_name=citizen.full_name,
            password_hash=NO_PASSWORD,
            role=_role_of(session, person.id).value,
            person_id=person.id,
            is_active=True,
            assurance_level=citizen.level,
        )
        session.add(user)
        session.flush()
        record_account(session, user, "eid_sign_up", level=citizen.level)
    else:
        # Levels only go up at the provider; a level-1 login does not undo a verified one.
        level = max(user.assurance_level or 0, citizen.level)
        changed = level != user.assurance_level or user.must_change_password
        user.assurance_level = level
        if user.must_change_password:
            # A school's one-time password is void once its pupil signs in with the e-ID.
            user.password_hash, user.must_change_password = NO_PASSWORD, False
        if changed:
            record_account(session, user, "eid_link", level=level)
    session.execute(delete(EidTokenUse).where(EidTokenUse.expires_at < now - KEEP_USED))
    session.add(
        EidTokenUse(token_digest=digest, user_id=user.id, used_at=now, expires_at=expires_at)
    )
    try:
        session.commit()
    except IntegrityError as exc:  # the same token raced in twice
        session.rollback()
        raise EidRefused("eid.replayed") from exc
    return principal_of(user)
