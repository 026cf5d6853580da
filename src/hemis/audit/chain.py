"""Appending to and verifying the hash chain of the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from hemis.audit.models import AuditEntry, AuditHead
from hemis.db.base import table_of

GENESIS = "0" * 64
_entry = table_of(AuditEntry)
_head = table_of(AuditHead)


@dataclass(frozen=True)
class Change:
    actor: str
    institution_id: int | None
    action: str
    entity: str
    entity_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _canonical(seq: int, at: dt.datetime, change: Change, prev_hash: str) -> bytes:
    body = {
        "seq": seq,
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": change.actor,
        "institution_id": change.institution_id,
        "action": change.action,
        "entity": change.entity,
        "entity_id": change.entity_id,
        "before": change.before,
        "after": change.after,
        "prev_hash": prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_hash(seq: int, at: dt.datetime, change: Change, prev_hash: str) -> str:
    return hashlib.sha256(_canonical(seq, at, change, prev_hash)).hexdigest()


def append(conn: Connection, changes: Iterable[Change]) -> int:
    """Append changes in order inside the caller's transaction; returns how many were written.

    The head row is locked (FOR UPDATE on PostgreSQL; SQLite has one writer) so concurrent
    writers extend the chain one after another.
    """
    items = list(changes)
    if not items:
        return 0
    head = conn.execute(select(_head).where(_head.c.id == 1).with_for_update()).first()
    seq, prev = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    now = dt.datetime.now(dt.UTC)
    rows = []
    for change in items:
        seq += 1
        digest = entry_hash(seq, now, change, prev)
        rows.append(
            {
                "seq": seq,
                "at": now,
                "actor": change.actor,
                "institution_id": change.institution_id,
                "action": change.action,
                "entity": change.entity,
                "entity_id": change.entity_id,
                "before": change.before,
                "after": change.after,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    conn.execute(_entry.insert(), rows)
    if head is None:
        conn.execute(_head.insert().values(id=1, last_seq=seq, last_hash=prev))
    else:
        conn.execute(update(_head).where(_head.c.id == 1).values(last_seq=seq, last_hash=prev))
    return len(rows)


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(conn: Connection, batch: int = 10_000) -> VerifyResult:
    """Walk the chain in order: recompute every hash, check links, sequence and head."""
    result = VerifyResult()
    expected_seq, prev = 1, GENESIS
    last = 0
    while True:
        rows = conn.execute(
            select(_entry).where(_entry.c.seq > last).order_by(_entry.c.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                result.problems.append(f"entries {expected_seq}..{row.seq - 1} are missing")
            if row.prev_hash != prev:
                result.problems.append(f"entry {row.seq}: link to the previous entry is broken")
            change = Change(
                row.actor,
                row.institution_id,
                row.action,
                row.entity,
                row.entity_id,
                row.before,
                row.after,
            )
            if entry_hash(row.seq, row.at, change, row.prev_hash) != row.hash:
                result.problems.append(f"entry {row.seq}: content does not match its hash")
            prev, expected_seq, last = row.hash, row.seq + 1, row.seq
            result.checked += 1
    head = conn.execute(select(_head).where(_head.c.id == 1)).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    if head_seq != last or head_hash != prev:
        result.problems.append(
            f"chain ends at entry {last} but its head records entry {head_seq}: "
            "entries were removed from the end or the head was altered"
        )
    return result
