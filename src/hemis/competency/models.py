"""Tables of the digital competency domain.

National reference (every institution reads the same rows, loaded from competency/data by
reference.py): the framework's versions, domains, competencies and levels. Tenant data, keyed
by institution like the registry: each program's targets and each learner's assessed levels.
An assessment row is one sitting of one learner (a date, a method, an evidence reference) with
the levels it gave, one character per competency position ('0' = not assessed in that sitting):
72 M levels of a nation fit in 3 M rows. Also here: learners' self-assessments (never counted),
the credentials issued from a profile, and the national cube of competency indicators.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.competency.codes import AssessmentMethod
from hemis.db.base import (
    Audited,
    Base,
    BulkTimestampMixin,
    IdMixin,
    TenantMixin,
    TimestampMixin,
)
from hemis.db.types import utcnow
from hemis.registry.models._common import code_column_type, in_codes

__all__ = [
    "Competency",
    "CompetencyAssessment",
    "CompetencyCredential",
    "CompetencyDomain",
    "CompetencyFramework",
    "CompetencyIndicator",
    "CompetencyLevel",
    "CompetencySelfAssessment",
    "ProgramCompetencyTarget",
]
LEVEL_RANGE = "BETWEEN 1 AND 8"


class CompetencyFramework(Base):
    """One version of the framework (Circular 02/2025/TT-BGDĐT is `TT02-2025`)."""

    __tablename__ = "competency_framework"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[dt.date]
    in_force_from: Mapped[dt.date]


class CompetencyDomain(Base):
    __tablename__ = "competency_domain"

    framework_version: Mapped[str] = mapped_column(
        ForeignKey("competency_framework.version"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))


class Competency(Base):
    """A component competency; `position` is its place in a stored assessment's levels."""

    __tablename__ = "competency"
    __table_args__ = (
        ForeignKeyConstraint(
            ["framework_version", "domain_code"],
            ["competency_domain.framework_version", "competency_domain.code"],
        ),
        UniqueConstraint("framework_version", "position"),
    )

    framework_version: Mapped[str] = mapped_column(
        ForeignKey("competency_framework.version"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    domain_code: Mapped[str] = mapped_column(String(2))
    position: Mapped[int] = mapped_column(SmallInteger)
    name_vi: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    digcomp_equivalent: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)


class CompetencyLevel(Base):
    __tablename__ = "competency_level"
    __table_args__ = (CheckConstraint(f"level {LEVEL_RANGE}", name="level_range"),)

    framework_version: Mapped[str] = mapped_column(
        ForeignKey("competency_framework.version"), primary_key=True
    )
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    code: Mapped[str] = mapped_column(String(3))
    code_inferred: Mapped[bool] = mapped_column(Boolean)
    tier_code: Mapped[str] = mapped_column(String(2))
    tier_name_vi: Mapped[str] = mapped_column(String(50))
    tier_name_en: Mapped[str] = mapped_column(String(80))
    description_vi: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)


class ProgramCompetencyTarget(TenantMixin, TimestampMixin, Base):
    """The level a program targets in one competency (its learning outcomes against the
    framework), as the institution's `competency_targets` file declares it."""

    __tablename__ = "program_competency_target"
    __table_args__ = (
        UniqueConstraint("institution_id", "program_id", "competency_code"),
        ForeignKeyConstraint(
            ["institution_id", "program_id"], ["program.institution_id", "program.id"]
        ),
        ForeignKeyConstraint(
            ["framework_version", "competency_code"],
            ["competency.framework_version", "competency.code"],
        ),
        CheckConstraint(f"level {LEVEL_RANGE}", name="level_range"),
    )

    program_id: Mapped[int] = mapped_column(BigInteger)
    framework_version: Mapped[str] = mapped_column(String(20))
    competency_code: Mapped[str] = mapped_column(String(4))
    level: Mapped[int] = mapped_column(SmallInteger)


class CompetencyAssessment(TenantMixin, BulkTimestampMixin, Base):
    """One sitting of one learner: the levels it assessed, one character per competency
    position of the framework version ('0' = not assessed here, '1'–'8' = the level)."""

    __tablename__ = "competency_assessment"
    __table_args__ = (
        # (institution, learner) leads: a learner's profile reads one short range of it.
        UniqueConstraint("institution_id", "learner_id", "assessed_on", "method", "evidence_ref"),
        ForeignKeyConstraint(
            ["institution_id", "learner_id"], ["learner.institution_id", "learner.id"]
        ),
        in_codes("method", AssessmentMethod),
    )

    learner_id: Mapped[int] = mapped_column(BigInteger)
    assessed_on: Mapped[dt.date]
    method: Mapped[str] = mapped_column(code_column_type(AssessmentMethod))
    # '' when the file gave none (so the unique key also holds without one).
    evidence_ref: Mapped[str] = mapped_column(String(200), default="", server_default="")
    framework_version: Mapped[str] = mapped_column(ForeignKey("competency_framework.version"))
    levels: Mapped[str] = mapped_column(String(32))


class CompetencySelfAssessment(IdMixin, Base):
    """A learner's answers to the self-assessment questionnaire of one competency and the level
    band they score to. Always shown as "self-assessed"; never counted as an assessed level."""

    __tablename__ = "competency_self_assessment"
    __table_args__ = (
        CheckConstraint(f"band_low {LEVEL_RANGE}", name="band_low"),
        CheckConstraint(f"band_high {LEVEL_RANGE}", name="band_high"),
        CheckConstraint("band_low <= band_high", name="band_order"),
        Index("ix_competency_self_assessment_person", "person_id", "competency_code"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    framework_version: Mapped[str] = mapped_column(String(20))
    competency_code: Mapped[str] = mapped_column(String(4))
    answers: Mapped[str] = mapped_column(String(20))  # one digit per question
    score: Mapped[int] = mapped_column(SmallInteger)
    band_low: Mapped[int] = mapped_column(SmallInteger)
    band_high: Mapped[int] = mapped_column(SmallInteger)
    taken_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CompetencyCredential(Audited, TenantMixin, Base):
    """A signed credential of a learner's profile (W3C VC 2.0 / Open Badges 3.0), kept as issued
    so that it can be downloaded again; its place in the revocation status list is
    (status_list, status_index)."""

    __tablename__ = "competency_credential"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "learner_id"], ["learner.institution_id", "learner.id"]
        ),
        UniqueConstraint("status_list", "status_index"),
        UniqueConstraint("credential_uuid"),
        Index("ix_competency_credential_person", "person_id"),
    )

    learner_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"))
    credential_uuid: Mapped[str] = mapped_column(String(36))
    status_list: Mapped[int] = mapped_column(Integer)
    status_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime]
    valid_from: Mapped[dt.datetime]
    valid_until: Mapped[dt.datetime]
    document: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(80))
    revoked_reason: Mapped[str | None] = mapped_column(String(500))


class CompetencyIndicator(IdMixin, Base):
    """National cube of the competency indicators of a year, at the grain of (population,
    institution, field, sex) × (a competency or a domain); region is the institution's. Counts
    of learners whose program targets the competency, assessed, at or above the target, below
    it, and the sum of the levels missing below it. Pages and open data sum it further."""

    __tablename__ = "competency_indicator"
    __table_args__ = (
        Index("ix_competency_indicator_year", "year", "population", "scope"),
        CheckConstraint("population IN ('learners', 'graduates')", name="population"),
        CheckConstraint("scope IN ('competency', 'domain')", name="scope"),
    )

    year: Mapped[int] = mapped_column(SmallInteger)
    framework_version: Mapped[str] = mapped_column(String(20))
    population: Mapped[str] = mapped_column(String(10))
    institution_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("institution.id"))
    field_code: Mapped[str] = mapped_column(String(3), default="")
    region: Mapped[str] = mapped_column(String(40), default="")
    sex: Mapped[str] = mapped_column(String(6), default="")
    scope: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(4))
    with_target: Mapped[int] = mapped_column(Integer)
    assessed: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    below: Mapped[int] = mapped_column(Integer)
    gap_sum: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
