"""Shapes of the registry API for finance (Circular 09/2024 taxonomy) and assets. Money is in
integer đồng."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import ConfigDict

from hemis.registry.codes import Activity, AssetCategory, ExpenditureCategory, RevenueSource
from hemis.registry.schemas import (
    Id,
    IsoDate,
    Money,
    Stamped,
    TenantRead,
    TenantRef,
    Text300,
    UpdateSchema,
    VersionedRead,
    Year,
)
from hemis.web.crud import ListQuery

# --- finance and assets -----------------------------------------------------------------------


class RevenueCreate(TenantRef):
    fiscal_year: Year
    source: RevenueSource
    activity: Activity
    amount_vnd: Money

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "fiscal_year": 2024,
                    "source": "tuition_fees",
                    "activity": "training",
                    "amount_vnd": 120_000_000_000,
                }
            ]
        }
    )


class RevenueUpdate(UpdateSchema):
    fiscal_year: Year | None = None
    source: RevenueSource | None = None
    activity: Activity | None = None
    amount_vnd: Money | None = None


class RevenueRead(TenantRead, Stamped, VersionedRead):
    fiscal_year: int
    source: RevenueSource
    activity: Activity
    amount_vnd: int


class RevenueQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {
        "id": "id",
        "fiscal_year": "fiscal_year",
        "amount_vnd": "amount_vnd",
    }

    institution_id: Id | None = None
    fiscal_year: Year | None = None
    source: RevenueSource | None = None
    activity: Activity | None = None


class ExpenditureCreate(TenantRef):
    fiscal_year: Year
    category: ExpenditureCategory
    amount_vnd: Money

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"fiscal_year": 2024, "category": "salaries", "amount_vnd": 80_000_000_000}
            ]
        }
    )


class ExpenditureUpdate(UpdateSchema):
    fiscal_year: Year | None = None
    category: ExpenditureCategory | None = None
    amount_vnd: Money | None = None


class ExpenditureRead(TenantRead, Stamped, VersionedRead):
    fiscal_year: int
    category: ExpenditureCategory
    amount_vnd: int


class ExpenditureQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {
        "id": "id",
        "fiscal_year": "fiscal_year",
        "amount_vnd": "amount_vnd",
    }

    institution_id: Id | None = None
    fiscal_year: Year | None = None
    category: ExpenditureCategory | None = None


class AssetCreate(TenantRef):
    category: AssetCategory
    description: Text300
    acquired_on: IsoDate
    value_vnd: Money

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "equipment",
                    "description": "Kính hiển vi điện tử",
                    "acquired_on": "2023-03-15",
                    "value_vnd": 4_500_000_000,
                }
            ]
        }
    )


class AssetUpdate(UpdateSchema):
    category: AssetCategory | None = None
    description: Text300 | None = None
    acquired_on: IsoDate | None = None
    value_vnd: Money | None = None


class AssetRead(TenantRead, Stamped, VersionedRead):
    category: AssetCategory
    description: str
    acquired_on: dt.date
    value_vnd: int


class AssetQuery(ListQuery):
    sort_fields: ClassVar[dict[str, str]] = {
        "id": "id",
        "acquired_on": "acquired_on",
        "value_vnd": "value_vnd",
    }

    institution_id: Id | None = None
    category: AssetCategory | None = None
    acquired_on: IsoDate | None = None
