"""What each sync job sends: the records (keyset-paged SQL over the registry tables, both
databases) and how a row becomes the query a registry understands."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from hemis.common.crypto import IdCipher
from hemis.integrations.schemas import GraduateQuery, IdentityQuery, StaffQuery

PAGE = (
    "SELECT {t}.institution_id, {t}.id, p.id AS person_id, p.national_id_enc, p.full_name, "
    "p.date_of_birth, p.sex{extra} FROM {frm} "
    # A row-value comparison: both databases walk the primary-key index from the cursor.
    # The cursor, inlined (two ints) so the planner sees it; a row-value comparison was
    # estimated at a handful of rows and planned as a parallel scan and sort of the whole join.
    " WHERE {t}.institution_id >= {iid:d} AND ({t}.institution_id > {iid:d} OR {t}.id > {rid:d})"
    "{where} ORDER BY {t}.institution_id, {t}.id LIMIT {limit:d}"
)
# The page's states in a second query: joined in the page, PostgreSQL's plan for a growing
# sync_state degraded to a merge join over all of it on every page.
STATES = text(
    "SELECT institution_id, record_id, status, payload_hash FROM sync_state "
    "WHERE system = :system AND institution_id IN :iids AND record_id IN :rids"
).bindparams(bindparam("iids", expanding=True), bindparam("rids", expanding=True))
COUNT = "SELECT COUNT(*) FROM {frm} WHERE 1 = 1{where}"


@dataclass(frozen=True)
class Row:
    institution_id: int
    record_id: int
    person_id: int
    status: str | None
    payload_hash: str | None
    query: BaseModel

    def digest(self) -> str:
        """What was sent, hashed: a record whose digest is unchanged is not re-sent."""
        fields = sorted(self.query.__dict__.items())
        raw = "\x1f".join(f"{k}={v}" for k, v in fields if k != "ref").encode()
        return hashlib.sha256(raw).hexdigest()


def _date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Source:
    table: str  # alias of the record table
    frm: str
    extra: str
    build: Callable[[Any, dict[str, Any]], BaseModel]

    def filters(self, year: int | None, institution_id: int | None) -> tuple[str, dict[str, Any]]:
        where = ""
        params: dict[str, Any] = {}
        if institution_id is not None:
            where += f" AND {self.table}.institution_id = :only_iid"
            params["only_iid"] = institution_id
        if year is not None and self.table == "a":
            where += " AND a.awarded_on >= :y0 AND a.awarded_on < :y1"
            params |= {"y0": dt.date(year, 1, 1), "y1": dt.date(year + 1, 1, 1)}
        return where, params

    def count(self, conn: Connection, year: int | None, institution_id: int | None) -> int:
        where, params = self.filters(year, institution_id)
        sql = COUNT.format(frm=self.frm, where=where)
        return int(conn.execute(text(sql), params).scalar_one())

    def page(
        self,
        conn: Connection,
        cipher: IdCipher,
        system: str,
        after: tuple[int, int],
        limit: int,
        year: int | None,
        institution_id: int | None,
    ) -> Sequence[Row]:
        where, params = self.filters(year, institution_id)
        sql = PAGE.format(
            t=self.table,
            frm=self.frm,
            extra=self.extra,
            where=where,
            iid=int(after[0]),
            rid=int(after[1]),
            limit=int(limit),
        )
        if conn.dialect.name == "postgresql":
            # Under row-level security (the application role) the planner estimates the
            # policy's filter at a few rows and sorts the whole join; walk the key's index.
            conn.exec_driver_sql("SET LOCAL enable_sort = off")
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        page = conn.execute(text(sql), params).mappings().all()
        known: dict[tuple[int, int], tuple[str, str | None]] = {}
        if page:
            keys = {"iids": sorted({r["institution_id"] for r in page})}
            keys["rids"] = [r["id"] for r in page]
            for st in conn.execute(STATES, {"system": system, **keys}):
                known[(st.institution_id, st.record_id)] = (st.status, st.payload_hash)
        rows = []
        for r in page:
            status, digest = known.get((r["institution_id"], r["id"]), (None, None))
            base = {
                "ref": str(r["id"]),
                "national_id": cipher.decrypt(r["national_id_enc"]),
                "full_name": r["full_name"],
                "date_of_birth": _date(r["date_of_birth"]),
                "sex": r["sex"],
            }
            rows.append(
                Row(
                    int(r["institution_id"]),
                    int(r["id"]),
                    int(r["person_id"]),
                    status,
                    digest,
                    self.build(r, base),
                )
            )
        return rows


SOURCES = {
    "population": Source(
        "l",
        "learner l JOIN person p ON p.id = l.person_id",
        "",
        lambda r, base: IdentityQuery.model_validate(base),
    ),
    "insurance": Source(
        "a",
        "award a JOIN learner l ON l.institution_id = a.institution_id AND l.id = a.learner_id "
        "JOIN person p ON p.id = l.person_id",
        ", a.awarded_on",
        lambda r, base: GraduateQuery.model_validate(
            base | {"graduated_on": _date(r["awarded_on"])}
        ),
    ),
    "civil_service": Source(
        "st",
        "staff st JOIN person p ON p.id = st.person_id JOIN institution i ON i.id = "
        "st.institution_id",
        ", i.moet_code, st.civil_servant_id",
        lambda r, base: StaffQuery.model_validate(
            base | {"employer_code": r["moet_code"], "civil_servant_id": r["civil_servant_id"]}
        ),
    ),
}
