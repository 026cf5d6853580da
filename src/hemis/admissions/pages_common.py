"""What the admissions pages share: the candidate's two sessions, the current year, template
helpers (labels, scores, Vietnamese times) and rendering a refused form with its message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.admissions import access
from hemis.admissions.codes import label
from hemis.admissions.models import AdmissionYear
from hemis.admissions.rules import from_h
from hemis.db.session import HemisSession, scoped_session
from hemis.db.versions import STALE_FORM
from hemis.errors import Forbidden, HemisError, PreconditionFailed
from hemis.web import formats
from hemis.web.deps import Context, PagePrincipal, get_lang
from hemis.web.templating import render


@dataclass(frozen=True)
class CandidateSessions:
    principal: Principal
    own: HemisSession  # the candidate's own records (writable, institution 0, own person only)
    catalogue: HemisSession  # the published offer catalogue (read-only, national)
    person_id: int


def candidate_sessions(ctx: Context, principal: PagePrincipal) -> Iterator[CandidateSessions]:
    if principal.role is not Role.candidate:
        raise Forbidden("Trang này dành cho thí sinh.", "This page is for candidates.")
    with (
        scoped_session(ctx.sessions, access.own_scope(principal)) as own,
        scoped_session(ctx.sessions, access.catalogue_scope(principal)) as catalogue,
    ):
        person_id = access.bind_candidate(own, principal)
        yield CandidateSessions(principal, own, catalogue, person_id)


Candidate = Annotated[CandidateSessions, Depends(candidate_sessions)]


def current_year(session: Session) -> int | None:
    """The latest admission year."""
    year = session.scalar(select(func.max(AdmissionYear.year)))
    return int(year) if year is not None else None


def score_text(hundredths: int | Decimal | None, lang: str = "vi") -> str:
    """A score with two decimals in the reader's convention ("24,75"; "24.75" in English)."""
    if hundredths is None:
        return "—"
    value = hundredths if isinstance(hundredths, Decimal) else from_h(hundredths)
    return formats.number(value, 2, lang)


def local_time(moment: dt.datetime | None) -> str:
    """A moment in Vietnam's time (HH:MM dd/mm/yyyy)."""
    return formats.date_time(moment)


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> Response:
    lang = get_lang(request)
    context = {
        "code": lambda kind, value: label(kind, value, lang),
        "score": lambda value: score_text(value, lang),
        "local_time": local_time,
        **values,
    }
    return render(request, name, context, status_code=status_code)


def error_text(request: Request, exc: HemisError) -> list[str]:
    """The message of a refused action and the messages of its details, in the page language."""
    lang = get_lang(request)
    if isinstance(exc, PreconditionFailed):
        return [STALE_FORM[1] if lang == "en" else STALE_FORM[0]]
    lines = [exc.message(lang)]
    details = exc.details
    if isinstance(details, dict):
        details = details.get("problems", [])
    if isinstance(details, list):
        for item in details[:20]:
            if isinstance(item, dict) and item.get("message"):
                text = item.get("message_en") if lang == "en" else item.get("message")
                where = f"{item['row']}: " if "row" in item else ""
                lines.append(f"{where}{text}")
    return lines
