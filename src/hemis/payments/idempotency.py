"""The Idempotency-Key contract of our state-changing payment requests (Stripe's design).

The first response to (principal, key) is stored in the same transaction as the work it reports;
the same key with the same request replays it; the same key with another request is refused (409).
Failures the caller can fix (4xx) are stored like successes, so a retry does not change its mind;
a 5xx (the gateway down) is not stored, so a retry may succeed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import HemisError, ValidationFailed
from hemis.payments import rules
from hemis.payments.errors import IdempotencyMismatch
from hemis.payments.models import IdempotencyRecord

MAX_KEY = 255
Work = Callable[[HemisSession], tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class Outcome:
    status_code: int
    body: dict[str, Any]
    replayed: bool


def check_key(key: str | None) -> str:
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ValidationFailed(
            "Thiếu hoặc sai tiêu đề Idempotency-Key (1–255 ký tự).",
            "The Idempotency-Key header is missing or invalid (1–255 characters).",
            code="idempotency_key_required",
        )
    return key


def _replay(record: IdempotencyRecord, endpoint: str, digest: str) -> Outcome:
    if record.endpoint != endpoint or record.request_hash != digest:
        raise IdempotencyMismatch()
    return Outcome(record.status_code, dict(record.response), True)


def run(
    sessions: sessionmaker[HemisSession],
    scope: Scope,
    principal: str,
    key: str,
    endpoint: str,
    body: Any,
    work: Work,
) -> Outcome:
    digest = rules.body_hash(body)
    with scoped_session(sessions, scope) as session:
        found = session.get(IdempotencyRecord, (principal, key))
        if found is not None:
            return _replay(found, endpoint, digest)
        try:
            status_code, response = work(session)
        except HemisError as exc:
            session.rollback()
            if exc.status >= 500:
                raise
            status_code, response = exc.status, exc.to_dict("en") | {"message_vi": exc.message_vi}
        session.add(
            IdempotencyRecord(
                principal=principal,
                key=key,
                endpoint=endpoint,
                request_hash=digest,
                status_code=status_code,
                response=response,
            )
        )
        try:
            session.commit()
        except IntegrityError:
            # A concurrent request with the same key won; its work stands, ours is rolled back.
            session.rollback()
            with scoped_session(sessions, scope) as again:
                record = again.get(IdempotencyRecord, (principal, key))
                assert record is not None
                return _replay(record, endpoint, digest)
    return Outcome(status_code, response, False)
