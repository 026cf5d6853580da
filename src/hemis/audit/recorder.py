"""Records every ORM write to an Audited class in the audit chain, in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from hemis.audit.chain import Change, append
from hemis.db.base import Audited
from hemis.db.tenancy import get_scope

# Columns whose values never enter the log (ciphertext and blind index of national IDs).
_REDACTED = {"national_id_enc", "national_id_index"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return None
    return value


def _snapshot(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    out: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in _REDACTED or attr.key in ("created_at", "updated_at"):
            continue
        out[attr.key] = _jsonable(getattr(obj, attr.key))
    return out


def _before_values(obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(before, after) of the changed columns of a dirty object."""
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in ("created_at", "updated_at"):
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        if attr.key in _REDACTED:
            before[attr.key], after[attr.key] = "[redacted]", "[changed]"
            continue
        before[attr.key] = _jsonable(hist.deleted[0]) if hist.deleted else None
        after[attr.key] = _jsonable(hist.added[0]) if hist.added else None
    return before, after


def _entity_id(obj: Any) -> str:
    return ":".join(str(v) for v in inspect(obj).identity or ())


def _after_flush(session: Session, flush_context: Any) -> None:
    scope = get_scope(session)
    changes: list[Change] = []

    def add(obj: Any, action: str, before: Any, after: Any) -> None:
        changes.append(
            Change(
                actor=scope.actor,
                institution_id=getattr(obj, "institution_id", None),
                action=action,
                entity=type(obj).__tablename__,
                entity_id=_entity_id(obj),
                before=before,
                after=after,
            )
        )

    for obj in session.new:
        if isinstance(obj, Audited):
            add(obj, "create", None, _snapshot(obj))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            before, after = _before_values(obj)
            if after:
                add(obj, "update", before, after)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            add(obj, "delete", _snapshot(obj), None)
    if changes:
        append(session.connection(), changes)


def record_bulk(session: Session, entity: str, count: int, digest: str, **extra: Any) -> None:
    """One audit entry for a bulk load: how many rows and a digest of their content."""
    scope = get_scope(session)
    append(
        session.connection(),
        [
            Change(
                actor=scope.actor,
                institution_id=scope.institution_id,
                action="bulk_load",
                entity=entity,
                entity_id=None,
                before=None,
                after={"rows": count, "sha256": digest, **extra},
            )
        ],
    )


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "after_flush", _after_flush)
