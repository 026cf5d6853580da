"""Records every ORM write to an Audited class in the audit chain, in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Mapper, Session

from hemis.audit.chain import Change, append
from hemis.db.base import Audited, Versioned
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
    """(before, after) of the changed columns of a dirty object, with its row version.

    "before" is the committed row: Audited rows are Versioned, so the update that has just run
    matched only the version the object was read at (a write over anyone else's change fails
    before this hook), and every column's old value was loaded before it was replaced
    (`_load_replaced_values`). The version itself was raised by one in the flush."""
    state = inspect(obj)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in ("created_at", "updated_at", "row_version"):
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        if attr.key in _REDACTED:
            before[attr.key], after[attr.key] = "[redacted]", "[changed]"
            continue
        before[attr.key] = _jsonable(hist.deleted[0]) if hist.deleted else None
        after[attr.key] = _jsonable(hist.added[0]) if hist.added else None
    if after and isinstance(obj, Versioned):
        before["row_version"], after["row_version"] = obj.row_version - 1, obj.row_version
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


def _replaced(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
    return value


def _load_replaced_values(mapper: Mapper[Any], cls: type[Any]) -> None:
    """On an Audited class, setting a column that was not loaded (expired, e.g. after a
    rollback) loads its committed value first, so that "before" is never a guess."""
    if not issubclass(cls, Audited):
        return
    for attr in mapper.column_attrs:
        if attr.key not in ("created_at", "updated_at", "row_version"):
            event.listen(getattr(cls, attr.key), "set", _replaced, active_history=True, retval=True)


def install(session_class: type[Session]) -> None:
    event.listen(session_class, "after_flush", _after_flush)
    event.listen(Mapper, "mapper_configured", _load_replaced_values)
