"""Tables of the national-database integrations (`system` names the registry).

`sync_state` is a tenant table: an institution sees where each of its records stands with each
registry. The exchange log, its head, sync runs and person links are national tables: they are
the ministry's record of what was exchanged and how people were linked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Base, IdMixin, TenantMixin
from hemis.db.types import utcnow
from hemis.integrations.codes import LinkMethod, LinkStatus, Registry, RunStatus, SyncStatus
from hemis.registry.models._common import code_column_type, in_codes


class SyncState(TenantMixin, Base):
    """Where one record (a learner, an award or a staff record) stands with one registry."""

    __tablename__ = "sync_state"
    __table_args__ = (
        UniqueConstraint("institution_id", "system", "record_id"),
        in_codes("system", Registry),
        in_codes("status", SyncStatus),
    )

    system: Mapped[str] = mapped_column(code_column_type(Registry))
    record_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(code_column_type(SyncStatus), index=True)
    last_checked_at: Mapped[dt.datetime | None]
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payload_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(200))
    run_id: Mapped[int | None] = mapped_column(BigInteger)


class SyncRun(IdMixin, Base):
    """One run of a sync job; a run killed mid-way stays `running` until the next one starts."""

    __tablename__ = "sync_run"
    __table_args__ = (in_codes("system", Registry), in_codes("status", RunStatus))

    system: Mapped[str] = mapped_column(code_column_type(Registry))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(code_column_type(RunStatus))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ExchangeEntry(Base):
    """One message to or from a registry: signed, hash-chained, national IDs as blind tokens."""

    __tablename__ = "exchange_entry"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    system: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(8))  # request | response
    message_id: Mapped[str] = mapped_column(String(36), index=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(36))
    endpoint: Mapped[str] = mapped_column(String(80))
    http_status: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    signed_at: Mapped[str | None] = mapped_column(String(40))
    signature: Mapped[str | None] = mapped_column(String(100))
    signature_ok: Mapped[bool | None] = mapped_column(Boolean)
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib of the redacted JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class ExchangeHead(Base):
    """The chain's last entry, and the anchor left by the last retention purge."""

    __tablename__ = "exchange_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    anchor_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    anchor_hash: Mapped[str] = mapped_column(String(64))


class PersonLink(IdMixin, Base):
    """A registry's record linked to a HEMIS person, and how the link was made."""

    __tablename__ = "person_link"
    __table_args__ = (
        UniqueConstraint("system", "registry_key"),
        in_codes("system", Registry),
        in_codes("method", LinkMethod),
        in_codes("status", LinkStatus),
    )

    system: Mapped[str] = mapped_column(code_column_type(Registry))
    registry_key: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    method: Mapped[str] = mapped_column(code_column_type(LinkMethod))
    status: Mapped[str] = mapped_column(code_column_type(LinkStatus), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)  # the registry's fields, no national ID
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
