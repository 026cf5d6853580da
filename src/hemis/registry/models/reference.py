"""National reference tables: provinces, disciplines (Circular 09/2022), ISCED-F, ethnicities,
reporting periods. Not tenant data: every institution reads the same codes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Base, IdMixin, TimestampMixin, Versioned
from hemis.registry.codes import Level
from hemis.registry.models._common import code_column_type, in_codes


class Province(Base):
    """A province in one generation of the map: 63 (until 30 Jun 2025) or 34 (Res. 202/2025)."""

    __tablename__ = "province"
    __table_args__ = (CheckConstraint("generation IN (34, 63)", name="generation"),)

    generation: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(80))
    region: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[dt.date | None]
    valid_to: Mapped[dt.date | None]


class ProvinceMerger(Base):
    """Dated mapping of a 63-generation province onto the 34-generation one it became part of."""

    __tablename__ = "province_merger"

    old_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    new_code: Mapped[str] = mapped_column(String(3))
    effective_on: Mapped[dt.date]
    source: Mapped[str] = mapped_column(String(200))


class DisciplineGroup(Base):
    """Field (lĩnh vực, 3 digits) or group (nhóm ngành, 5 digits) of the bachelor catalogue."""

    __tablename__ = "discipline_group"
    __table_args__ = (CheckConstraint("kind IN ('field', 'group')", name="kind"),)

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    kind: Mapped[str] = mapped_column(String(5))
    parent_code: Mapped[str | None] = mapped_column(String(5))
    name_vi: Mapped[str] = mapped_column(String(200))


class Discipline(Base):
    """A 7-digit discipline code of Circular 09/2022/TT-BGDĐT."""

    __tablename__ = "discipline"
    __table_args__ = (
        in_codes("level", Level),
        CheckConstraint("length(code) = 7", name="code_length"),
    )

    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(code_column_type(Level))
    field_code: Mapped[str] = mapped_column(String(2))
    group_code: Mapped[str] = mapped_column(String(2))
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date | None]
    source: Mapped[str] = mapped_column(String(300))


class IscedField(Base):
    """ISCED-F 2013 fields: broad (2 digits), narrow (3), detailed (4)."""

    __tablename__ = "isced_field"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_vi: Mapped[str | None] = mapped_column(String(200))


class DisciplineIsced(Base):
    """Versioned mapping of disciplines to ISCED-F (there is no official one; this one is ours)."""

    __tablename__ = "discipline_isced"

    mapping_version: Mapped[str] = mapped_column(String(20), primary_key=True)
    discipline_code: Mapped[str] = mapped_column(ForeignKey("discipline.code"), primary_key=True)
    isced_code: Mapped[str] = mapped_column(ForeignKey("isced_field.code"))
    valid_from: Mapped[dt.date]


class Ethnicity(Base):
    __tablename__ = "ethnicity"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(60))


class ReportingPeriod(Versioned, IdMixin, TimestampMixin, Base):
    """A national reporting period: the year and its data cut-off dates."""

    __tablename__ = "reporting_period"

    year: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    cutoff_on: Mapped[dt.date]
    finance_cutoff_on: Mapped[dt.date]
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
