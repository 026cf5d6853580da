"""REST API of the indicators under /api/v1/indicators: definitions, stored results (an officer
gets their own institution's only), an institution's results with drill-down to the records,
national figures (ministry), the public open-data tables, and file exports."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlalchemy import select

from hemis.errors import NotFound
from hemis.indicators import drill as drills
from hemis.indicators import exports, opendata, overview, queries
from hemis.indicators.definitions import DEFINITIONS
from hemis.indicators.models import IndicatorResult
from hemis.indicators.schemas import DefinitionRead, DrillRead, InstitutionResults, ResultRead
from hemis.web.api_deps import ERROR_RESPONSES, MinistryOnly, PathId, RegistryAccess
from hemis.web.deps import DB

router = APIRouter(
    prefix="/api/v1/indicators",
    tags=["indicators"],
    dependencies=[RegistryAccess],
    responses=ERROR_RESPONSES,
)
Year = Annotated[int | None, Query(ge=2000, le=2100, description="Default: the latest computed")]


def _year(db: DB, year: int | None) -> int:
    chosen = queries.latest_year(db, year)
    if chosen is None:
        raise NotFound("indicator results")
    return chosen


@router.get("/definitions")
def definitions() -> dict[str, list[DefinitionRead]]:
    """Every indicator: formula, numerator and denominator, thresholds with effective years,
    and whether each threshold was verified against the Circular's text."""
    return {"items": [DefinitionRead.of(d, list(drills.parts_of(d.id))) for d in DEFINITIONS]}


@router.get("/results")
def results(
    db: DB,
    year: Year = None,
    indicator_id: Annotated[str | None, Query(max_length=40)] = None,
    institution_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=20_000)] = 1000,
) -> dict[str, Any]:
    """Stored results of a year (the caller's institution only, for an officer)."""
    chosen = _year(db, year)
    stmt = select(IndicatorResult).where(IndicatorResult.year == chosen)
    if indicator_id:
        stmt = stmt.where(IndicatorResult.indicator_id == indicator_id)
    if institution_id:
        stmt = stmt.where(IndicatorResult.institution_id == institution_id)
    stmt = stmt.order_by(IndicatorResult.institution_id, IndicatorResult.indicator_id).limit(limit)
    return {"year": chosen, "items": [ResultRead.model_validate(r) for r in db.scalars(stmt)]}


@router.get("/institutions/{institution_id}")
def institution(db: DB, institution_id: PathId, year: Year = None) -> InstitutionResults:
    inst = queries.get_institution(db, institution_id)
    chosen = _year(db, year)
    items = queries.institution_results(db, inst.id, chosen)
    return InstitutionResults(
        institution_id=inst.id,
        moet_code=inst.moet_code,
        name_vi=inst.name_vi,
        year=chosen,
        items=[ResultRead.model_validate(r) for r in items],
    )


@router.get("/institutions/{institution_id}/drill/{indicator_id}/{part}")
def drill(
    db: DB,
    institution_id: PathId,
    indicator_id: Annotated[str, Path(max_length=40)],
    part: Annotated[str, Path(max_length=12)],
    year: Year = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> DrillRead:
    """The records behind a numerator or a denominator (50 a page; no national IDs)."""
    inst = queries.get_institution(db, institution_id)
    found = drills.drill(db, inst.id, indicator_id, part, _year(db, year), page)
    return DrillRead(
        indicator_id=found.indicator_id,
        part=found.part,
        family=found.family,
        columns=[c for c, _, _ in found.columns],
        items=found.rows,
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


@router.get("/national", dependencies=[MinistryOnly])
def national(db: DB, year: Year = None) -> dict[str, Any]:
    """National indicators of a year (enrolment, graduates, staff, parity, GER, trends)."""
    view = overview.national(db, _year(db, year))
    return json.loads(json.dumps(view, default=lambda o: vars(o)))  # type: ignore[no-any-return]


@router.get("/open-data")
def open_data(db: DB, year: Year = None) -> dict[str, Any]:
    """The public tables: national counts only, no cell under 5 persons (complementary cells
    hidden too, so no hidden cell can be worked out from the totals)."""
    chosen = _year(db, year)
    return {"year": chosen, "tables": [t.as_dict() for t in opendata.open_tables(db, chosen)]}


# What the export answers, by format: the files as bytes, the JSON form as its shape.
EXPORT_CONTENT: dict[str, Any] = {
    media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
    for fmt, media in exports.FORMATS.items()
    if fmt != "json"
} | {
    "application/json": {
        "schema": {
            "type": "object",
            "properties": {
                "year": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object"}},
            },
            "required": ["year", "items"],
        }
    }
}


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"description": "The results as a file.", "content": EXPORT_CONTENT}},
)
def export(
    db: DB,
    year: Year = None,
    fmt: Annotated[
        str, Query(alias="format", max_length=8, json_schema_extra={"enum": list(exports.FORMATS)})
    ] = "xlsx",
    province: Annotated[str, Query(max_length=3, description="Only this province")] = "",
    ownership: Annotated[str, Query(max_length=20, description="Only this ownership")] = "",
    status: Annotated[
        str,
        Query(
            pattern="^(|pass|fail|unknown)$",
            description="Only institutions with a criterion of this status",
        ),
    ] = "",
    sort: Annotated[
        str, Query(max_length=40, description="name, code, province, fail or an indicator id")
    ] = "name",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
) -> Response:
    """The compliance results as xlsx (Vietnamese headers), csv, parquet or json: the matrix
    the compliance page shows, with the same filters and order."""
    exports.check_format(fmt)
    chosen = _year(db, year)
    rows = queries.matrix(db, chosen, province, ownership, status, sort, order == "desc")
    content = exports.to_bytes(
        exports.long_frame(rows, chosen), fmt, rows, chosen, queries.provinces(db)
    )
    name = f"hemis-chi-so-{chosen}.{fmt}"
    return Response(
        content,
        media_type=exports.FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
