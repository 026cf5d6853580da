"""REST API of an institution's finance (Circular 09/2024 taxonomy) and assets. Money in đồng.

Included by registry/api.py, which adds the /api/v1 prefix and the access check.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from hemis.registry import service, service_units
from hemis.registry.api_deps import PathId
from hemis.registry.models import Asset, Expenditure, Revenue
from hemis.registry.schemas_finance import (
    AssetCreate,
    AssetQuery,
    AssetRead,
    AssetUpdate,
    ExpenditureCreate,
    ExpenditureQuery,
    ExpenditureRead,
    ExpenditureUpdate,
    RevenueCreate,
    RevenueQuery,
    RevenueRead,
    RevenueUpdate,
)
from hemis.web.crud import Page, page_of, paginate
from hemis.web.deps import DB

router = APIRouter()
CREATED = status.HTTP_201_CREATED


@router.get("/revenues", tags=["finance"])
def list_revenues(db: DB, q: Annotated[RevenueQuery, Query()]) -> Page[RevenueRead]:
    return page_of(*paginate(db, Revenue, q), RevenueRead)


@router.get("/revenues/{revenue_id}", tags=["finance"])
def read_revenue(db: DB, revenue_id: PathId) -> RevenueRead:
    return RevenueRead.model_validate(service.get_row(db, Revenue, revenue_id))


@router.post("/revenues", tags=["finance"], status_code=CREATED)
def create_revenue(db: DB, body: RevenueCreate) -> RevenueRead:
    return RevenueRead.model_validate(service_units.create_revenue(db, body))


@router.patch("/revenues/{revenue_id}", tags=["finance"])
def update_revenue(db: DB, revenue_id: PathId, body: RevenueUpdate) -> RevenueRead:
    return RevenueRead.model_validate(service_units.update_revenue(db, revenue_id, body))


@router.get("/expenditures", tags=["finance"])
def list_expenditures(db: DB, q: Annotated[ExpenditureQuery, Query()]) -> Page[ExpenditureRead]:
    return page_of(*paginate(db, Expenditure, q), ExpenditureRead)


@router.get("/expenditures/{expenditure_id}", tags=["finance"])
def read_expenditure(db: DB, expenditure_id: PathId) -> ExpenditureRead:
    return ExpenditureRead.model_validate(service.get_row(db, Expenditure, expenditure_id))


@router.post("/expenditures", tags=["finance"], status_code=CREATED)
def create_expenditure(db: DB, body: ExpenditureCreate) -> ExpenditureRead:
    return ExpenditureRead.model_validate(service_units.create_expenditure(db, body))


@router.patch("/expenditures/{expenditure_id}", tags=["finance"])
def update_expenditure(db: DB, expenditure_id: PathId, body: ExpenditureUpdate) -> ExpenditureRead:
    return ExpenditureRead.model_validate(
        service_units.update_expenditure(db, expenditure_id, body)
    )


@router.get("/assets", tags=["assets"])
def list_assets(db: DB, q: Annotated[AssetQuery, Query()]) -> Page[AssetRead]:
    return page_of(*paginate(db, Asset, q), AssetRead)


@router.get("/assets/{asset_id}", tags=["assets"])
def read_asset(db: DB, asset_id: PathId) -> AssetRead:
    return AssetRead.model_validate(service.get_row(db, Asset, asset_id))


@router.post("/assets", tags=["assets"], status_code=CREATED)
def create_asset(db: DB, body: AssetCreate) -> AssetRead:
    return AssetRead.model_validate(service_units.create_asset(db, body))


@router.patch("/assets/{asset_id}", tags=["assets"])
def update_asset(db: DB, asset_id: PathId, body: AssetUpdate) -> AssetRead:
    return AssetRead.model_validate(service_units.update_asset(db, asset_id, body))
