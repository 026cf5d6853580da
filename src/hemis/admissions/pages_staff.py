"""Institution and ministry pages of admissions.

Institution officers: their offers of the year with quotas (editable between rounds), the
published rounds' cutoffs and admitted counts, and each offer's applicants. Ministry: round
control (create; snapshot, run, publish and verify as background jobs with a progress page) and
national statistics; analysts see it all and change nothing.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.actions import service as action_service
from hemis.actions.pages import helpers as action_helpers
from hemis.actions.rules import ACTIVE
from hemis.actions.service import ActionRunning
from hemis.actions.worker import ensure_worker
from hemis.admissions import queries_public, rounds, service_offers
from hemis.admissions.actions import ROUND_KINDS
from hemis.admissions.codes import RoundKind, TiePolicy
from hemis.admissions.models import AdmissionOffer
from hemis.admissions.pages_common import page
from hemis.admissions.queries import current_year
from hemis.admissions.schemas import OfferUpdate, RoundCreate
from hemis.db.versions import at_version
from hemis.errors import Forbidden, HemisError, NotFound, PreconditionFailed
from hemis.web.confirm import Confirmed, confirmation_page, is_confirmed
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal
from hemis.web.portal import error_text

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303


def _officer(principal: PagePrincipal) -> None:
    if principal.role is not Role.institution_officer:
        raise Forbidden(
            "Trang này dành cho cán bộ cơ sở đào tạo.", "This page is for institution officers."
        )


def _ministry(principal: PagePrincipal) -> None:
    if not principal.role.national:
        raise Forbidden("Trang này dành cho Bộ GD&ĐT.", "This page is for the ministry.")


# --- institution ----------------------------------------------------------------------------------


def _institution_page(
    request: Request, session: PageDB, errors: list[str] | None = None, status_code: int = 200
) -> Response:
    year = current_year(session)
    offers: list[AdmissionOffer] = []
    results: dict[int, list[object]] = {}
    latest = None
    if year is not None:
        offers = list(
            session.scalars(
                select(AdmissionOffer)
                .where(AdmissionOffer.year == year)
                .order_by(AdmissionOffer.code)
            )
        )
        published = queries_public.published_rounds(session, year)
        latest = published[0] if published else None
        if latest is not None:
            for result, offer in queries_public.offer_results(session, latest.id):
                results.setdefault(offer.id, []).append(result)
    return page(
        request,
        "admissions/institution.html",
        status_code=status_code,
        nav="admissions",
        year=year,
        offers=offers,
        latest=latest,
        results=results,
        in_progress=year is not None
        and service_offers.round_in_progress(session, year) is not None,
        errors=errors or [],
    )


@router.get("/admissions/institution")
def institution_home(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _officer(principal)
    return _institution_page(request, session)


@router.post("/admissions/institution/offers/{offer_id}/quota")
def change_quota(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    offer_id: int,
    quota: Annotated[int, Form(ge=0, le=100_000)],
    row_version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    """Change a quota; the form carries the version of the offer it showed, so a quota someone
    changed meanwhile is not overwritten (the page shows the latest with a message)."""
    _officer(principal)
    try:
        service_offers.update_offer(
            session, offer_id, OfferUpdate(quota=quota), at_version(row_version)
        )
    except PreconditionFailed as exc:
        return _institution_page(request, session, error_text(request, exc), 409)
    except HemisError as exc:
        return _institution_page(request, session, error_text(request, exc), exc.status)
    return RedirectResponse("/admissions/institution", status_code=SEE_OTHER)


@router.get("/admissions/institution/offers/{offer_id}/applicants")
def offer_applicants(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    offer_id: int,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    _officer(principal)
    offer = service_offers.get_offer(session, offer_id)
    rows, total = queries_public.applicants(session, offer, page_number)
    pages = max(1, -(-total // queries_public.PAGE))
    return page(
        request,
        "admissions/applicants.html",
        nav="admissions",
        offer=offer,
        rows=rows,
        total=total,
        number=page_number,
        pages=pages,
    )


# --- ministry -------------------------------------------------------------------------------------


def _ministry_page(
    request: Request,
    session: PageDB,
    errors: list[str] | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    year = current_year(session)
    stats = queries_public.statistics(session, year) if year is not None else None
    recent = action_service.recent_actions(session, ROUND_KINDS)
    return page(
        request,
        "admissions/ministry.html",
        status_code=status_code,
        nav="admissions",
        actions=recent,
        running={a.lock_key: a for a in recent if a.status in ACTIVE},
        **action_helpers(request),
        year=year,
        stats=stats,
        rounds=queries_public.published_rounds(session, year) if year is not None else [],
        kinds=[k.value for k in RoundKind],
        policies=[p.value for p in TiePolicy],
        errors=errors or [],
        notice=notice,
    )


@router.get("/admissions/ministry")
def ministry_home(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _ministry(principal)
    return _ministry_page(request, session)


@router.post("/admissions/ministry/rounds")
def create_round(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    kind: Annotated[RoundKind, Form()] = RoundKind.regular,
    tie_policy: Annotated[TiePolicy, Form()] = TiePolicy.group,
    is_final: Annotated[bool, Form()] = False,
) -> Response:
    _ministry(principal)
    year = current_year(session)
    try:
        if year is None:
            raise NotFound("admission_year")
        rounds.create_round(
            session, RoundCreate(year=year, kind=kind, tie_policy=tie_policy, is_final=is_final)
        )
    except HemisError as exc:
        return _ministry_page(request, session, error_text(request, exc), exc.status)
    return RedirectResponse("/admissions/ministry", status_code=SEE_OTHER)


ROUND_ACTIONS = ("snapshot", "run", "publish", "verify")


@router.post("/admissions/ministry/rounds/{round_id}/{action}")
def round_action(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    round_id: int,
    action: str,
    confirmed: Confirmed = None,
) -> Response:
    """Snapshot, run, publish or verify a round as a background job; the answer is its
    progress page (a national round takes tens of seconds, never a blocking request).
    Publishing cannot be undone: it is confirmed first."""
    _ministry(principal)
    try:
        if action not in ROUND_ACTIONS:
            raise NotFound("action", action[:20])
        round_ = rounds.get_round(session, round_id)
        if action == "publish" and not is_confirmed(confirmed):
            return confirmation_page(
                request,
                title=(f"Công bố đợt {round_.number}?", f"Publish round {round_.number}?"),
                consequence=(
                    "Công bố không thể hoàn tác: mọi thí sinh thấy kết quả của mình và điểm "
                    "chuẩn của đợt được công khai.",
                    "Publishing cannot be undone: every candidate sees their result and the "
                    "round's cutoffs become public.",
                ),
                button=("Công bố đợt", "Publish the round"),
                cancel_url="/admissions/ministry",
            )
        job = action_service.start_action(
            session, f"round.{action}", {"round_id": round_.id, "number": round_.number}
        )
    except ActionRunning as exc:
        return RedirectResponse(f"/actions/{exc.job_id}?already=1", status_code=SEE_OTHER)
    except HemisError as exc:
        return _ministry_page(request, session, error_text(request, exc), exc.status)
    ensure_worker(request.app)
    return RedirectResponse(f"/actions/{job.id}", status_code=SEE_OTHER)
