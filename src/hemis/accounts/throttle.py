"""Login throttling: attempts are counted before the password is checked, atomically.

Two counters per window (settings.login_window_seconds), both bumped by one upsert each
(`INSERT … ON CONFLICT … DO UPDATE … RETURNING`, the same on SQLite and PostgreSQL) and committed
before the password is looked at, so concurrent guesses see each other's counts:

- per (username, client address): past `login_max_failures` attempts that address is refused
  (429, with Retry-After) without a password check. Another address is not affected, so nobody
  can lock an account's owner out by guessing from their own address;
- per username over every address: past `login_slow_after` attempts each further attempt waits a
  little before its check (a slow-down, never a refusal: the owner from a fresh address still
  gets in, only later).

A successful login clears its (username, address) counter; the username counter runs out with
its window, so an owner's success does not reset an attacker's slow-down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hemis.accounts.models import LoginAttempt
from hemis.config import Settings
from hemis.db.base import table_of
from hemis.errors import RateLimited

EVERY_ADDRESS = ""  # the client of the per-username counter
_attempt = table_of(LoginAttempt)


@dataclass(frozen=True)
class Attempt:
    """The counts of one login attempt, itself included."""

    from_address: int  # attempts on this username from this address in its window
    on_username: int  # attempts on this username from every address in its window
    address_window_ends: dt.datetime


def _bump(
    session: Session, username: str, client: str, now: dt.datetime, window: float
) -> tuple[int, dt.datetime]:
    stale = now - dt.timedelta(seconds=window)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    expired = _attempt.c.window_start <= stale
    stmt = (
        insert(_attempt)
        .values(username=username, client=client, window_start=now, attempts=1)
        .on_conflict_do_update(
            index_elements=[_attempt.c.username, _attempt.c.client],
            set_={
                "attempts": case((expired, 1), else_=_attempt.c.attempts + 1),
                "window_start": case((expired, now), else_=_attempt.c.window_start),
            },
        )
        .returning(_attempt.c.attempts, _attempt.c.window_start)
    )
    attempts, started = session.execute(stmt).one()
    return int(attempts), started


def count_attempt(
    session: Session, settings: Settings, username: str, client: str, now: dt.datetime
) -> Attempt:
    """Count one attempt on both counters and commit (before any password is checked)."""
    window = settings.login_window_seconds
    user_key, client_key = username[:64], (client or "unknown")[:64]
    from_address, started = _bump(session, user_key, client_key, now, window)
    on_username, _ = _bump(session, user_key, EVERY_ADDRESS, now, window)
    session.commit()
    return Attempt(from_address, on_username, started + dt.timedelta(seconds=window))


def refuse_if_over(settings: Settings, attempt: Attempt, now: dt.datetime) -> None:
    """429 when this address has used up its attempts on the username in this window."""
    if attempt.from_address <= settings.login_max_failures:
        return
    seconds = max(1, int((attempt.address_window_ends - now).total_seconds() + 0.999))
    raise RateLimited(
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.",
        "Too many failed logins. Please try again in a few minutes.",
        retry_after=seconds,
    )


def slowdown_seconds(settings: Settings, attempt: Attempt) -> float:
    """How long this attempt waits before its password check: nothing until the username has
    had `login_slow_after` attempts in its window, then a quarter second more per attempt, up to
    `login_slow_max_seconds`."""
    excess = attempt.on_username - settings.login_slow_after
    if excess <= 0:
        return 0.0
    return float(min(settings.login_slow_max_seconds, 0.25 * excess))


def clear_address(
    session: Session, settings: Settings, username: str, client: str, now: dt.datetime
) -> None:
    """After a successful login: this address starts afresh; long-expired counters go."""
    session.execute(
        delete(_attempt).where(
            _attempt.c.username == username[:64], _attempt.c.client == (client or "unknown")[:64]
        )
    )
    stale = now - dt.timedelta(seconds=settings.login_window_seconds)
    session.execute(delete(_attempt).where(_attempt.c.window_start < stale))
