"""The exchange log: every request to and response from a registry, signed, hash-chained and
verifiable (ADR 0011). Bodies are stored with national IDs replaced by blind-index tokens;
the wire body's SHA-256 is kept, so each stored signature can still be checked.

A retention purge deletes the oldest entries and moves the chain's anchor to the last deleted
entry's hash, so the remaining chain still verifies from there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from hemis.db.base import table_of
from hemis.integrations import signing
from hemis.integrations.models import ExchangeEntry, ExchangeHead

GENESIS = "0" * 64
ENTRY = table_of(ExchangeEntry)
HEAD = table_of(ExchangeHead)
ID_KEYS = frozenset({"national_id"})


@dataclass(frozen=True)
class Message:
    """One message as it goes into the log (the body already redacted)."""

    system: str
    direction: str  # request | response
    message_id: str
    in_reply_to: str | None
    endpoint: str
    http_status: int | None
    outcome: str  # ok, timeout, http_error, malformed, unsigned, bad_signature, refused
    signed_at: str | None
    signature: str | None
    signature_ok: bool | None
    body_sha256: str
    body: bytes
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def redact(value: Any, token: Callable[[str], str]) -> Any:
    """A copy of a JSON value with every national ID replaced by its blind-index token."""
    if isinstance(value, dict) and isinstance(value.get("records"), list) and len(value) == 1:
        # The batch payload: flat records (fast path for 1,000-record messages).
        return {"records": [_redact_flat(r, token) for r in value["records"]]}
    if isinstance(value, dict):
        return {
            k: (token(v) if k in ID_KEYS and isinstance(v, str) else redact(v, token))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v, token) for v in value]
    return value


def _redact_flat(record: Any, token: Callable[[str], str]) -> Any:
    if not isinstance(record, dict) or any(isinstance(v, dict | list) for v in record.values()):
        return redact(record, token)
    nid = record.get("national_id")
    return record if not isinstance(nid, str) else {**record, "national_id": token(nid)}


def pack(value: Any) -> bytes:
    return zlib.compress(
        json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(), 6
    )


def unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob))


def _canonical(seq: int, m: Message, prev_hash: str) -> bytes:
    fields = {
        "seq": seq,
        "at": m.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "system": m.system,
        "direction": m.direction,
        "message_id": m.message_id,
        "in_reply_to": m.in_reply_to,
        "endpoint": m.endpoint,
        "http_status": m.http_status,
        "outcome": m.outcome,
        "signed_at": m.signed_at,
        "signature": m.signature,
        "signature_ok": m.signature_ok,
        "body_sha256": m.body_sha256,
        "stored_body_sha256": hashlib.sha256(m.body).hexdigest(),
        "prev_hash": prev_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(seq: int, m: Message, prev_hash: str) -> str:
    return hashlib.sha256(_canonical(seq, m, prev_hash)).hexdigest()


def append(conn: Connection, messages: Iterable[Message]) -> int:
    """Append in order inside the caller's transaction (the head row is locked, as the audit
    chain does, so concurrent sync jobs extend the chain one after another)."""
    items = list(messages)
    if not items:
        return 0
    head = conn.execute(select(HEAD).where(HEAD.c.id == 1).with_for_update()).first()
    seq, prev = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    rows = []
    for m in items:
        seq += 1
        digest = entry_hash(seq, m, prev)
        rows.append(
            {
                "seq": seq,
                "at": m.at,
                "system": m.system,
                "direction": m.direction,
                "message_id": m.message_id,
                "in_reply_to": m.in_reply_to,
                "endpoint": m.endpoint,
                "http_status": m.http_status,
                "outcome": m.outcome,
                "signed_at": m.signed_at,
                "signature": m.signature,
                "signature_ok": m.signature_ok,
                "body_sha256": m.body_sha256,
                "body": m.body,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        prev = digest
    conn.execute(ENTRY.insert(), rows)
    if head is None:
        conn.execute(
            HEAD.insert().values(
                id=1, last_seq=seq, last_hash=prev, anchor_seq=0, anchor_hash=GENESIS
            )
        )
    else:
        conn.execute(update(HEAD).where(HEAD.c.id == 1).values(last_seq=seq, last_hash=prev))
    return len(rows)


@dataclass
class VerifyResult:
    checked: int = 0
    signatures_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _message(row: Any) -> Message:
    return Message(
        row.system,
        row.direction,
        row.message_id,
        row.in_reply_to,
        row.endpoint,
        row.http_status,
        row.outcome,
        row.signed_at,
        row.signature,
        row.signature_ok,
        row.body_sha256,
        row.body,
        row.at,
    )


def verify(
    conn: Connection,
    keys: dict[str, Ed25519PublicKey] | None = None,
    batch: int = 5_000,
) -> VerifyResult:
    """Recompute every hash and link from the anchor to the head; with `keys` (direction →
    public key), also re-check each signature the log says was valid."""
    result = VerifyResult()
    head = conn.execute(select(HEAD).where(HEAD.c.id == 1)).first()
    anchor_seq, prev = (head.anchor_seq, head.anchor_hash) if head else (0, GENESIS)
    expected, last = anchor_seq + 1, anchor_seq
    while True:
        rows = conn.execute(
            select(ENTRY).where(ENTRY.c.seq > last).order_by(ENTRY.c.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected:
                result.problems.append(f"entries {expected}..{row.seq - 1} are missing")
            if row.prev_hash != prev:
                result.problems.append(f"entry {row.seq}: link to the previous entry is broken")
            m = _message(row)
            if entry_hash(row.seq, m, row.prev_hash) != row.hash:
                result.problems.append(f"entry {row.seq}: content does not match its hash")
            key = (keys or {}).get(row.direction)
            if key is not None and row.signature_ok:
                result.signatures_checked += 1
                ok = signing.check(
                    key,
                    row.message_id,
                    row.signed_at or "",
                    row.in_reply_to or "",
                    row.body_sha256,
                    row.signature or "",
                )
                if not ok:
                    result.problems.append(f"entry {row.seq}: signature does not verify")
            prev, expected, last = row.hash, row.seq + 1, row.seq
            result.checked += 1
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS)
    if head_seq != last or head_hash != prev:
        result.problems.append(
            f"chain ends at entry {last} but its head records entry {head_seq}: "
            "entries were removed from the end or the head was altered"
        )
    return result


def purge(conn: Connection, before: dt.datetime) -> int:
    """Delete entries older than `before` (a prefix of the chain) and anchor the chain at the
    last deleted entry. Runs as the table owner: the application role may not delete."""
    last = conn.execute(
        select(func.max(ENTRY.c.seq)).where(ENTRY.c.at < before)
    ).scalar_one_or_none()
    if last is None:
        return 0
    head = conn.execute(select(HEAD).where(HEAD.c.id == 1).with_for_update()).first()
    if head is None:
        return 0
    anchor = conn.execute(select(ENTRY.c.hash).where(ENTRY.c.seq == last)).scalar_one()
    deleted = conn.execute(delete(ENTRY).where(ENTRY.c.seq <= last)).rowcount
    conn.execute(update(HEAD).where(HEAD.c.id == 1).values(anchor_seq=last, anchor_hash=anchor))
    return int(deleted or 0)
