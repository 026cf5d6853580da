"""The hashed snapshot frozen at sign-off, per-record fingerprints and the diff between versions.

The canonical content of an institution's data for a period is, per entity in a fixed order, its
rows as text (dates ISO, decimals at the column's scale, booleans true/false, national IDs as the
hex of their blind index — never the ciphertext, which differs on every write) sorted by natural
key, one line per row with fields separated by U+001F. The entity's SHA-256 is taken over its
header and lines; the snapshot's over "entity:rows:sha256" lines. Per row, the first 16 hex
digits of the line's SHA-256 are kept (Parquet, in `submission_snapshot`) so that the next
version can say which records were added, changed or removed.

Everything is read through the caller's scoped session: an officer signs off their own data.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.competency.snapshot import QUERIES as COMPETENCY_QUERIES
from hemis.registry.models import (
    Asset,
    Award,
    Campus,
    Expenditure,
    Facility,
    Learner,
    LearnerStatusEvent,
    Person,
    Program,
    Revenue,
    Staff,
)

SEP = "\x1f"
Query = Any  # a select() of columns; its row type differs per entity


@dataclass(frozen=True)
class Frozen:
    entity: str
    rows: int
    sha256: str
    fingerprints: bytes


def _learners() -> Query:
    return (
        select(
            Learner.student_code,
            Person.national_id_index,
            Person.full_name,
            Person.date_of_birth,
            Person.sex,
            Program.code,
            Learner.cohort_year,
            Learner.study_mode,
            Learner.funding_source,
            Learner.admitted_on,
            Learner.status,
            Learner.status_date,
        )
        .join(Person, Person.id == Learner.person_id)
        .join(
            Program,
            (Program.institution_id == Learner.institution_id) & (Program.id == Learner.program_id),
        )
    )


def _staff() -> Query:
    return select(
        Staff.staff_code,
        Person.national_id_index,
        Person.full_name,
        Person.date_of_birth,
        Person.sex,
        Staff.unit,
        Staff.position,
        Staff.contract_type,
        Staff.full_time,
        Staff.permanent,
        Staff.fte,
        Staff.highest_degree,
        Staff.degree_country,
        Staff.degree_year,
        Staff.academic_title,
        Staff.civil_servant_id,
        Staff.hired_on,
    ).join(Person, Person.id == Staff.person_id)


def _by_learner(*columns: Any) -> Callable[[], Query]:
    def build() -> Query:
        model = columns[0].class_
        return select(Learner.student_code, *columns).join(
            Learner,
            (Learner.institution_id == model.institution_id) & (Learner.id == model.learner_id),
        )

    return build


# entity → (query, number of leading key columns)
QUERIES: dict[str, tuple[Callable[[], Query], int]] = {
    "campuses": (
        lambda: select(
            Campus.code,
            Campus.name,
            Campus.address,
            Campus.province_code,
            Campus.is_main,
            Campus.land_area_m2,
            Campus.floor_area_m2,
        ),
        1,
    ),
    "facilities": (
        lambda: select(
            Campus.code,
            Facility.kind,
            Facility.building_count,
            Facility.room_count,
            Facility.floor_area_m2,
            Facility.seats,
        ).join(
            Campus,
            (Campus.institution_id == Facility.institution_id) & (Campus.id == Facility.campus_id),
        ),
        2,
    ),
    "programs": (
        lambda: select(
            Program.code,
            Program.discipline_code,
            Program.name_vi,
            Program.name_en,
            Program.level,
            Program.mode,
            Program.language,
            Program.credits,
            Program.duration_years,
            Program.accreditation_status,
            Program.accredited_on,
            Program.opened_on,
            Program.annual_quota,
            Program.status,
        ),
        1,
    ),
    "staff": (_staff, 1),
    "learners": (_learners, 1),
    "learner_status_events": (
        _by_learner(
            LearnerStatusEvent.effective_on, LearnerStatusEvent.status, LearnerStatusEvent.reason
        ),
        3,
    ),
    "awards": (_by_learner(Award.diploma_number, Award.awarded_on, Award.classification), 2),
    "revenues": (
        lambda: select(Revenue.fiscal_year, Revenue.source, Revenue.activity, Revenue.amount_vnd),
        3,
    ),
    "expenditures": (
        lambda: select(Expenditure.fiscal_year, Expenditure.category, Expenditure.amount_vnd),
        2,
    ),
    "assets": (
        lambda: select(
            Asset.category, Asset.description, Asset.acquired_on, Asset.value_vnd, Asset.id
        ),
        5,
    ),
    **COMPETENCY_QUERIES,
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, bytes):
        return value.hex()
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def canonical_lines(session: Session, entity: str) -> tuple[list[str], list[str]]:
    """(keys, lines) of an entity's rows in the caller's scope, sorted by key."""
    query, key_width = QUERIES[entity]
    rows = [[_text(v) for v in row] for row in session.execute(query())]
    rows.sort()
    keys = [SEP.join(row[:key_width]) for row in rows]
    # Repeated keys (two status events on a day) are told apart by their order.
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        count = seen.get(key, 0)
        seen[key] = count + 1
        if count:
            keys[i] = f"{key}{SEP}#{count}"
    return keys, [SEP.join(row) for row in rows]


def freeze(session: Session) -> tuple[str, list[Frozen]]:
    """(overall SHA-256, per-entity snapshots) of the data the session's scope sees."""
    frozen = []
    for entity in QUERIES:
        keys, lines = canonical_lines(session, entity)
        query, _ = QUERIES[entity]
        header = SEP.join(c.key or c.name for c in query().selected_columns)
        sha = hashlib.sha256("\n".join([header, *lines]).encode()).hexdigest()
        prints = pl.DataFrame(
            {
                "key": keys,
                "hash": [hashlib.sha256(line.encode()).hexdigest()[:16] for line in lines],
            },
            schema={"key": pl.String, "hash": pl.String},
        )
        buffer = io.BytesIO()
        prints.write_parquet(buffer, compression="zstd")
        frozen.append(Frozen(entity, len(lines), sha, buffer.getvalue()))
    overall = hashlib.sha256(
        "\n".join(f"{f.entity}:{f.rows}:{f.sha256}" for f in frozen).encode()
    ).hexdigest()
    return overall, frozen


def diff(before: dict[str, bytes], after: dict[str, bytes]) -> dict[str, dict[str, int]]:
    """Per entity: records added, changed and removed between two versions' fingerprints."""
    out = {}
    for entity in QUERIES:
        old = _prints(before.get(entity))
        new = _prints(after.get(entity))
        both = old.join(new, on="key", how="inner", suffix="_new")
        out[entity] = {
            "added": new.join(old, on="key", how="anti").height,
            "changed": both.filter(pl.col("hash") != pl.col("hash_new")).height,
            "removed": old.join(new, on="key", how="anti").height,
        }
    return out


def _prints(blob: bytes | None) -> pl.DataFrame:
    if not blob:
        return pl.DataFrame(schema={"key": pl.String, "hash": pl.String})
    return pl.read_parquet(io.BytesIO(blob))
