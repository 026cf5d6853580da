"""The submission template of each entity, downloaded from the upload page: an .xlsx (header
row, drop-down lists, date formats and a data-dictionary sheet) or a UTF-8 CSV header, the same
files `hemis template` writes."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import Response

from hemis.errors import NotFound
from hemis.imports.entities import entities
from hemis.imports.templates import write_template
from hemis.submissions.pages import require_submitter
from hemis.web.deps import PagePrincipal

router = APIRouter(include_in_schema=False)
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def template_bytes(entity: str, fmt: str) -> bytes:
    spec = entities().get(entity)
    if spec is None or fmt not in MEDIA:
        raise NotFound("template", f"{entity[:40]}.{fmt[:8]}")
    with tempfile.TemporaryDirectory(prefix="hemis-template-") as tmp:
        path = Path(tmp) / f"{spec.name}.{fmt}"
        write_template(spec, fmt, path)
        return path.read_bytes()


@router.get("/submissions/templates/{entity}.{fmt}")
def download_template(principal: PagePrincipal, entity: str, fmt: str) -> Response:
    require_submitter(principal)
    content = template_bytes(entity, fmt)
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="hemis-{entity}.{fmt}"'},
    )
