"""The intake pages ("Tân sinh viên"): per program, seats against admitted, confirmed and written
to the registry, the list of confirmed candidates, its export, and the button that writes the
intake (admissions/intake.py).

Officers see and write their own institution's intake; the ministry sees every institution's
and writes one or all (administrators only). An officer's write runs in the request (one
institution's intake is one set-based transaction of a few thousand rows at most); the
ministry's runs as a background action job with its progress page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy import func, select
from starlette.responses import RedirectResponse, Response

from hemis.accounts.roles import Role
from hemis.actions import service as action_service
from hemis.actions.service import ActionRunning
from hemis.actions.worker import ensure_worker
from hemis.admissions import queries_intake
from hemis.admissions.actions import INTAKE_KIND
from hemis.admissions.intake import IntakeOutcome, write_intake
from hemis.admissions.intake_export import FORMATS, check_format, to_bytes
from hemis.admissions.models import EnrolmentConfirmation, LearnerAdmission
from hemis.admissions.pages_common import page
from hemis.admissions.queries import current_year
from hemis.db.tenancy import get_scope
from hemis.errors import Forbidden, HemisError, NotFound, ReadOnly
from hemis.registry.models import Institution
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import Context, Lang, PageDB, PagePrincipal
from hemis.web.portal import error_text

router = APIRouter(include_in_schema=False)
PAGE = 100  # candidates listed per page
OFFICER_PATH = "/admissions/institution/intake"
MINISTRY_PATH = "/admissions/ministry/intake"


def _year(session: PageDB) -> int:
    year = current_year(session)
    if year is None:
        raise NotFound("admission_year")
    return year


def _institution(session: PageDB, principal: PagePrincipal, code: str | None) -> Institution:
    """The officer's own institution, or the one the ministry names by code."""
    if principal.role is Role.institution_officer:
        iid = get_scope(session).institution_id
        found = session.get(Institution, iid) if iid is not None else None
    elif principal.role.national:
        found = None
        if code:
            found = session.scalar(select(Institution).where(Institution.moet_code == code))
    else:
        raise Forbidden(
            "Trang này dành cho cán bộ cơ sở đào tạo và Bộ GD&ĐT.",
            "This page is for institution officers and the ministry.",
        )
    if found is None:
        raise NotFound("institution", code or "")
    return found


def _notice(outcomes: list[IntakeOutcome], lang: str) -> str:
    created = sum(o.created for o in outcomes)
    linked = sum(o.linked for o in outcomes)
    if lang == "en":
        return (
            f"Intake written: {created} new learners, {linked} linked to existing records, "
            f"{len(outcomes)} institution(s)."
        )
    return (
        f"Đã ghi tân sinh viên: {created} người học mới, {linked} gắn với hồ sơ đã có, "
        f"{len(outcomes)} cơ sở đào tạo."
    )


def _institution_page(
    request: Request,
    session: PageDB,
    principal: PagePrincipal,
    institution: Institution,
    number: int = 1,
    notice: str | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    year = current_year(session)
    programs: list[queries_intake.ProgramIntake] = []
    learners: list[queries_intake.IntakeLearner] = []
    if year is not None:
        programs = queries_intake.program_intake(session, year, institution.id)
        learners = queries_intake.intake_learners(session, year, institution.id)
    pages = max(1, -(-len(learners) // PAGE))
    number = min(number, pages)
    base = OFFICER_PATH if principal.role is Role.institution_officer else MINISTRY_PATH
    query = "" if base == OFFICER_PATH else f"institution={institution.moet_code}&"
    return page(
        request,
        "admissions/intake.html",
        status_code=status_code,
        nav="admissions",
        year=year,
        institution=institution,
        programs=programs,
        totals={
            name: sum(getattr(p, name) for p in programs)
            for name in ("quota", "admitted", "confirmed", "written", "pending")
        },
        learners=learners[(number - 1) * PAGE : number * PAGE],
        total=len(learners),
        number=number,
        pages=pages,
        base=base,
        query=query,
        can_write=principal.role in (Role.institution_officer, Role.ministry_admin),
        notice=notice,
        errors=errors or [],
    )


@router.get(OFFICER_PATH)
def officer_intake(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    if principal.role is not Role.institution_officer:
        raise Forbidden(
            "Trang này dành cho cán bộ cơ sở đào tạo.", "This page is for institution officers."
        )
    return _institution_page(
        request, session, principal, _institution(session, principal, None), page_number
    )


@router.post(OFFICER_PATH)
def officer_write(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    ctx: Context,
    lang: Lang,
    _csrf: CsrfChecked,
) -> Response:
    if principal.role is not Role.institution_officer:
        raise Forbidden(
            "Trang này dành cho cán bộ cơ sở đào tạo.", "This page is for institution officers."
        )
    return _write(request, session, principal, ctx, lang, _institution(session, principal, None))


def _write(
    request: Request,
    session: PageDB,
    principal: PagePrincipal,
    ctx: Context,
    lang: str,
    institution: Institution | None,
) -> Response:
    year = _year(session)
    actor = get_scope(session).actor
    session.rollback()  # the intake runs on its own connection; hold nothing meanwhile
    try:
        outcomes = write_intake(
            ctx.engine,
            ctx.cipher,
            year,
            institution_id=None if institution is None else institution.id,
            actor=actor,
        )
    except HemisError as exc:
        if institution is None:
            return _ministry_page(request, session, errors=error_text(request, exc))
        return _institution_page(
            request, session, principal, institution, errors=error_text(request, exc)
        )
    notice = _notice(outcomes, lang)
    if institution is None:
        return _ministry_page(request, session, notice=notice)
    return _institution_page(request, session, principal, institution, notice=notice)


def _export(session: PageDB, institution: Institution, fmt: str) -> Response:
    check_format(fmt)
    year = _year(session)
    content = to_bytes(
        fmt,
        year,
        queries_intake.program_intake(session, year, institution.id),
        queries_intake.intake_learners(session, year, institution.id),
    )
    name = f"tan-sinh-vien-{institution.moet_code}-{year}.{fmt}"
    return Response(
        content,
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(OFFICER_PATH + "/export")
def officer_export(
    principal: PagePrincipal,
    session: PageDB,
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "xlsx",
) -> Response:
    if principal.role is not Role.institution_officer:
        raise Forbidden(
            "Trang này dành cho cán bộ cơ sở đào tạo.", "This page is for institution officers."
        )
    return _export(session, _institution(session, principal, None), fmt)


# --- ministry -------------------------------------------------------------------------------------


def _ministry(principal: PagePrincipal) -> None:
    if not principal.role.national:
        raise Forbidden("Trang này dành cho Bộ GD&ĐT.", "This page is for the ministry.")


def _ministry_page(
    request: Request,
    session: PageDB,
    notice: str | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    year = current_year(session) or 0
    confirmed = dict(
        session.execute(
            select(EnrolmentConfirmation.institution_id, func.count())
            .where(EnrolmentConfirmation.year == year)
            .group_by(EnrolmentConfirmation.institution_id)
        ).all()
    )
    written = dict(
        session.execute(
            select(LearnerAdmission.institution_id, func.count())
            .where(LearnerAdmission.year == year)
            .group_by(LearnerAdmission.institution_id)
        ).all()
    )
    institutions = list(
        session.scalars(
            select(Institution)
            .where(Institution.id.in_(list(confirmed) or [0]))
            .order_by(Institution.moet_code)
        )
    )
    rows = [(i, int(confirmed.get(i.id, 0)), int(written.get(i.id, 0))) for i in institutions]
    return page(
        request,
        "admissions/intake_ministry.html",
        status_code=status_code,
        nav="admissions",
        year=year,
        rows=rows,
        totals=(sum(r[1] for r in rows), sum(r[2] for r in rows)),
        notice=notice,
        errors=errors or [],
    )


@router.get(MINISTRY_PATH)
def ministry_intake(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    institution: Annotated[str | None, Query(max_length=10)] = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    _ministry(principal)
    if institution:
        chosen = _institution(session, principal, institution)
        return _institution_page(request, session, principal, chosen, page_number)
    return _ministry_page(request, session)


@router.post(MINISTRY_PATH)
def ministry_write(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    ctx: Context,
    lang: Lang,
    _csrf: CsrfChecked,
    institution: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    _ministry(principal)
    if principal.role is not Role.ministry_admin:
        raise ReadOnly()
    chosen = _institution(session, principal, institution) if institution else None
    # The ministry's intake may cover every institution: a background job with its progress
    # page, never a request held open.
    params = {"year": _year(session), "institution_id": None if chosen is None else chosen.id}
    try:
        job = action_service.start_action(session, INTAKE_KIND, params)
    except ActionRunning as exc:
        return RedirectResponse(f"/actions/{exc.job_id}?already=1", status_code=303)
    except HemisError as exc:
        session.rollback()
        return _ministry_page(request, session, errors=error_text(request, exc))
    ensure_worker(request.app)
    return RedirectResponse(f"/actions/{job.id}", status_code=303)


@router.get(MINISTRY_PATH + "/export")
def ministry_export(
    principal: PagePrincipal,
    session: PageDB,
    institution: Annotated[str, Query(max_length=10)],
    fmt: Annotated[str, Query(alias="format", max_length=8)] = "xlsx",
) -> Response:
    _ministry(principal)
    return _export(session, _institution(session, principal, institution), fmt)
