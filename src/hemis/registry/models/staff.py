"""Staff employment records and their history of changes."""

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
    Numeric,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Audited, Base, BulkTimestampMixin, TenantMixin
from hemis.registry.codes import AcademicTitle, ContractType, Degree, Position
from hemis.registry.models._common import code_column_type, in_codes


class Staff(Audited, TenantMixin, BulkTimestampMixin, Base):
    __tablename__ = "staff"
    __table_args__ = (
        UniqueConstraint("institution_id", "staff_code"),
        in_codes("position", Position),
        in_codes("contract_type", ContractType),
        in_codes("highest_degree", Degree),
        in_codes("academic_title", AcademicTitle),
        CheckConstraint("fte > 0 AND fte <= 1", name="fte"),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("person.id"), index=True)
    staff_code: Mapped[str] = mapped_column(String(30))
    unit: Mapped[str] = mapped_column(String(150))
    position: Mapped[str] = mapped_column(code_column_type(Position))
    contract_type: Mapped[str] = mapped_column(code_column_type(ContractType))
    full_time: Mapped[bool] = mapped_column(Boolean)
    permanent: Mapped[bool] = mapped_column(Boolean)
    fte: Mapped[float] = mapped_column(Numeric(3, 2, asdecimal=False))
    highest_degree: Mapped[str] = mapped_column(code_column_type(Degree))
    degree_country: Mapped[str | None] = mapped_column(String(2))
    degree_year: Mapped[int | None] = mapped_column(SmallInteger)
    academic_title: Mapped[str] = mapped_column(
        code_column_type(AcademicTitle), default=AcademicTitle.none.value
    )
    civil_servant_id: Mapped[str | None] = mapped_column(String(20))
    hired_on: Mapped[dt.date | None]


class StaffChange(Audited, TenantMixin, Base):
    """One change to a staff record: the fields before and after, on a date."""

    __tablename__ = "staff_change"
    __table_args__ = (
        ForeignKeyConstraint(["institution_id", "staff_id"], ["staff.institution_id", "staff.id"]),
    )

    staff_id: Mapped[int] = mapped_column(BigInteger, index=True)
    effective_on: Mapped[dt.date]
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
