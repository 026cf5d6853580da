"""What the portal pages of every domain share: the candidate's two sessions (their own records
and the published catalogue), times in Vietnam and the lines a refused action shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.admissions import access
from hemis.db.session import HemisSession, scoped_session
from hemis.db.versions import STALE_FORM
from hemis.errors import Forbidden, HemisError, PreconditionFailed
from hemis.web import formats
from hemis.web.deps import Context, PagePrincipal, get_lang


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


def local_time(moment: dt.datetime | None) -> str:
    return formats.date_time(moment)


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
