"""The intake: an institution's confirmed candidates become learners of the registry.

    outcomes = write_intake(engine, cipher, 2025)                    # every institution
    outcomes = write_intake(engine, cipher, 2025, institution_id=7)  # one

Each confirmation of the year not written yet becomes a learner of the admitted offer's program
(cohort = the admission year, study mode = the program's, admitted and 'enrolled' on the day the
term starts), with a `learner_admission` row keeping the year, round, offer, method and score.
The rows are written by the submissions' own apply path (set-based upserts by natural key, COPY
on PostgreSQL for large batches, the status event of every new learner, one audit entry per
table) in one transaction per institution: a crash leaves no half intake, and a re-run writes
only the confirmations still missing — nothing, when none are.

Rules (ADR 0013):
- student code: `<institution code>-<year>-<sequence>`, the sequence (5 digits, more if needed)
  continuing the year's last one at the institution, in order of confirmation; a code already
  used by a learner of the institution is skipped.
- a confirmed candidate who already is a learner of the program in the admission year's cohort
  (the institution submitted them first, under its own code) is linked, not written again.
- the institution's later learners file recognises the intake's learners by person and program
  (submissions/admitted.py), so its own student codes replace the allocated ones.
- method: the offer bucket's when admitted in a method bucket, else the best method of the
  candidate's results (the computation the round's snapshot made, vector.py); score: the round's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from sqlalchemy import Engine, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from hemis.admissions.explain import METHOD_ORDER
from hemis.admissions.models import AdmissionOffer, AdmissionYear, ConversionTable
from hemis.admissions.rules import rules_for
from hemis.admissions.snapshot_build import offer_arrays, read_candidates
from hemis.admissions.vector import best_scores
from hemis.common.crypto import IdCipher
from hemis.errors import NotFound
from hemis.submissions import apply
from hemis.submissions.apply import TableResult, Target, existing_rows
from hemis.submissions.importer import DataChanged, institution_code, learner_events
from hemis.submissions.targets import LEARNER
from hemis.submissions.workspace import (
    Progress,
    Workspace,
    national,
    no_progress,
    transaction,
)

SOURCE = "admissions_intake"
TERM_START = (9, 5)  # (month, day) the term starts on when the year does not say
FUNDING = "self_funded"  # not known at admission; the institution's file corrects it
SEQUENCE_WIDTH = 5

LEARNER_ADMISSION = Target(
    "learner_admission",
    ("year", "person_id"),
    ("learner_id", "round_id", "offer_id", "bucket", "method", "score_h", "student_code"),
    {
        "year": pl.Int64,
        "person_id": pl.Int64,
        "learner_id": pl.Int64,
        "round_id": pl.Int64,
        "offer_id": pl.Int64,
        "bucket": pl.String,
        "method": pl.String,
        "score_h": pl.Int64,
        "student_code": pl.String,
    },
)
PENDING_SCHEMA = {
    "seq": pl.Int64,
    "person_id": pl.Int64,
    "round_id": pl.Int64,
    "offer_id": pl.Int64,
    "bucket": pl.String,
    "score_h": pl.Int64,
    "program_id": pl.Int64,
    "study_mode": pl.String,
}
# The year's confirmations at the institution not written yet, in order of confirmation, with
# the round's score and the offer's program.
PENDING_SQL = """
SELECT row_number() OVER (ORDER BY c.confirmed_at, c.person_id) AS seq, c.person_id,
       c.round_id, c.offer_id, coalesce(c.bucket, '') AS bucket, rc.score_h, o.program_id,
       p.mode AS study_mode
FROM enrolment_confirmation c
JOIN round_candidate rc ON rc.round_id = c.round_id AND rc.person_id = c.person_id
JOIN admission_offer o ON o.institution_id = c.institution_id AND o.id = c.offer_id
JOIN program p ON p.institution_id = o.institution_id AND p.id = o.program_id
WHERE c.year = :year AND c.institution_id = :iid
  AND NOT EXISTS (
    SELECT 1 FROM learner_admission a
    WHERE a.institution_id = :iid AND a.year = :year AND a.person_id = c.person_id)
ORDER BY seq
"""
CONFIRMED_OF = (
    "AND person_id IN (SELECT person_id FROM enrolment_confirmation "
    "WHERE year = :year AND institution_id = :iid)"
)


@dataclass
class IntakeOutcome:
    """What one institution's intake wrote."""

    institution_id: int
    moet_code: str
    year: int
    confirmed: int = 0  # confirmations of the year at the institution
    pending: int = 0  # of them, not written before this run
    created: int = 0  # learners written
    linked: int = 0  # already learners of the program: linked, not written again
    tables: list[TableResult] = field(default_factory=list)

    @property
    def rows_written(self) -> int:
        return sum(t.written for t in self.tables)

    def as_dict(self) -> dict[str, object]:
        return {
            "institution_id": self.institution_id,
            "moet_code": self.moet_code,
            "year": self.year,
            "confirmed": self.confirmed,
            "pending": self.pending,
            "created": self.created,
            "linked": self.linked,
            "rows_written": self.rows_written,
            "tables": [t.as_dict() for t in self.tables],
        }


def term_start(calendar: AdmissionYear) -> dt.date:
    if calendar.term_starts_on is not None:
        return calendar.term_starts_on
    return dt.date(calendar.year, *TERM_START)


def code_prefix(moet_code: str, year: int) -> str:
    return f"{moet_code}-{year}-"


def write_intake(
    engine: Engine,
    cipher: IdCipher,
    year: int,
    *,
    institution_id: int | None = None,
    actor: str = "system:intake",
    progress: Progress = no_progress,
) -> list[IntakeOutcome]:
    """Write the year's intake of one institution, or of every institution with confirmations
    (each in its own transaction: a crash loses at most the institution being written, and a
    re-run completes the rest)."""
    with engine.connect() as conn:
        national(conn)
        found = conn.execute(text("SELECT 1 FROM admission_year WHERE year = :y"), {"y": year})
        if found.first() is None:
            raise NotFound("admission_year", year)
        institutions = (
            institutions_with_intake(conn, year) if institution_id is None else [institution_id]
        )
        conn.rollback()
    return [_write_one(engine, cipher, year, iid, actor, progress) for iid in institutions]


def _write_one(
    engine: Engine, cipher: IdCipher, year: int, iid: int, actor: str, progress: Progress
) -> IntakeOutcome:
    with transaction(engine, iid) as conn:
        ws = Workspace(conn, iid, institution_code(conn, iid), cipher, dt.date.today(), actor)
        outcome = IntakeOutcome(iid, ws.institution_code, year)
        outcome.confirmed = int(
            ws.scalar(
                "SELECT count(*) FROM enrolment_confirmation "
                "WHERE year = :year AND institution_id = :iid",
                {"year": year, "iid": iid},
            )
            or 0
        )
        pending = (
            ws.fetch(PENDING_SQL, {"year": year, "iid": iid}, PENDING_SCHEMA)
            .sort("seq")
            .with_columns(pl.col("bucket").fill_null(""))
        )
        outcome.pending = pending.height
        if pending.is_empty():
            return outcome  # (rolled back: nothing was written)
        label = f"intake {ws.institution_code}"
        progress(f"{label}: reading", 0, pending.height)
        with Session(bind=conn) as reader:
            calendar = reader.get(AdmissionYear, year)
            assert calendar is not None
            pending = _with_methods(reader, calendar, iid, pending)
        linked, new = _split_known(ws, year, pending)
        new = _with_codes(ws, year, new)
        now = dt.datetime.now(dt.UTC)
        progress(f"{label}: writing learner", 0, new.height)
        step = apply.plan(
            ws, LEARNER, _learner_rows(new, year, term_start(calendar)), assign_ids=True
        )
        if step.inserted != new.height:
            raise DataChanged(
                "Dữ liệu người học đã thay đổi trong lúc ghi; hãy thử lại.",
                "The institution's learners changed meanwhile; try again.",
            )
        written = apply.write(ws, step, now)
        outcome.tables.append(apply.result_of(step, written=written))
        outcome.tables.append(learner_events(ws, step, False, now))
        ids = step.staged.select("student_code", pl.col("id").alias("learner_id"))
        admitted = pl.concat(
            [
                new.join(ids, on="student_code", how="inner"),
                linked.with_columns(pl.lit(None, pl.String).alias("student_code")),
            ],
            how="diagonal_relaxed",
        ).with_columns(pl.lit(year).alias("year"))
        progress(f"{label}: writing learner_admission", 0, admitted.height)
        record = apply.plan(ws, LEARNER_ADMISSION, admitted, assign_ids=True)
        outcome.tables.append(apply.result_of(record, written=apply.write(ws, record, now)))
        apply.settle_digests(outcome.tables)
        apply.audit(ws, outcome.tables, f"{SOURCE}:{year}", None)
        outcome.created, outcome.linked = new.height, linked.height
        ws.drop_temp()
        progress(f"{label}: committing", pending.height, pending.height)
        conn.commit()
    progress(f"{label}: done", pending.height, pending.height)
    return outcome


def _with_methods(
    session: Session, calendar: AdmissionYear, iid: int, pending: pl.DataFrame
) -> pl.DataFrame:
    """`pending` with the method that counted for each admission: its bucket's when the offer
    splits its quota by method, else the best of the candidate's results for the offer."""
    shared = pending.filter(pl.col("bucket") == "")
    computed = pl.DataFrame(
        schema={"person_id": pl.Int64, "offer_id": pl.Int64, "counted": pl.String}
    )
    if not shared.is_empty():
        computed = _counted_methods(session, calendar, iid, shared)
    return (
        pending.join(computed, on=["person_id", "offer_id"], how="left")
        .with_columns(
            pl.when(pl.col("bucket") != "")
            .then(pl.col("bucket"))
            .otherwise(pl.col("counted"))
            .alias("method")
        )
        .drop("counted")
    )


def _counted_methods(
    session: Session, calendar: AdmissionYear, iid: int, rows: pl.DataFrame
) -> pl.DataFrame:
    """person_id, offer_id → counted: the method, as vector.best_scores computes it for the
    round's snapshot (null if the results no longer qualify)."""
    year = calendar.year
    rules = rules_for(calendar.rules_version)
    offers = list(
        session.scalars(
            select(AdmissionOffer)
            .where(
                AdmissionOffer.year == year,
                AdmissionOffer.institution_id == iid,
                AdmissionOffer.id.in_(rows["offer_id"].unique().to_list()),
            )
            .order_by(AdmissionOffer.id)
        )
    )
    tables = list(
        session.scalars(
            select(ConversionTable)
            .where(ConversionTable.year == year, ConversionTable.institution_id == iid)
            .order_by(ConversionTable.id)
        )
    )
    person = np.unique(rows["person_id"].to_numpy()).astype(np.int64)
    candidates = read_candidates(session, year, rules, person, CONFIRMED_OF, {"iid": iid})
    offer_index = {o.id: p for p, o in enumerate(offers)}
    kept = rows.filter(pl.col("offer_id").is_in(list(offer_index)))
    cand = np.searchsorted(person, kept["person_id"].to_numpy()).astype(np.int64)
    offer = np.array([offer_index[int(o)] for o in kept["offer_id"]], dtype=np.int64)
    data, built = offer_arrays(offers, tables)
    scores = best_scores(rules, candidates, data, built, cand, offer, np.ones_like(cand))
    names = np.array([None, *(m.value for m in METHOD_ORDER)], dtype=object)
    return kept.select("person_id", "offer_id").with_columns(
        pl.Series("counted", names[scores.method + 1], dtype=pl.String)
    )


def _split_known(
    ws: Workspace, year: int, pending: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(linked, new): the pending admissions whose candidate already is a learner of the program
    in the year's cohort, not linked to an admission yet (with that learner's id), and the
    rest."""
    learners = existing_rows(ws, LEARNER)
    taken = ws.fetch(
        "SELECT learner_id FROM learner_admission WHERE institution_id = :iid",
        {"iid": ws.institution_id},
        {"learner_id": pl.Int64},
    )
    known = (
        learners.filter(pl.col("cohort_year") == year)
        .join(taken, left_on="id", right_on="learner_id", how="anti")
        .group_by("person_id", "program_id")
        .agg(pl.col("id").min().alias("learner_id"))
    )
    joined = pending.join(known, on=["person_id", "program_id"], how="left")
    linked = joined.filter(pl.col("learner_id").is_not_null())
    new = joined.filter(pl.col("learner_id").is_null()).drop("learner_id")
    return linked, new


def _with_codes(ws: Workspace, year: int, new: pl.DataFrame) -> pl.DataFrame:
    """`new` with a student code each: the prefix, then the sequence after the year's last,
    skipping codes the institution already uses."""
    prefix = code_prefix(ws.institution_code, year)
    issued = ws.fetch(
        "SELECT student_code FROM learner_admission "
        "WHERE institution_id = :iid AND student_code IS NOT NULL",
        {"iid": ws.institution_id},
        {"student_code": pl.String},
    )["student_code"]
    last = (
        issued.filter(issued.str.starts_with(prefix))
        .str.strip_prefix(prefix)
        .cast(pl.Int64, strict=False)
        .max()
    )
    used = set(existing_rows(ws, LEARNER)["student_code"].to_list())
    codes = allocate_codes(prefix, int(last) if isinstance(last, int) else 0, used, new.height)
    return new.with_columns(pl.Series("student_code", codes, dtype=pl.String))


def allocate_codes(prefix: str, last: int, used: set[str], n: int) -> list[str]:
    """`n` codes `prefix` + sequence after `last` (zero-padded), skipping those in `used`."""
    codes = []
    number = last
    for _ in range(n):
        number += 1
        while (code := f"{prefix}{number:0{SEQUENCE_WIDTH}d}") in used:
            number += 1
        codes.append(code)
    return codes


def _learner_rows(new: pl.DataFrame, year: int, starts: dt.date) -> pl.DataFrame:
    return new.select(
        "student_code",
        "person_id",
        "program_id",
        pl.lit(year).alias("cohort_year"),
        "study_mode",
        pl.lit(FUNDING).alias("funding_source"),
        pl.lit(starts).alias("admitted_on"),
        pl.lit("enrolled").alias("status"),
        pl.lit(starts).alias("status_date"),
        pl.lit(None, pl.Float64).alias("gpa"),
        pl.lit(None, pl.Int64).alias("credits_earned"),
        pl.lit(None, pl.Date).alias("graduated_on"),
        pl.lit(None, pl.String).alias("diploma_number"),
    )


def institutions_with_intake(conn: Connection, year: int) -> list[int]:
    """Institutions with confirmations in the year (national read)."""
    national(conn)
    return [
        int(i)
        for i in conn.execute(
            text(
                "SELECT DISTINCT institution_id FROM enrolment_confirmation WHERE year = :y "
                "ORDER BY institution_id"
            ),
            {"y": year},
        ).scalars()
    ]
