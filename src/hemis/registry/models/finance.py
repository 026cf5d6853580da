"""Finance per institution and fiscal year (Circular 09/2024 taxonomy) and assets. Money in đồng."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Base, TenantMixin, TimestampMixin, Versioned
from hemis.registry.codes import Activity, AssetCategory, ExpenditureCategory, RevenueSource
from hemis.registry.models._common import code_column_type, in_codes


class Revenue(Versioned, TenantMixin, TimestampMixin, Base):
    __tablename__ = "revenue"
    __table_args__ = (
        UniqueConstraint("institution_id", "fiscal_year", "source", "activity"),
        in_codes("source", RevenueSource),
        in_codes("activity", Activity),
        CheckConstraint("amount_vnd >= 0", name="amount"),
    )

    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(code_column_type(RevenueSource))
    activity: Mapped[str] = mapped_column(code_column_type(Activity))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)


class Expenditure(Versioned, TenantMixin, TimestampMixin, Base):
    __tablename__ = "expenditure"
    __table_args__ = (
        UniqueConstraint("institution_id", "fiscal_year", "category"),
        in_codes("category", ExpenditureCategory),
        CheckConstraint("amount_vnd >= 0", name="amount"),
    )

    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    category: Mapped[str] = mapped_column(code_column_type(ExpenditureCategory))
    amount_vnd: Mapped[int] = mapped_column(BigInteger)


class Asset(Versioned, TenantMixin, TimestampMixin, Base):
    __tablename__ = "asset"
    __table_args__ = (
        in_codes("category", AssetCategory),
        CheckConstraint("value_vnd >= 0", name="value"),
    )

    category: Mapped[str] = mapped_column(code_column_type(AssetCategory))
    description: Mapped[str] = mapped_column(String(300))
    acquired_on: Mapped[dt.date]
    value_vnd: Mapped[int] = mapped_column(BigInteger)
