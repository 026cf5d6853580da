"""The citizens the simulator offers on its login page: persons of a HEMIS database (the demo's
synthetic nation), youngest first or found by name, read on demand (a national database holds
millions; the page shows a few)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, text

from hemis.common.crypto import IdCipher
from hemis.common.text import fold
from hemis.db.session import make_engine
from hemis.identity.claims import Citizen

SHOWN = 30
_COLUMNS = "SELECT id, full_name, date_of_birth, national_id_enc FROM person "
_ORDER = f"ORDER BY date_of_birth DESC, id LIMIT {SHOWN}"
YOUNGEST = _COLUMNS + _ORDER
BY_NAME = _COLUMNS + "WHERE name_folded LIKE :q " + _ORDER


@dataclass(frozen=True)
class Listed:
    person_id: int
    full_name: str
    birth_date: dt.date
    id_tail: str  # the last three digits: enough to tell two namesakes apart on the page


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class People:
    def __init__(self, url: str | None, cipher: IdCipher) -> None:
        self.engine: Engine | None = make_engine(url) if url else None
        self.cipher = cipher

    def _rows(self, sql: str, **params: object) -> list[tuple[object, ...]]:
        if self.engine is None:
            return []
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', true)")
            return [tuple(row) for row in conn.execute(text(sql), params)]

    def listed(self, query: str = "") -> list[Listed]:
        """Some persons: the youngest, or those whose name contains `query`."""
        rows = self._rows(BY_NAME if query.strip() else YOUNGEST, q=f"%{fold(query.strip())}%")
        out = []
        for person_id, name, born, enc in rows:
            assert isinstance(enc, bytes)
            tail = self.cipher.decrypt(enc)[-3:]
            out.append(Listed(int(str(person_id)), str(name), _date(born), tail))
        return out

    def citizen(self, person_id: int, level: int) -> Citizen | None:
        rows = self._rows(
            "SELECT national_id_enc, full_name, date_of_birth FROM person WHERE id = :id",
            id=person_id,
        )
        if not rows:
            return None
        enc, name, born = rows[0]
        assert isinstance(enc, bytes)
        return Citizen(self.cipher.decrypt(enc), str(name), _date(born), level)

    def dispose(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
