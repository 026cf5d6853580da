"""The results-day read model (ADR 0025): what each candidate is shown for a published round,
built once when the round is published and read with one indexed query per page.

`build_rows` derives every candidate's row from the round's stored results (round_candidate,
round_offer_result) and the catalogue (offer code and name, institution names), with the same
rules the page applied at request time before (queries._outcome); `write_published` inserts
them in the publishing transaction (bulk, COPY through a staged twin on PostgreSQL, as the
round's own results); `differences` compares the stored rows with a fresh build (round verify).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from hemis.admissions.codes import RoundKind, RoundStatus
from hemis.admissions.frames import write_frame
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    RoundCandidate,
    RoundOfferResult,
)
from hemis.admissions.models_published import PublishedResult
from hemis.admissions.queries import outcome_of_wish
from hemis.admissions.snapshot import FLAG_NAMES
from hemis.db.rows import commit
from hemis.errors import Conflict
from hemis.registry.models import Institution

BATCH = 50_000  # candidates fetched at a time
# The stored columns, in insert order (the frame's and the verification's).
COLUMNS: dict[str, Any] = {
    "round_id": pl.Int64,
    "person_id": pl.Int64,
    "year": pl.Int64,
    "round_number": pl.Int64,
    "round_kind": pl.String,
    "round_final": pl.Boolean,
    "confirm_deadline_at": pl.String,
    "institution_id": pl.Int64,
    "offer_id": pl.Int64,
    "offer_code": pl.String,
    "offer_name_vi": pl.String,
    "institution_code": pl.String,
    "institution_name_vi": pl.String,
    "institution_name_en": pl.String,
    "rank": pl.Int64,
    "score_h": pl.Int64,
    "cutoff_h": pl.Int64,
    "outcome": pl.String,
    "wishes": pl.String,
    "published_at": pl.String,
}
# Compared by verification: everything a candidate reads (the round and times are the round's).
SHOWN = (
    "institution_id",
    "offer_id",
    "offer_code",
    "offer_name_vi",
    "institution_code",
    "institution_name_vi",
    "institution_name_en",
    "rank",
    "score_h",
    "cutoff_h",
    "outcome",
    "wishes",
)


@dataclass(frozen=True)
class _Offer:
    code: str
    name_vi: str
    institution_code: str
    institution_name_vi: str
    institution_name_en: str | None


@dataclass(frozen=True)
class _Program:
    offer: _Offer | None
    institution_id: int
    offer_id: int
    bucket: str
    cutoff_h: int | None
    quota: int


def _offers(session: Session, year: int) -> dict[tuple[int, int], _Offer]:
    names = {
        i.id: (i.moet_code, i.name_vi, i.name_en) for i in session.scalars(select(Institution))
    }
    out = {}
    for inst, offer_id, code, name in session.execute(
        select(
            AdmissionOffer.institution_id,
            AdmissionOffer.id,
            AdmissionOffer.code,
            AdmissionOffer.name_vi,
        ).where(AdmissionOffer.year == year)
    ):
        moet, name_vi, name_en = names.get(inst, ("", "", None))
        out[(int(inst), int(offer_id))] = _Offer(code, name, moet, name_vi, name_en)
    return out


def _programs(
    session: Session, round_id: int, offers: dict[tuple[int, int], _Offer]
) -> dict[int, _Program]:
    return {
        r.id: _Program(
            offers.get((r.institution_id, r.offer_id)),
            r.institution_id,
            r.offer_id,
            r.bucket,
            r.cutoff_h,
            r.quota,
        )
        for r in session.scalars(
            select(RoundOfferResult).where(RoundOfferResult.round_id == round_id)
        )
    }


def _wish(
    program: _Program, rank: int, score_h: int | None, flag: int, outcome: str, decided: str | None
) -> dict[str, Any]:
    offer = program.offer
    return {
        "rank": rank,
        "code": offer.code if offer else None,
        "name_vi": offer.name_vi if offer else None,
        "institution_code": offer.institution_code if offer else None,
        "institution_name_vi": offer.institution_name_vi if offer else None,
        "institution_name_en": offer.institution_name_en if offer else None,
        "bucket": program.bucket,
        "score_h": score_h,
        "cutoff_h": program.cutoff_h,
        "outcome": outcome,
        "flag": FLAG_NAMES.get(flag, "ok"),
        "decided_by": decided,
    }


def dump(value: Any) -> str:
    """The stored text of a JSON value (compact, Vietnamese kept as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stamp(moment: dt.datetime | None, sqlite: bool) -> str | None:
    """A timestamp as the column stores it (SQLite: naive UTC, as db.types.UTCDateTime)."""
    if moment is None:
        return None
    utc = moment.astimezone(dt.UTC)
    return utc.replace(tzinfo=None).isoformat(sep=" ") if sqlite else utc.isoformat()


def build_rows(session: Session, round_: AdmissionRound) -> Iterator[tuple[Any, ...]]:
    """Every candidate's row of a run (or published) round, columns as COLUMNS, built from the
    stored results exactly as the result page showed them when computed per request."""
    sqlite = session.connection().dialect.name == "sqlite"
    offers = _offers(session, round_.year)
    programs = _programs(session, round_.id, offers)
    deadline = (
        _stamp(round_.confirm_deadline_at, sqlite)
        if round_.kind == RoundKind.supplementary.value
        else None
    )
    head = (
        round_.id,
        None,
        round_.year,
        round_.number,
        round_.kind,
        bool(round_.is_final),
        deadline,
    )
    published = _stamp(round_.published_at, sqlite)
    c = RoundCandidate
    rows = session.execute(
        select(c.person_id, c.institution_id, c.offer_id, c.rank, c.score_h, c.wishes, c.path)
        .where(c.round_id == round_.id)
        .execution_options(yield_per=BATCH)
    )
    for person, inst, offer_id, held_rank, held_score, wishes, path in rows:
        explained: list[dict[str, Any]] = []
        outcome: str | None = None
        cutoff: int | None = None
        if path and inst and offer_id:  # admitted outside the matching: no wish considered
            outcome = f"admitted_{path}"
        else:
            for item in wishes:
                rank, result_id, score_h, flag = item[:4]
                decided = item[4] if len(item) > 4 else None  # rounds run before it was stored
                program = programs.get(result_id)
                if program is None:
                    continue
                held = rank == held_rank and program.offer_id == offer_id
                shown = outcome_of_wish(score_h, program.cutoff_h, program.quota, flag, held)
                explained.append(_wish(program, rank, score_h, flag, shown, decided))
                if held:
                    outcome, cutoff = "admitted", program.cutoff_h
                    break
        offer = offers.get((inst, offer_id)) if outcome else None
        yield (
            *head[:1],
            person,
            *head[2:],
            inst if outcome else None,
            offer_id if outcome else None,
            offer.code if offer else None,
            offer.name_vi if offer else None,
            offer.institution_code if offer else None,
            offer.institution_name_vi if offer else None,
            offer.institution_name_en if offer else None,
            held_rank if outcome == "admitted" else None,
            held_score if outcome else None,
            cutoff,
            outcome,
            dump(explained),
            published,
        )


def backfill_published(session: Session, round_id: int) -> int:
    """Write the read model of a round published before it existed (migration 0024); refused
    when the round has rows already (a published row is never rewritten)."""
    from hemis.admissions import access
    from hemis.admissions.rounds import get_round, wrong_state

    access.require_ministry(session)
    round_ = get_round(session, round_id)
    if round_.status != RoundStatus.published.value:
        raise wrong_state(round_, RoundStatus.published)
    if (
        session.scalar(
            select(PublishedResult.person_id).where(PublishedResult.round_id == round_id).limit(1)
        )
        is not None
    ):
        raise Conflict(
            "Kết quả công bố của đợt này đã được ghi.",
            "The published results of this round are already written.",
            code="read_model_exists",
        )
    written = write_published(session, round_)
    commit(session)
    return written


def write_published(session: Session, round_: AdmissionRound) -> int:
    """Insert the round's read model (in the caller's transaction); returns the rows written."""
    written = 0
    batch: list[tuple[Any, ...]] = []
    for row in build_rows(session, round_):
        batch.append(row)
        if len(batch) >= BATCH * 4:
            written += _insert(session, batch)
            batch = []
    return written + _insert(session, batch)


def _insert(session: Session, rows: list[tuple[Any, ...]]) -> int:
    frame = pl.DataFrame(rows, schema=COLUMNS, orient="row")
    # row-level security: no COPY straight into the table (frames.write_frame)
    write_frame(session, PublishedResult.__tablename__, frame, staged=True)
    return frame.height


def differences(session: Session, round_: AdmissionRound) -> int:
    """Candidates whose stored read-model row differs from what the round's stored results
    give (missing and extra rows included)."""
    expected = {row[1]: _shown(row) for row in build_rows(session, round_)}
    columns = ", ".join(SHOWN[:-1])
    stored = session.execute(
        text(
            f"SELECT person_id, {columns}, CAST(wishes AS TEXT) "  # noqa: S608 (constant names)
            "FROM published_result WHERE round_id = :r"
        ),
        {"r": round_.id},
    )
    seen: set[int] = set()
    differ = 0
    for row in stored:
        person = int(row[0])
        seen.add(person)
        values = (*row[1:-1], dump(json.loads(row[-1])))
        if expected.get(person) != tuple(values):
            differ += 1
    return differ + len(expected.keys() - seen)


def _shown(row: tuple[Any, ...]) -> tuple[Any, ...]:
    by_name = dict(zip(COLUMNS, row, strict=True))
    return tuple(by_name[name] for name in SHOWN)
