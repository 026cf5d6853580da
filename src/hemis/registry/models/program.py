"""Training programs offered by an institution."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Base, TenantMixin, TimestampMixin, Versioned
from hemis.registry.codes import AccreditationStatus, Level, ProgramStatus, StudyMode
from hemis.registry.models._common import code_column_type, in_codes


class Program(Versioned, TenantMixin, TimestampMixin, Base):
    __tablename__ = "program"
    __table_args__ = (
        UniqueConstraint("institution_id", "code"),
        in_codes("level", Level),
        in_codes("mode", StudyMode),
        in_codes("accreditation_status", AccreditationStatus),
        in_codes("status", ProgramStatus),
        CheckConstraint("credits > 0 AND duration_years > 0 AND annual_quota >= 0", name="sizes"),
    )

    discipline_code: Mapped[str] = mapped_column(ForeignKey("discipline.code"), index=True)
    code: Mapped[str] = mapped_column(String(30))
    name_vi: Mapped[str] = mapped_column(String(250))
    name_en: Mapped[str | None] = mapped_column(String(250))
    level: Mapped[str] = mapped_column(code_column_type(Level))
    mode: Mapped[str] = mapped_column(code_column_type(StudyMode))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    credits: Mapped[int] = mapped_column(Integer)
    duration_years: Mapped[float] = mapped_column(Numeric(3, 1, asdecimal=False))
    accreditation_status: Mapped[str] = mapped_column(
        code_column_type(AccreditationStatus), default=AccreditationStatus.none.value
    )
    accredited_on: Mapped[dt.date | None]
    opened_on: Mapped[dt.date]
    annual_quota: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(
        code_column_type(ProgramStatus), default=ProgramStatus.open.value
    )
