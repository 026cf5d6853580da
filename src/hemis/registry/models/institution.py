"""Institutions, their campuses, facilities and yearly resource summaries."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, synonym

from hemis.db.base import Base, IdMixin, Tenanted, TenantMixin, TimestampMixin, Versioned
from hemis.registry.codes import FacilityKind, InstitutionStatus, InstitutionType, Ownership
from hemis.registry.models._common import code_column_type, in_codes


class Institution(Versioned, IdMixin, TimestampMixin, Tenanted, Base):
    """A higher-education institution; the tenant itself (its id is every tenant row's key)."""

    __tablename__ = "institution"
    __table_args__ = (
        in_codes("type", InstitutionType),
        in_codes("ownership", Ownership),
        in_codes("status", InstitutionStatus),
    )

    moet_code: Mapped[str] = mapped_column(String(10), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    type: Mapped[str] = mapped_column(code_column_type(InstitutionType))
    ownership: Mapped[str] = mapped_column(code_column_type(Ownership))
    governing_body: Mapped[str] = mapped_column(String(200))
    # Current province (34-generation, from 1 Jul 2025) and the historical one (63-generation).
    province_code: Mapped[str] = mapped_column(String(3))
    province_code_63: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(
        code_column_type(InstitutionStatus), default=InstitutionStatus.active.value
    )
    trains_doctorates: Mapped[bool] = mapped_column(Boolean, default=False)
    specialised: Mapped[bool] = mapped_column(Boolean, default=False)
    established_on: Mapped[dt.date | None]
    website: Mapped[str | None] = mapped_column(String(200))

    institution_id = synonym("id")


class Campus(Versioned, TenantMixin, TimestampMixin, Base):
    __tablename__ = "campus"
    __table_args__ = (
        UniqueConstraint("institution_id", "code"),
        CheckConstraint("land_area_m2 >= 0 AND floor_area_m2 >= 0", name="areas"),
    )

    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    province_code: Mapped[str] = mapped_column(String(3))
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    land_area_m2: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    floor_area_m2: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))


class Facility(Versioned, TenantMixin, TimestampMixin, Base):
    """Rooms of one kind on one campus: how many, their floor area and seats."""

    __tablename__ = "facility"
    __table_args__ = (
        ForeignKeyConstraint(
            ["institution_id", "campus_id"], ["campus.institution_id", "campus.id"]
        ),
        UniqueConstraint("institution_id", "campus_id", "kind"),
        in_codes("kind", FacilityKind),
        CheckConstraint("room_count >= 0 AND floor_area_m2 >= 0 AND seats >= 0", name="counts"),
    )

    campus_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(code_column_type(FacilityKind))
    building_count: Mapped[int] = mapped_column(Integer, default=0)
    room_count: Mapped[int] = mapped_column(Integer)
    floor_area_m2: Mapped[float] = mapped_column(Numeric(14, 2, asdecimal=False))
    seats: Mapped[int] = mapped_column(Integer, default=0)


class ResourceSummary(Versioned, TenantMixin, TimestampMixin, Base):
    """Per institution and year: lecturer workspaces, library and IT."""

    __tablename__ = "resource_summary"
    __table_args__ = (
        UniqueConstraint("institution_id", "year"),
        CheckConstraint(
            "lecturer_workspaces >= 0 AND library_titles >= 0 AND library_ebooks >= 0 "
            "AND computers >= 0 AND bandwidth_mbps >= 0",
            name="non_negative",
        ),
    )

    year: Mapped[int] = mapped_column(Integer)
    lecturer_workspaces: Mapped[int] = mapped_column(Integer)
    library_titles: Mapped[int] = mapped_column(Integer)
    library_ebooks: Mapped[int] = mapped_column(Integer)
    online_databases: Mapped[int] = mapped_column(Integer, default=0)
    computers: Mapped[int] = mapped_column(Integer)
    bandwidth_mbps: Mapped[int] = mapped_column(Integer)
