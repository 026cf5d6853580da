"""A small in-process cache of national figures read by the dashboard pages.

The figures change only when a year is recomputed, so each entry is keyed by the latest
`computed_at` of that year (one indexed query): a recomputation makes the old entries unused.
Only national-scope reads are cached; an institution's reads always go to the database."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.db.tenancy import get_scope
from hemis.indicators.models import IndicatorCube, IndicatorResult

T = TypeVar("T")
MAX_ENTRIES = 256
_entries: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def stamp(session: Session, year: int) -> tuple[Any, Any]:
    """When the year's cube and results were last computed."""
    cube = session.scalar(
        select(func.max(IndicatorCube.computed_at)).where(IndicatorCube.year == year)
    )
    results = session.scalar(
        select(func.max(IndicatorResult.computed_at)).where(IndicatorResult.year == year)
    )
    return cube, results


def cached(session: Session, key: tuple[Hashable, ...], year: int, produce: Callable[[], T]) -> T:
    if not get_scope(session).national:
        return produce()
    full = (*key, year, stamp(session, year))
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]  # type: ignore[no-any-return]
    value = produce()
    with _lock:
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _entries.clear()
