"""Users, machine tokens, web sessions and login attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.accounts.roles import Role
from hemis.db.base import Base, IdMixin, TimestampMixin
from hemis.registry.models._common import code_column_type, in_codes


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "app_user"
    __table_args__ = (
        in_codes("role", Role),
        CheckConstraint(
            "role <> 'institution_officer' OR institution_id IS NOT NULL",
            name="officer_has_institution",
        ),
        CheckConstraint(
            "NOT signatory OR role = 'institution_officer'", name="signatory_is_officer"
        ),
        CheckConstraint(
            "role <> 'school_officer' OR school_code IS NOT NULL", name="school_officer_has_school"
        ),
        CheckConstraint("assurance_level IN (1, 2)", name="assurance_level"),
    )

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(150))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(code_column_type(Role))
    institution_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("institution.id"), index=True
    )
    # One account per person (a candidate's own records are found through it).
    person_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("person.id"), unique=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The institution's accountable officer (its head, or whom the head delegated in writing):
    # only they may sign a submission off.
    signatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A one-time password (issued by a school) must be replaced at the first login.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The identity assurance of a candidate account: the national e-ID's level (1: registered
    # online; 2: verified in person), or 2 for an account a school issued to a pupil it knows.
    # NULL: established otherwise (staff accounts, or linked by the ministry).
    assurance_level: Mapped[int | None] = mapped_column(SmallInteger)
    # A school officer's high school, or the school that issued a candidate's account.
    school_code: Mapped[str | None] = mapped_column(String(10), index=True)


class ApiToken(IdMixin, Base):
    """A bearer token for an institution's system; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app_user.id"), index=True)
    institution_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("institution.id"))
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    last_used_at: Mapped[dt.datetime | None]


class WebSession(Base):
    """A server-side web session; the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "web_session"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app_user.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class LoginAttempt(Base):
    """Login attempts in the current window, counted before the password is checked.

    One row per (username, client address), and one per username with `client = ''` counting
    every address (it drives the slow-down, never a lockout). `attempts` restarts at 1 when the
    window has passed (accounts/throttle.py)."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_window_start", "window_start"),)

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer)
