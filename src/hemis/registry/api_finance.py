"""REST API of an institution's finance (Circular 09/2024 taxonomy) and assets. Money in đồng.

Included by registry/api.py, which adds the /api/v1 prefix and the access check.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from hemis.db.rows import get_row
from hemis.registry import service_units
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
from hemis.web.api_deps import PathId
from hemis.web.crud import Page, page_of, paginate
from hemis.web.deps import DB
from hemis.web.versions import (
    VERSIONED_CREATE,
    VERSIONED_READ,
    VERSIONED_WRITE,
    IfMatch,
    tagged,
)

router = APIRouter()
CREATED = status.HTTP_201_CREATED


@router.get("/revenues", tags=["finance"])
def list_revenues(db: DB, q: Annotated[RevenueQuery, Query()]) -> Page[RevenueRead]:
    return page_of(*paginate(db, Revenue, q), RevenueRead)


@router.get("/revenues/{revenue_id}", tags=["finance"], responses=VERSIONED_READ)
def read_revenue(db: DB, revenue_id: PathId, response: Response) -> RevenueRead:
    return RevenueRead.model_validate(tagged(response, get_row(db, Revenue, revenue_id)))


@router.post("/revenues", tags=["finance"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_revenue(db: DB, body: RevenueCreate, response: Response) -> RevenueRead:
    return RevenueRead.model_validate(tagged(response, service_units.create_revenue(db, body)))


@router.patch("/revenues/{revenue_id}", tags=["finance"], responses=VERSIONED_WRITE)
def update_revenue(
    db: DB, revenue_id: PathId, body: RevenueUpdate, if_match: IfMatch, response: Response
) -> RevenueRead:
    row = service_units.update_revenue(db, revenue_id, body, if_match)
    return RevenueRead.model_validate(tagged(response, row))


@router.get("/expenditures", tags=["finance"])
def list_expenditures(db: DB, q: Annotated[ExpenditureQuery, Query()]) -> Page[ExpenditureRead]:
    return page_of(*paginate(db, Expenditure, q), ExpenditureRead)


@router.get("/expenditures/{expenditure_id}", tags=["finance"], responses=VERSIONED_READ)
def read_expenditure(db: DB, expenditure_id: PathId, response: Response) -> ExpenditureRead:
    return ExpenditureRead.model_validate(
        tagged(response, get_row(db, Expenditure, expenditure_id))
    )


@router.post("/expenditures", tags=["finance"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_expenditure(db: DB, body: ExpenditureCreate, response: Response) -> ExpenditureRead:
    return ExpenditureRead.model_validate(
        tagged(response, service_units.create_expenditure(db, body))
    )


@router.patch("/expenditures/{expenditure_id}", tags=["finance"], responses=VERSIONED_WRITE)
def update_expenditure(
    db: DB, expenditure_id: PathId, body: ExpenditureUpdate, if_match: IfMatch, response: Response
) -> ExpenditureRead:
    row = service_units.update_expenditure(db, expenditure_id, body, if_match)
    return ExpenditureRead.model_validate(tagged(response, row))


@router.get("/assets", tags=["assets"])
def list_assets(db: DB, q: Annotated[AssetQuery, Query()]) -> Page[AssetRead]:
    return page_of(*paginate(db, Asset, q), AssetRead)


@router.get("/assets/{asset_id}", tags=["assets"], responses=VERSIONED_READ)
def read_asset(db: DB, asset_id: PathId, response: Response) -> AssetRead:
    return AssetRead.model_validate(tagged(response, get_row(db, Asset, asset_id)))


@router.post("/assets", tags=["assets"], status_code=CREATED, responses=VERSIONED_CREATE)
def create_asset(db: DB, body: AssetCreate, response: Response) -> AssetRead:
    return AssetRead.model_validate(tagged(response, service_units.create_asset(db, body)))


@router.patch("/assets/{asset_id}", tags=["assets"], responses=VERSIONED_WRITE)
def update_asset(
    db: DB, asset_id: PathId, body: AssetUpdate, if_match: IfMatch, response: Response
) -> AssetRead:
    row = service_units.update_asset(db, asset_id, body, if_match)
    return AssetRead.model_validate(tagged(response, row))
