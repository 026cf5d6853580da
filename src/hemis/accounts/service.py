"""Account use cases: users, login with rate limiting, machine tokens, web sessions."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from dataclasses import asdict, dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from hemis.accounts import throttle
from hemis.accounts.models import ApiToken, User, WebSession
from hemis.accounts.passwords import (
    hash_password,
    needs_rehash,
    parameters_of,
    verify_password,
)
from hemis.accounts.records import record_account
from hemis.accounts.roles import Role
from hemis.accounts.schemas import UserCreate
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope, get_scope
from hemis.db.types import utcnow
from hemis.errors import (
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from hemis.registry.models import Institution


@dataclass(frozen=True)
class Principal:
    """An authenticated user, and the data scope their requests run in."""

    user_id: int
    username: str
    display_name: str
    role: Role
    institution_id: int | None
    via_token: bool = False
    # A one-time password still in use: every page leads to the change-password form.
    must_change_password: bool = False

    def scope(self) -> Scope:
        if self.role.national:
            return Scope(f"user:{self.user_id}", None, self.role.writable, self.role.value)
        if self.role is Role.institution_officer and self.institution_id is not None:
            return Scope(f"user:{self.user_id}", self.institution_id, True, self.role.value)
        # Candidates (and anyone without an institution) see no registry data at all: id 0 is
        # never allocated, so every tenant filter matches nothing; and they cannot write.
        return Scope(f"user:{self.user_id}", NO_INSTITUTION, False, self.role.value)


NO_INSTITUTION = 0


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_digest(token: str) -> str:
    """How a web session's token is stored (its SHA-256)."""
    return _digest(token)


def _principal(user: User, via_token: bool = False) -> Principal:
    return Principal(
        user.id,
        user.username,
        user.display_name,
        Role(user.role),
        user.institution_id,
        via_token,
        user.must_change_password,
    )


def principal_of(user: User) -> Principal:
    """The principal of a user signed in another way (the national e-ID)."""
    return _principal(user)


def create_user(session: Session, data: UserCreate) -> User:
    """Create a user; institution officers must name their institution by MOET code."""
    scope = get_scope(session)
    if not scope.national or not scope.writable:
        raise Forbidden()
    institution_id = None
    if data.institution_code:
        inst = session.scalar(
            select(Institution).where(Institution.moet_code == data.institution_code)
        )
        if inst is None:
            raise ValidationFailed(
                f"Không có cơ sở đào tạo mã {data.institution_code}.",
                f"No institution with code {data.institution_code}.",
                details={"field": "institution_code"},
            )
        institution_id = inst.id
    if data.role is Role.institution_officer and institution_id is None:
        raise ValidationFailed(
            "Cán bộ cơ sở đào tạo phải gắn với một cơ sở (--institution).",
            "An institution officer needs an institution (--institution).",
            details={"field": "institution_code"},
        )
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(
            f"Tên đăng nhập {data.username} đã tồn tại.",
            f"Username {data.username} is taken.",
            details={"field": "username"},
        )
    if data.role is Role.school_officer and not data.school_code:
        raise ValidationFailed(
            "Cán bộ trường THPT phải gắn với một trường (--school).",
            "A high-school officer needs a school (--school).",
            details={"field": "school_code"},
        )
    if data.signatory and data.role is not Role.institution_officer:
        raise ValidationFailed(
            "Chỉ cán bộ cơ sở đào tạo mới có thể là người ký báo cáo.",
            "Only an institution officer can be a submission signatory.",
            details={"field": "signatory"},
        )
    user = User(
        username=data.username,
        display_name=data.display_name or data.username,
        password_hash=hash_password(data.password),
        role=data.role.value,
        institution_id=institution_id,
        is_active=True,
        signatory=data.signatory,
        school_code=data.school_code if data.role is Role.school_officer else None,
    )
    session.add(user)
    session.commit()
    return user


def is_signatory(session: Session, actor: str, institution_id: int) -> bool:
    """Whether the acting user ("user:<id>") is an active signatory of this institution."""
    if not actor.startswith("user:") or not actor.removeprefix("user:").isdigit():
        return False
    user = session.get(User, int(actor.removeprefix("user:")))
    return bool(
        user is not None
        and user.signatory
        and user.is_active
        and user.institution_id == institution_id
    )


def begin_login(session: Session, settings: Settings, username: str, client: str) -> float:
    """Count a login attempt before its password is checked (commits); refuses an address that
    has used up its attempts on the username (429). Returns the slow-down to wait, in seconds."""
    now = utcnow()
    attempt = throttle.count_attempt(session, settings, username, client, now)
    throttle.refuse_if_over(settings, attempt, now)
    return throttle.slowdown_seconds(settings, attempt)


def check_password(
    session: Session, settings: Settings, username: str, password: str, client: str
) -> Principal:
    """The user, if the password is right (after begin_login counted the attempt)."""
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        raise Unauthorized("Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password.")
    if needs_rehash(user.password_hash):
        _rehash(session, user, password)
    throttle.clear_address(session, settings, username, client, utcnow())
    session.commit()
    return _principal(user)


def _rehash(session: Session, user: User, password: str) -> None:
    """Store the password again at the current parameters (the only moment the password is
    known), audited like a password change, in the login's transaction. Hashed before the audit
    append so the audit chain's head is locked only for the writes."""
    before = parameters_of(user.password_hash)
    user.password_hash = hash_password(password)
    record_account(
        session,
        user,
        "password_rehash",
        parameters_before=asdict(before),
        parameters_after=asdict(parameters_of(user.password_hash)),
    )


async def authenticate(
    sessions: sessionmaker[HemisSession],
    settings: Settings,
    username: str,
    password: str,
    client: str,
) -> Principal:
    """A login: count it, wait out the slow-down without holding a worker thread, then check."""

    def begin() -> float:
        with scoped_session(sessions, Scope.system("auth")) as session:
            return begin_login(session, settings, username, client)

    def check() -> Principal:
        with scoped_session(sessions, Scope.system("auth")) as session:
            return check_password(session, settings, username, password, client)

    delay = await run_in_threadpool(begin)
    if delay > 0:
        await asyncio.sleep(delay)
    return await run_in_threadpool(check)


def issue_token(session: Session, settings: Settings, principal: Principal, name: str) -> str:
    """A bearer token scoped to the user's institution (or national for ministry users)."""
    if principal.must_change_password:
        raise Forbidden(
            "Vui lòng đổi mật khẩu một lần trên cổng thông tin trước khi dùng API.",
            "Change your one-time password in the portal before using the API.",
            code="password_change_required",
        )
    token = "hms_" + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ApiToken(
            user_id=principal.user_id,
            institution_id=principal.institution_id,
            name=name[:100],
            token_hash=_digest(token),
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.token_days),
        )
    )
    session.commit()
    return token


def revoke_token(session: Session, token_id: int, principal: Principal) -> None:
    token = session.get(ApiToken, token_id)
    # Someone else's token answers as missing, so token ids cannot be probed.
    if token is None or (
        token.user_id != principal.user_id and principal.role != Role.ministry_admin
    ):
        raise NotFound("token", token_id)
    token.revoked_at = utcnow()
    session.commit()


def resolve_token(session: Session, token: str) -> Principal:
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(token))
    ).first()
    now = utcnow()
    if row is None:
        raise Unauthorized("Mã truy cập không hợp lệ.", "Invalid access token.")
    api_token, user = row
    if api_token.revoked_at is not None or api_token.expires_at <= now or not user.is_active:
        raise Unauthorized("Mã truy cập đã bị thu hồi hoặc hết hạn.", "Token revoked or expired.")
    return _principal(user, via_token=True)


def session_lifetime(settings: Settings, principal: Principal) -> dt.timedelta:
    """How long a web session lasts from its login (absolute: never extended by use).

    Candidates get a results day's worth (settings.candidate_session_hours, at least 12) so one
    login carries them through it; staff keep settings.session_hours (ADR 0024)."""
    hours = (
        settings.candidate_session_hours
        if principal.role is Role.candidate
        else settings.session_hours
    )
    return dt.timedelta(hours=hours)


def open_web_session(session: Session, settings: Settings, principal: Principal) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            token_hash=_digest(token),
            user_id=principal.user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + session_lifetime(settings, principal),
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at <= now))
    session.commit()
    return token


def resolve_web_session(session: Session, token: str) -> tuple[Principal, str] | None:
    """(principal, csrf token) of a live session, or None."""
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _digest(token))
    ).first()
    if row is None:
        return None
    web, user = row
    if web.expires_at <= utcnow() or not user.is_active:
        return None
    return _principal(user), web.csrf_token


def close_web_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))
    session.commit()
