"""HTML pages of the registry: home, institution list and profile with its programs, staff and
learners (a candidate's own records: pages_own.py). Read-only; tenancy comes from PageDB."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.errors import Forbidden
from hemis.registry import codes, labels, queries, service_reviews
from hemis.registry.codes import InstitutionType, Ownership, values
from hemis.registry.labels import Lang
from hemis.web.deps import CipherDep, Context, PageDB, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)

SECTIONS = ("programs", "staff", "learners")
PageNumber = Query(1, ge=1, le=1_000_000)
SearchText = Query("", max_length=100)


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _require_registry_reader(principal: Principal) -> None:
    """Ministry users and institution officers read the registry; candidates do not."""
    if not (principal.role.national or principal.role is Role.institution_officer):
        raise Forbidden()


def _context(request: Request, **values_: Any) -> dict[str, Any]:
    return {"label": label_function(get_lang(request)), **values_}


@router.get("/")
def home(request: Request, principal: PagePrincipal, session: PageDB, ctx: Context) -> Response:
    counts = None
    institution = None
    reviews = None
    candidate = None
    extra: dict[str, Any] = {}
    if principal.role is Role.candidate:
        from hemis.admissions.home import candidate_overview
        from hemis.admissions.pages_common import local_time

        candidate = candidate_overview(ctx.sessions, principal)
        extra["local_time"] = local_time
    elif principal.role.national:
        counts = queries.count_registry(session)
        reviews = service_reviews.pending_count(session)
    elif principal.role is Role.institution_officer and principal.institution_id is not None:
        from hemis.submissions.queries import returned_submissions

        institution = queries.get_institution(session, principal.institution_id)
        counts = queries.count_registry(session, institution.id)
        extra["returned"] = returned_submissions(session)
    return render(
        request,
        "home.html",
        _context(
            request,
            counts=counts,
            institution=institution,
            candidate=candidate,
            reviews=reviews,
            nav="home",
            **extra,
        ),
    )


@router.get("/institutions")
def institution_list(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    q: str = SearchText,
    type: str = Query("", max_length=20),
    ownership: str = Query("", max_length=20),
    province: str = Query("", max_length=3),
    page: int = PageNumber,
) -> Response:
    _require_registry_reader(principal)
    if not principal.role.national and principal.institution_id is not None:
        return RedirectResponse(f"/institutions/{principal.institution_id}", status_code=303)
    flt = queries.InstitutionFilter(
        q=q.strip(),
        type=type if type in values(InstitutionType) else "",
        ownership=ownership if ownership in values(Ownership) else "",
        province=province,
    )
    result = queries.search_institutions(session, flt, page)
    provinces = queries.province_options(session)
    params = {k: v for k, v in vars(flt).items() if v}
    context = _context(
        request,
        nav="institutions",
        flt=flt,
        result=result,
        params=params,
        provinces=provinces,
        province_names=dict(provinces),
        types=values(InstitutionType),
        ownerships=values(Ownership),
    )
    if _is_htmx(request) and request.headers.get("hx-target") == "results":
        return render(request, "registry/_institution_results.html", context)
    return render(request, "registry/institutions.html", context)


def _profile(
    request: Request,
    principal: Principal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    section: str,
    q: str,
    page: int,
) -> Response:
    _require_registry_reader(principal)
    inst = queries.get_institution(session, institution_id)
    q = q.strip()
    rows: queries.Page[Any]
    if section == "staff":
        rows = queries.staff_page(session, cipher, inst.id, q, page)
    elif section == "learners":
        rows = queries.learner_page(session, cipher, inst.id, q, page)
    else:
        rows = queries.program_page(session, inst.id, page)
    base = f"/institutions/{inst.id}" + ("" if section == "programs" else f"/{section}")
    context = _context(
        request,
        nav="institutions" if principal.role.national else "own",
        inst=inst,
        section=section,
        sections=SECTIONS,
        rows=rows,
        q=q,
        base=base,
        params={"q": q} if q else {},
    )
    if _is_htmx(request) and request.headers.get("hx-target") == "profile-section":
        return render(request, "registry/_profile_section.html", context)
    context["counts"] = queries.count_registry(session, inst.id)
    context["province_name"] = queries.province_names(session, [inst.province_code]).get(
        inst.province_code, inst.province_code
    )
    return render(request, "registry/institution.html", context)


@router.get("/institutions/{institution_id}")
def institution_profile(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    page: int = PageNumber,
) -> Response:
    return _profile(request, principal, session, cipher, institution_id, "programs", "", page)


@router.get("/institutions/{institution_id}/staff")
def institution_staff(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    q: str = SearchText,
    page: int = PageNumber,
) -> Response:
    return _profile(request, principal, session, cipher, institution_id, "staff", q, page)


@router.get("/institutions/{institution_id}/learners")
def institution_learners(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    q: str = SearchText,
    page: int = PageNumber,
) -> Response:
    return _profile(request, principal, session, cipher, institution_id, "learners", q, page)


# The code list behind each `label(kind, code)` of the templates. The labels themselves are in
# one table, hemis.registry.labels.LABELS, which every page, export and API description reads.
KINDS: dict[str, type[StrEnum]] = {
    "type": codes.InstitutionType,
    "ownership": codes.Ownership,
    "institution_status": codes.InstitutionStatus,
    "level": codes.Level,
    "mode": codes.StudyMode,
    "program_status": codes.ProgramStatus,
    "accreditation": codes.AccreditationStatus,
    "learner_status": codes.LearnerStatus,
    "sex": codes.Sex,
    "position": codes.Position,
    "degree": codes.Degree,
    "title": codes.AcademicTitle,
    "contract": codes.ContractType,
}


def label_function(lang: str) -> Callable[[str, str], str]:
    """`label(kind, code)` for templates: the code's name in `lang`, or the code itself."""

    chosen: Lang = "en" if lang == "en" else "vi"

    def label(kind: str, code: str) -> str:
        try:
            return labels.label(code, chosen, enum=KINDS[kind])
        except KeyError:  # a code the list does not know (data older than the list): as stored
            return code

    return label
