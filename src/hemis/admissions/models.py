"""Admissions tables.

National (one row per candidate, whatever the institution): the admission calendar, exam
registrations, results and their import batches, wishes, rounds with their immutable snapshots,
per-candidate round outcomes and enrolment confirmations. Tenant (keyed by institution_id, id):
what an institution offers (admission offers, conversion tables) and its per-round results.
Scores are integers in hundredths of a point (`*_h`), exact on both databases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, validates
from sqlalchemy.sql.expression import false as sa_false

from hemis.admissions.codes import (
    AchievementKind,
    AdmissionPath,
    Area,
    Category,
    Elective,
    ForeignLanguage,
    Method,
    OfferStatus,
    PathStatus,
    RoundKind,
    RoundStatus,
    TechnologyTrack,
    TiePolicy,
)
from hemis.common.text import fold
from hemis.db.base import Audited, Base, IdMixin, TenantMixin, TimestampMixin
from hemis.db.types import utcnow
from hemis.registry.models._common import code_column_type, in_codes

__all__ = [
    "AdmissionOffer",
    "AdmissionRound",
    "AdmissionYear",
    "BonusTable",
    "CandidateAchievement",
    "ConversionTable",
    "DirectAdmission",
    "EnrolmentConfirmation",
    "ExamRegistration",
    "LearnerAdmission",
    "ResultBatch",
    "ResultScore",
    "RoundCandidate",
    "RoundDistribution",
    "RoundOfferResult",
    "RoundSnapshot",
    "Wish",
]

YEAR_CHECK = "year BETWEEN 2000 AND 2100"


class AdmissionYear(Audited, TimestampMixin, Base):
    """The calendar and the configurable rules of one admission year (times in UTC)."""

    __tablename__ = "admission_year"
    __table_args__ = (
        CheckConstraint(YEAR_CHECK, name="year"),
        CheckConstraint("wish_cap IS NULL OR wish_cap >= 1", name="wish_cap"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    rules_version: Mapped[int] = mapped_column(Integer)
    wish_cap: Mapped[int | None] = mapped_column(Integer)
    teacher_wish_limit: Mapped[int | None] = mapped_column(Integer)
    registration_opens_at: Mapped[dt.datetime | None]
    registration_closes_at: Mapped[dt.datetime | None]
    wishes_open_at: Mapped[dt.datetime | None]
    wishes_close_at: Mapped[dt.datetime | None]
    confirm_deadline_at: Mapped[dt.datetime | None]
    # The first day of the academic year admitted learners start on (intake.py: their
    # admission date and the 'enrolled' status event); null: 5 September.
    term_starts_on: Mapped[dt.date | None]
    # Whether wishes without a paid fee enter the rounds (default: the rule set's, not counted)
    unpaid_wishes_count: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=sa_false()
    )


class ExamRegistration(Audited, IdMixin, TimestampMixin, Base):
    __tablename__ = "exam_registration"
    __table_args__ = (
        UniqueConstraint("year", "person_id"),
        UniqueConstraint("year", "candidate_number"),
        in_codes("area", Area),
        CheckConstraint(
            "category IS NULL OR category IN ('01','02','03','04','05','06','07')",
            name="category_code",
        ),
        in_codes("elective1", Elective, "elective1_code"),
        in_codes("elective2", Elective, "elective2_code"),
        CheckConstraint("elective1 <> elective2", name="electives_differ"),
        CheckConstraint(YEAR_CHECK, name="year"),
    )

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"), index=True)
    candidate_number: Mapped[str] = mapped_column(String(8))
    school_code: Mapped[str] = mapped_column(String(10))
    school_name: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(code_column_type(Area))
    category: Mapped[str | None] = mapped_column(String(len(Category.c01.value)))
    graduation_year: Mapped[int] = mapped_column(Integer)
    elective1: Mapped[str] = mapped_column(code_column_type(Elective))
    elective2: Mapped[str] = mapped_column(code_column_type(Elective))
    foreign_language: Mapped[str | None] = mapped_column(code_column_type(ForeignLanguage))
    technology_track: Mapped[str | None] = mapped_column(code_column_type(TechnologyTrack))
    exam_site: Mapped[str] = mapped_column(String(10))


class ResultBatch(IdMixin, Base):
    """Provenance of imported results: where from, when, by whom, and a digest of the file."""

    __tablename__ = "result_batch"
    __table_args__ = (in_codes("method", Method),)

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    method: Mapped[str] = mapped_column(code_column_type(Method))
    source: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(100))
    rows: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class ResultScore(Audited, Base):
    """One result: an exam or transcript subject, or a competency test's total (`total`)."""

    __tablename__ = "result_score"
    __table_args__ = (
        in_codes("method", Method),
        CheckConstraint("score_h >= 0", name="score"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("person.id"), primary_key=True, autoincrement=False
    )
    method: Mapped[str] = mapped_column(code_column_type(Method), primary_key=True)
    subject: Mapped[str] = mapped_column(String(24), primary_key=True)
    score_h: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("result_batch.id"), index=True)


class AdmissionOffer(Audited, TenantMixin, TimestampMixin, Base):
    """A program open for admission in one year: quota, methods, combinations (with subject
    weights), floor, ties."""

    __tablename__ = "admission_offer"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "program_id"], ["program.institution_id", "program.id"]
        ),
        UniqueConstraint("institution_id", "year", "code"),
        in_codes("status", OfferStatus),
        CheckConstraint("quota >= 0", name="quota"),
        # the floor is on the offer's scale: 30, or up to 90 with weighted subjects
        CheckConstraint("floor_h BETWEEN 0 AND 9000", name="floor"),
        CheckConstraint(YEAR_CHECK, name="year"),
        Index("ix_admission_offer_year", "year"),
    )

    year: Mapped[int] = mapped_column(Integer)
    program_id: Mapped[int] = mapped_column(BigInteger)
    code: Mapped[str] = mapped_column(String(30))
    name_vi: Mapped[str] = mapped_column(String(250))
    # the search key of name_vi (common.text.fold), kept by the validator below on every write
    name_folded: Mapped[str] = mapped_column(String(250), default="", server_default="")
    discipline_code: Mapped[str] = mapped_column(String(7))
    quota: Mapped[int] = mapped_column(Integer)
    method_quotas: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    methods: Mapped[list[str]] = mapped_column(JSON)
    combinations: Mapped[dict[str, int]] = mapped_column(JSON)  # code → offset in hundredths
    # subject → weight (> 1 only): the combinations sum on 10 × their total weight (40, …)
    weights: Mapped[dict[str, int]] = mapped_column(JSON, default=dict, server_default="{}")
    floor_h: Mapped[int] = mapped_column(Integer, default=0)
    tiebreaks: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(
        code_column_type(OfferStatus), default=OfferStatus.open.value
    )

    @validates("name_vi")
    def _fold_name(self, _key: str, value: str) -> str:
        self.name_folded = fold(value)
        return value


class ConversionTable(Audited, TenantMixin, TimestampMixin, Base):
    """An institution's published percentile table for one method and year."""

    __tablename__ = "conversion_table"
    __table_args__ = (
        UniqueConstraint("institution_id", "year", "method"),
        in_codes("method", Method),
        CheckConstraint(YEAR_CHECK, name="year"),
    )

    year: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(code_column_type(Method))
    points: Mapped[list[list[int]]] = mapped_column(JSON)  # [[x_h, y_h], ...]
    note: Mapped[str] = mapped_column(String(300), default="")


class BonusTable(Audited, TenantMixin, TimestampMixin, Base):
    """An institution's published bonus-point table (điểm cộng) for one kind and year: rows
    [code, minimum_h, points_h] — a certificate at or above `minimum_h` (its own scale), or an
    award (`minimum_h` 0), earns `points_h` on the 30-point scale. `source` says where the
    institution published it (its admission notice)."""

    __tablename__ = "bonus_table"
    __table_args__ = (
        UniqueConstraint("institution_id", "year", "kind"),
        in_codes("kind", AchievementKind),
        CheckConstraint(YEAR_CHECK, name="year"),
    )

    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(code_column_type(AchievementKind))
    entries: Mapped[list[list[Any]]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(300))


class CandidateAchievement(Audited, IdMixin, TimestampMixin, Base):
    """A candidate's certificate or award that may earn bonus points, with its provenance: who
    issued it and its document (`source`, `document`), recorded by the ministry (audited)."""

    __tablename__ = "candidate_achievement"
    __table_args__ = (
        UniqueConstraint("year", "person_id", "kind", "code"),
        in_codes("kind", AchievementKind),
        CheckConstraint("score_h IS NULL OR score_h >= 0", name="score"),
        Index("ix_candidate_achievement_person", "person_id"),
    )

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(code_column_type(AchievementKind))
    code: Mapped[str] = mapped_column(String(30))  # certificate or award code (codes.py)
    score_h: Mapped[int | None] = mapped_column(Integer)  # a certificate's score; null: award
    detail: Mapped[str] = mapped_column(String(200), default="")  # e.g. the award's subject
    source: Mapped[str] = mapped_column(String(200))  # the issuing body
    document: Mapped[str] = mapped_column(String(100))  # certificate / decision number
    issued_on: Mapped[dt.date]


class DirectAdmission(Audited, IdMixin, TimestampMixin, Base):
    """Admission outside the matching (Art. 8): the institution decides (direct admission, or
    priority admission — admitted if the score reaches the offer's floor); the candidate accepts
    or declines before the wish window closes. An accepted one takes its seat out of the offer's
    quota before the round's matching, and the candidate leaves the matching."""

    __tablename__ = "direct_admission"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
        ),
        UniqueConstraint("year", "person_id", "institution_id", "offer_id"),
        in_codes("path", AdmissionPath),
        in_codes("status", PathStatus),
        Index("ix_direct_admission_offer", "institution_id", "offer_id"),
        Index("ix_direct_admission_person", "person_id"),
    )

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    institution_id: Mapped[int] = mapped_column(BigInteger)
    offer_id: Mapped[int] = mapped_column(BigInteger)
    path: Mapped[str] = mapped_column(code_column_type(AdmissionPath))
    basis: Mapped[str] = mapped_column(String(300))  # why: the article and the achievement
    status: Mapped[str] = mapped_column(
        code_column_type(PathStatus), default=PathStatus.offered.value
    )
    answered_at: Mapped[dt.datetime | None]


class Wish(Audited, IdMixin, TimestampMixin, Base):
    """A candidate's ranked wish (1 highest) for an offer."""

    __tablename__ = "wish"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
        ),
        UniqueConstraint("year", "person_id", "rank"),
        UniqueConstraint("year", "person_id", "institution_id", "offer_id"),
        CheckConstraint("rank >= 1", name="rank"),
        Index("ix_wish_offer", "institution_id", "offer_id"),
    )

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    rank: Mapped[int] = mapped_column(SmallInteger)
    institution_id: Mapped[int] = mapped_column(BigInteger)
    offer_id: Mapped[int] = mapped_column(BigInteger)


class AdmissionRound(Audited, IdMixin, Base):
    __tablename__ = "admission_round"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        in_codes("kind", RoundKind),
        in_codes("status", RoundStatus),
        in_codes("tie_policy", TiePolicy),
    )

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(code_column_type(RoundKind))
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    tie_policy: Mapped[str] = mapped_column(code_column_type(TiePolicy))
    status: Mapped[str] = mapped_column(code_column_type(RoundStatus))
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    run_at: Mapped[dt.datetime | None]
    published_at: Mapped[dt.datetime | None]
    # Confirmation deadline of a supplementary round's admissions (a regular round's is the
    # year's `confirm_deadline_at`); set when the round is published if not given.
    confirm_deadline_at: Mapped[dt.datetime | None]


class RoundSnapshot(Base):
    """The immutable, hashed input of a round (canonical bytes, zlib-compressed)."""

    __tablename__ = "round_snapshot"

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("admission_round.id"), primary_key=True, autoincrement=False
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RoundCandidate(Base):
    """A candidate's outcome in a round, with the score of each wish considered (for the
    explanation)."""

    __tablename__ = "round_candidate"
    __table_args__ = (Index("ix_round_candidate_person", "person_id"),)

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("admission_round.id"), primary_key=True, autoincrement=False
    )
    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    institution_id: Mapped[int | None] = mapped_column(BigInteger)
    offer_id: Mapped[int | None] = mapped_column(BigInteger)
    bucket: Mapped[str | None] = mapped_column(String(12))
    rank: Mapped[int | None] = mapped_column(SmallInteger)
    score_h: Mapped[int | None] = mapped_column(Integer)
    # [[rank, round_offer_result id, score_h or null, flag, decided_by or null], ...] in rank
    # order, up to the wish held (round_results.candidate_frame)
    wishes: Mapped[list[list[Any]]] = mapped_column(JSON)
    # admitted outside the matching (direct / priority admission), null: by the matching
    path: Mapped[str | None] = mapped_column(String(12))


class RoundOfferResult(TenantMixin, Base):
    """An offer's (or one of its method buckets') outcome in a round."""

    __tablename__ = "round_offer_result"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
        ),
        UniqueConstraint("institution_id", "round_id", "offer_id", "bucket"),
        Index("ix_round_offer_result_round", "round_id"),
    )

    round_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("admission_round.id"))
    offer_id: Mapped[int] = mapped_column(BigInteger)
    bucket: Mapped[str] = mapped_column(String(12), default="")  # "" all methods, or a method
    quota: Mapped[int] = mapped_column(Integer)
    applicants: Mapped[int] = mapped_column(Integer)
    admitted: Mapped[int] = mapped_column(Integer)  # by the matching and the direct paths
    cutoff_h: Mapped[int | None] = mapped_column(Integer)
    direct: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # seats taken
    # by direct and priority admission before the matching (counted in quota and admitted)


class RoundDistribution(Base):
    """A program's score distribution in a round, published by the ministry with the round:
    per one-point band of the program's scale, applicants and admitted, small cells suppressed
    (whatif.py). Public: read only for published rounds."""

    __tablename__ = "round_distribution"
    __table_args__ = (Index("ix_round_distribution_offer", "institution_id", "offer_id"),)

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("admission_round.id"), primary_key=True, autoincrement=False
    )
    institution_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    offer_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    bucket: Mapped[str] = mapped_column(String(12), primary_key=True, default="")
    # [[low_h, applicants or null, admitted or null], ...] from the lowest non-empty band up
    bins: Mapped[list[list[Any]]] = mapped_column(JSON)


class EnrolmentConfirmation(Audited, IdMixin, Base):
    """A candidate's online confirmation of enrolment after the final round."""

    __tablename__ = "enrolment_confirmation"
    __table_args__ = (
        UniqueConstraint("year", "person_id"),
        # an institution's confirmations (its intake, intake.py)
        Index("ix_enrolment_confirmation_institution", "institution_id", "year"),
    )

    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    round_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("admission_round.id"))
    institution_id: Mapped[int] = mapped_column(BigInteger)
    offer_id: Mapped[int] = mapped_column(BigInteger)
    bucket: Mapped[str] = mapped_column(String(12), default="")
    confirmed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LearnerAdmission(Audited, TenantMixin, TimestampMixin, Base):
    """How a learner of the registry came in through national admissions: the year, the round,
    the offer (and its method bucket), the method that counted and the score. One row per
    confirmed candidate written (or recognised) by the intake (intake.py).

    `student_code` is the code the intake allocated, null when the candidate was already a
    learner of the program under the institution's own code. While the learner still carries
    it, the institution's next learners file may give the learner its own code
    (submissions/admitted.py)."""

    __tablename__ = "learner_admission"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "learner_id"], ["learner.institution_id", "learner.id"]
        ),
        ForeignKeyConstraint(
            ["institution_id", "offer_id"],
            ["admission_offer.institution_id", "admission_offer.id"],
        ),
        UniqueConstraint("institution_id", "learner_id"),
        UniqueConstraint("institution_id", "year", "person_id"),
        in_codes("method", Method),
        CheckConstraint("score_h >= 0", name="score"),
        CheckConstraint(YEAR_CHECK, name="year"),
    )

    learner_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    year: Mapped[int] = mapped_column(ForeignKey("admission_year.year"))
    round_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("admission_round.id"))
    offer_id: Mapped[int] = mapped_column(BigInteger)
    bucket: Mapped[str] = mapped_column(String(12), default="")
    method: Mapped[str | None] = mapped_column(code_column_type(Method))
    score_h: Mapped[int] = mapped_column(Integer)
    student_code: Mapped[str | None] = mapped_column(String(30))
