"""Linking the civil-servant roster to staff persons, and measuring the links against the
simulator's ground truth (precision and recall)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from sqlalchemy import Engine, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from hemis.config import Settings
from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.integrations import exchange
from hemis.integrations.civil_service.client import CivilServiceClient
from hemis.integrations.codes import LinkMethod, LinkStatus, Registry
from hemis.integrations.linkage import band, one_to_one, prepare, score
from hemis.integrations.models import PersonLink
from hemis.integrations.schemas import RosterRecord
from hemis.integrations.sync import national
from hemis.integrations.wiring import transport

LINK = table_of(PersonLink)
SYSTEM = Registry.civil_service.value
STAFF_PERSONS = (
    "SELECT DISTINCT p.id, p.national_id_enc, p.national_id_index, p.full_name, "
    "p.date_of_birth, p.sex FROM staff s JOIN person p ON p.id = s.person_id"
)


def pull_roster(engine: Engine, settings: Settings, url: str | None) -> list[RosterRecord]:
    channel = transport(settings, SYSTEM, url)
    client = CivilServiceClient(channel)
    records: list[RosterRecord] = []
    after: str | None = None
    try:
        while True:
            reply = client.roster(after, 1000)
            with engine.begin() as conn:
                national(conn)
                exchange.append(conn, reply.messages)
            records.extend(reply.value.records)
            after = reply.value.next_after
            if after is None:
                return records
    finally:
        channel.close()


def _record(r: RosterRecord) -> dict[str, Any]:
    """What the link keeps of the registry's record: never its national ID."""
    return {
        "full_name": r.full_name,
        "date_of_birth": r.date_of_birth.isoformat() if r.date_of_birth else None,
        "sex": r.sex,
        "province_code": r.province_code,
    }


def link_records(
    engine: Engine, settings: Settings, roster: list[RosterRecord], actor: str = "system:linkage"
) -> dict[str, Any]:
    from hemis.integrations.wiring import cipher_of

    cipher = cipher_of(settings)
    with engine.connect() as conn:
        national(conn)
        people = conn.execute(text(STAFF_PERSONS)).all()
        kept = _kept_decisions(conn)
    by_index = {bytes(p.national_id_index): p.id for p in people}
    links: dict[str, dict[str, Any]] = {}
    rest: list[RosterRecord] = []
    for r in roster:
        if r.registry_key in kept:
            continue
        pid = None
        if r.national_id and len(r.national_id) == 12:
            pid = by_index.get(cipher.blind_index(r.national_id))
        if pid is not None:
            links[r.registry_key] = _link(r, pid, LinkMethod.deterministic, 1.0, "linked", actor)
        else:
            rest.append(r)
    taken = {v["person_id"] for v in links.values()}
    candidates = pl.DataFrame(
        [
            {
                "pid": p.id,
                "full_name": p.full_name,
                "date_of_birth": str(p.date_of_birth)[:10],
                "sex": p.sex,
                "province": cipher.decrypt(p.national_id_enc)[:3],
            }
            for p in people
            if p.id not in taken
        ],
        schema={
            "pid": pl.Int64,
            "full_name": pl.String,
            "date_of_birth": pl.String,
            "sex": pl.String,
            "province": pl.String,
        },
    )
    left = pl.DataFrame(
        [
            {
                "key": r.registry_key,
                "full_name": r.full_name,
                "date_of_birth": r.date_of_birth.isoformat() if r.date_of_birth else None,
                "sex": r.sex,
                "province": r.province_code,
            }
            for r in rest
        ],
        schema={
            "key": pl.String,
            "full_name": pl.String,
            "date_of_birth": pl.String,
            "sex": pl.String,
            "province": pl.String,
        },
    )
    by_key = {r.registry_key: r for r in rest}
    for c in one_to_one(score(prepare(left, "key"), prepare(candidates, "pid"))):
        status = band(c.probability)
        if status == LinkStatus.rejected.value:
            continue
        links[c.registry_key] = _link(
            by_key[c.registry_key],
            c.person_id,
            LinkMethod.probabilistic,
            c.probability,
            status,
            actor,
        )
    with engine.begin() as conn:
        national(conn)
        _write(conn, list(links.values()))
    methods = pl.DataFrame(list(links.values())) if links else None
    counts: dict[str, int] = {}
    if methods is not None:
        for m, s, n in methods.group_by("method", "status").len().iter_rows():
            counts[f"{m}/{s}"] = n
    return {"roster": len(roster), "kept_decisions": len(kept), "links": counts}


def _link(
    r: RosterRecord, pid: int, method: LinkMethod, prob: float, status: str, actor: str
) -> dict[str, Any]:
    return {
        "system": SYSTEM,
        "registry_key": r.registry_key,
        "person_id": pid,
        "method": method.value,
        "status": status,
        "score": round(prob, 6),
        "record": _record(r),
        "decided_by": actor,
        "decided_at": dt.datetime.now(dt.UTC),
    }


def _kept_decisions(conn: Connection) -> set[str]:
    """Clerical decisions are never overwritten by a rerun."""
    rows = conn.execute(
        select(LINK.c.registry_key).where(
            LINK.c.system == SYSTEM, LINK.c.method == LinkMethod.clerical.value
        )
    )
    return {r[0] for r in rows}


def _write(conn: Connection, values: list[dict[str, Any]]) -> None:
    if not values:
        return
    first = allocate_ids(conn, "person_link", len(values))
    for offset, v in enumerate(values):
        v["id"] = first + offset
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(LINK)
    stmt = stmt.on_conflict_do_update(
        index_elements=["system", "registry_key"],
        set_={k: stmt.excluded[k] for k in values[0] if k not in ("id", "system", "registry_key")},
    )
    for start in range(0, len(values), 1000):
        conn.execute(stmt, values[start : start + 1000])


def link_roster(engine: Engine, settings: Settings, url: str | None) -> dict[str, Any]:
    return link_records(engine, settings, pull_roster(engine, settings, url))


def evaluate(engine: Engine, truth: dict[str, int | None]) -> dict[str, Any]:
    """Precision and recall of the `linked` links against the ground truth (registry key →
    person id, None for a record of someone HEMIS does not employ)."""
    with engine.connect() as conn:
        national(conn)
        linked = {
            r.registry_key: r.person_id
            for r in conn.execute(
                select(LINK.c.registry_key, LINK.c.person_id).where(
                    LINK.c.system == SYSTEM, LINK.c.status == LinkStatus.linked.value
                )
            )
        }
        review = conn.execute(
            select(LINK.c.registry_key).where(
                LINK.c.system == SYSTEM, LINK.c.status == LinkStatus.review.value
            )
        ).all()
    correct = sum(1 for k, pid in linked.items() if truth.get(k) == pid)
    linkable = sum(1 for pid in truth.values() if pid is not None)
    return {
        "linked": len(linked),
        "correct": correct,
        "linkable": linkable,
        "review_queue": len(review),
        "precision": round(correct / len(linked), 4) if linked else None,
        "recall": round(correct / linkable, 4) if linkable else None,
    }
