"""Learner enrolments with their status history, term results and awards."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Audited, Base, BulkTimestampMixin, TenantMixin
from hemis.registry.codes import Classification, FundingSource, LearnerStatus, StudyMode
from hemis.registry.models._common import code_column_type, in_codes


class Learner(Audited, TenantMixin, BulkTimestampMixin, Base):
    """One enrolment of a person in a program; `status` mirrors the latest status event."""

    __tablename__ = "learner"
    __table_args__ = (
        UniqueConstraint("institution_id", "student_code"),
        ForeignKeyConstraint(
            ["institution_id", "program_id"], ["program.institution_id", "program.id"]
        ),
        in_codes("study_mode", StudyMode),
        in_codes("funding_source", FundingSource),
        in_codes("status", LearnerStatus),
        CheckConstraint("cohort_year BETWEEN 1950 AND 2100", name="cohort_year"),
        CheckConstraint("gpa >= 0 AND gpa <= 4", name="gpa_scale"),
        CheckConstraint("credits_earned >= 0", name="credits"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"), index=True)
    program_id: Mapped[int] = mapped_column(BigInteger)
    student_code: Mapped[str] = mapped_column(String(30))
    cohort_year: Mapped[int] = mapped_column(SmallInteger)
    study_mode: Mapped[str] = mapped_column(code_column_type(StudyMode))
    funding_source: Mapped[str] = mapped_column(code_column_type(FundingSource))
    admitted_on: Mapped[dt.date]
    status: Mapped[str] = mapped_column(code_column_type(LearnerStatus))
    status_date: Mapped[dt.date]
    # As the institution reports them in its learners file (cumulative, 0–4 scale); the award
    # itself, with its classification, comes in the awards file.
    gpa: Mapped[float | None] = mapped_column(Numeric(3, 2, asdecimal=False))
    credits_earned: Mapped[int | None] = mapped_column(Integer)
    graduated_on: Mapped[dt.date | None]
    diploma_number: Mapped[str | None] = mapped_column(String(40))


class LearnerStatusEvent(Audited, TenantMixin, Base):
    __tablename__ = "learner_status_event"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "learner_id"], ["learner.institution_id", "learner.id"]
        ),
        in_codes("status", LearnerStatus),
    )

    learner_id: Mapped[int] = mapped_column(BigInteger, index=True)
    status: Mapped[str] = mapped_column(code_column_type(LearnerStatus))
    effective_on: Mapped[dt.date]
    reason: Mapped[str | None] = mapped_column(Text)


class TermResult(Audited, TenantMixin, Base):
    __tablename__ = "term_result"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "learner_id"], ["learner.institution_id", "learner.id"]
        ),
        UniqueConstraint("institution_id", "learner_id", "academic_year", "term"),
        CheckConstraint("gpa >= 0 AND gpa <= 4", name="gpa_scale"),
        CheckConstraint("credits_earned >= 0", name="credits"),
        CheckConstraint("term BETWEEN 1 AND 3", name="term"),
    )

    learner_id: Mapped[int] = mapped_column(BigInteger)
    academic_year: Mapped[int] = mapped_column(SmallInteger)
    term: Mapped[int] = mapped_column(SmallInteger)
    gpa: Mapped[float] = mapped_column(Numeric(3, 2, asdecimal=False))
    credits_earned: Mapped[int] = mapped_column(Integer)


class Award(Audited, TenantMixin, Base):
    __tablename__ = "award"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "learner_id"], ["learner.institution_id", "learner.id"]
        ),
        UniqueConstraint("institution_id", "diploma_number"),
        UniqueConstraint("institution_id", "learner_id"),
        in_codes("classification", Classification),
    )

    learner_id: Mapped[int] = mapped_column(BigInteger)
    diploma_number: Mapped[str] = mapped_column(String(40))
    awarded_on: Mapped[dt.date]
    classification: Mapped[str] = mapped_column(code_column_type(Classification))
