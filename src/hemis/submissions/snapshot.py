"""The hashed snapshot frozen at sign-off, per-record fingerprints and the diff between versions.

The canonical content of an institution's data for a period is, per entity in a fixed order, its
rows as text sorted by natural key, one line per row with fields separated by U+001F. A row holds
every column its entity writes (targets.py), a reference shown by the natural key of the row it
points to, less the few columns `LEFT_OUT` names with why. Dates are ISO, decimals at the
column's scale, booleans true/false, national IDs the hex of their blind index (never the
ciphertext, which differs on every write). The entity's SHA-256 is taken over its header and
lines; the snapshot's over "entity:rows:sha256" lines. Per row, the first 16 hex digits of the
line's SHA-256 are kept (Parquet, in `submission_snapshot`) so that the next version can say
which records were added, changed or removed.

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
from hemis.db.base import table_of
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
from hemis.submissions.apply import Target
from hemis.submissions.targets import (
    AWARD,
    CAMPUS,
    EXPENDITURE,
    FACILITY,
    LEARNER,
    PROGRAM,
    REVENUE,
    STAFF,
    STATUS_EVENT,
)

SEP = "\x1f"
Query = Any  # a select() of columns; its row type differs per entity


@dataclass(frozen=True)
class Frozen:
    entity: str
    rows: int
    sha256: str
    fingerprints: bytes


# How a column that refers to another row is shown: by that row's natural key (ids differ
# between databases and versions), read through a join. Learner references lead the row, so a
# learner's status events and award sort with the learner.
PERSON_SHOWN = (
    Person.national_id_index,
    Person.full_name,
    Person.date_of_birth,
    Person.sex,
    Person.ethnicity_code,
    Person.nationality,
)
REFERENCES: dict[str, tuple[type[Any], tuple[Any, ...]]] = {
    "person_id": (Person, PERSON_SHOWN),
    "program_id": (Program, (Program.code,)),
    "campus_id": (Campus, (Campus.code,)),
    "learner_id": (Learner, (Learner.student_code,)),
}
LEADING = ("learner_id",)
# Written columns the snapshot leaves out, with why (tests/submissions/test_columns.py holds
# every other written column to being in it).
LEFT_OUT = {
    "person.national_id_enc": "a new ciphertext on every write; the blind index stands for the ID",
    "person.name_folded": "the search key derived from full_name, which is in the snapshot",
    "person.review_of": "the ministry's review of a claim, not the institution's data",
    "person.review_status": "the ministry's review of a claim, not the institution's data",
}


def _shown(target: Target) -> tuple[Callable[[], Query], int]:
    """The snapshot query of a target table (its key and values, references shown by natural
    key) and the number of leading columns that make up the record's key."""
    names = (*target.key, *target.values)
    names = (*(n for n in LEADING if n in names), *(n for n in names if n not in LEADING))
    keys = {*target.key, *(n for n in LEADING if n in names)}

    def build() -> Query:
        model = _MODELS[target.table]
        columns: list[Any] = []
        joins: list[tuple[type[Any], Any]] = []
        for name in names:
            if name not in REFERENCES:
                columns.append(getattr(model, name))
                continue
            parent, shown = REFERENCES[name]
            columns.extend(shown)
            on = parent.id == getattr(model, name)
            if parent is not Person:  # tenant rows: joined within the institution
                on = (parent.institution_id == model.institution_id) & on
            joins.append((parent, on))
        query = select(*columns)
        for parent, on in joins:
            query = query.join(parent, on)
        return query

    width = sum(len(REFERENCES[n][1]) if n in REFERENCES else 1 for n in names if n in keys)
    return build, width


_MODELS: dict[str, type[Any]] = {
    table_of(m).name: m
    for m in (
        Campus,
        Facility,
        Program,
        Staff,
        Learner,
        LearnerStatusEvent,
        Award,
        Revenue,
        Expenditure,
    )
}
# The tables every applicable entity writes, by the snapshot's entity names.
SHOWN: dict[str, Target] = {
    "campuses": CAMPUS,
    "facilities": FACILITY,
    "programs": PROGRAM,
    "staff": STAFF,
    "learners": LEARNER,
    "learner_status_events": STATUS_EVENT,
    "awards": AWARD,
    "revenues": REVENUE,
    "expenditures": EXPENDITURE,
}
# entity → (query, number of leading key columns), in a fixed order: what the applicable
# entities write, then the assets (checked, not applied: shown with their ids).
QUERIES: dict[str, tuple[Callable[[], Query], int]] = {
    **{name: _shown(target) for name, target in SHOWN.items()},
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
