"""Indicator tables: per-institution results (a tenant table), the national cube that the
overview and province pages read, and the population-by-age table of the enrolment ratio."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Base, IdMixin, TenantMixin
from hemis.db.types import utcnow

STATUSES = ("pass", "fail", "unknown", "na", "info")


class IndicatorResult(TenantMixin, Base):
    """One indicator of one institution for one year, under one definition version.

    Recomputing a year replaces that year's rows of the same definition version; rows of older
    versions stay, so a published figure can always be traced to the definition it used.
    """

    __tablename__ = "indicator_result"
    __table_args__ = (
        UniqueConstraint(
            "institution_id",
            "indicator_id",
            "definition_version",
            "year",
            name="uq_indicator_result_key",
        ),
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_code"
        ),
    )

    indicator_id: Mapped[str] = mapped_column(String(40), index=True)
    definition_version: Mapped[int] = mapped_column(SmallInteger)
    year: Mapped[int] = mapped_column(SmallInteger, index=True)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(7))
    reason_vi: Mapped[str | None] = mapped_column(Text)
    reason_en: Mapped[str | None] = mapped_column(Text)
    threshold_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IndicatorCube(IdMixin, Base):
    """National counts at the finest grain the overview needs (a few thousand rows a year):
    learners enrolled at the cut-off, graduates of the year, staff. Not tenant data: every cell
    sums many institutions' rows (the pages and the open-data export aggregate further)."""

    __tablename__ = "indicator_cube"

    year: Mapped[int] = mapped_column(SmallInteger, index=True)
    measure: Mapped[str] = mapped_column(String(20))  # enrolled, graduates, staff, lecturers
    level: Mapped[str] = mapped_column(String(20), default="")
    field_code: Mapped[str] = mapped_column(String(3), default="")
    isced_code: Mapped[str] = mapped_column(String(4), default="")
    province_code: Mapped[str] = mapped_column(String(3), default="")
    region: Mapped[str] = mapped_column(String(40), default="")
    ownership: Mapped[str] = mapped_column(String(20), default="")
    sex: Mapped[str] = mapped_column(String(6), default="")
    degree: Mapped[str] = mapped_column(String(20), default="")
    title: Mapped[str] = mapped_column(String(20), default="")
    count: Mapped[int] = mapped_column(BigInteger)
    fte: Mapped[float] = mapped_column(Float, default=0.0)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class PopulationByAge(Base):
    """Population of one age and sex in one year (loaded from a CSV with `hemis indicators
    load-population`); the denominator of the tertiary gross enrolment ratio."""

    __tablename__ = "population_by_age"
    __table_args__ = (
        CheckConstraint("age >= 0 AND age <= 120", name="age"),
        CheckConstraint("population >= 0", name="population"),
        CheckConstraint("sex IN ('male', 'female', 'total')", name="sex_code"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    age: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    sex: Mapped[str] = mapped_column(String(6), primary_key=True)
    population: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(300))
