"""HTML pages of the registry: home, institution list and profile with its programs, staff and
learners (a candidate's own records: pages_own.py). Read-only; tenancy comes from PageDB."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.errors import Forbidden
from hemis.registry import queries, service_reviews
from hemis.registry.codes import InstitutionType, Ownership, values
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
    if principal.role is Role.learner:  # a learner's home is their competency profile
        return RedirectResponse("/me/competency", status_code=303)
    if principal.role is Role.candidate:
        from hemis.admissions.home import candidate_overview
        from hemis.admissions.pages_common import local_time

        candidate = candidate_overview(ctx.sessions, principal)
        extra["local_time"] = local_time
    elif principal.role.national:
        counts = queries.count_registry(session)
        reviews = service_reviews.pending_count(session)
    elif principal.role is Role.institution_officer and principal.institution_id is not None:
        institution = queries.get_institution(session, principal.institution_id)
        counts = queries.count_registry(session, institution.id)
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


# Labels of the code lists shown on the pages, (Vietnamese, English) by kind and code.
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "type": {
        "university": ("Đại học / Trường đại học", "University"),
        "academy": ("Học viện", "Academy"),
        "college": ("Trường cao đẳng", "College"),
        "institute": ("Viện", "Institute"),
    },
    "ownership": {
        "public": ("Công lập", "Public"),
        "private": ("Tư thục", "Private"),
        "foreign_invested": ("Có vốn đầu tư nước ngoài", "Foreign-invested"),
    },
    "institution_status": {
        "active": ("Đang hoạt động", "Active"),
        "suspended": ("Tạm dừng", "Suspended"),
        "merged": ("Đã sáp nhập", "Merged"),
        "dissolved": ("Đã giải thể", "Dissolved"),
    },
    "level": {
        "college": ("Cao đẳng", "College"),
        "bachelor": ("Đại học", "Bachelor"),
        "master": ("Thạc sĩ", "Master"),
        "doctor": ("Tiến sĩ", "Doctorate"),
    },
    "mode": {
        "full_time": ("Chính quy", "Full-time"),
        "part_time": ("Vừa làm vừa học", "Part-time"),
        "distance": ("Từ xa", "Distance"),
    },
    "program_status": {
        "open": ("Đang tuyển sinh", "Open"),
        "suspended": ("Tạm dừng", "Suspended"),
        "closed": ("Đã đóng", "Closed"),
    },
    "accreditation": {
        "none": ("Chưa kiểm định", "Not accredited"),
        "in_progress": ("Đang kiểm định", "In progress"),
        "accredited": ("Đạt kiểm định", "Accredited"),
        "expired": ("Hết hạn kiểm định", "Expired"),
    },
    "learner_status": {
        "enrolled": ("Đang học", "Enrolled"),
        "suspended": ("Bảo lưu / tạm dừng", "Suspended"),
        "withdrawn": ("Thôi học", "Withdrawn"),
        "transferred": ("Chuyển trường", "Transferred"),
        "graduated": ("Đã tốt nghiệp", "Graduated"),
    },
    "sex": {"male": ("Nam", "Male"), "female": ("Nữ", "Female")},
    "position": {
        "lecturer": ("Giảng viên", "Lecturer"),
        "researcher": ("Nghiên cứu viên", "Researcher"),
        "manager": ("Cán bộ quản lý", "Manager"),
        "administrative": ("Nhân viên hành chính", "Administrative"),
        "technical": ("Kỹ thuật viên", "Technical"),
    },
    "degree": {
        "none": ("Không", "None"),
        "bachelor": ("Cử nhân / Kỹ sư", "Bachelor"),
        "master": ("Thạc sĩ", "Master"),
        "doctor": ("Tiến sĩ", "Doctorate"),
    },
    "title": {
        "none": ("", ""),
        "associate_professor": ("Phó giáo sư", "Associate professor"),
        "professor": ("Giáo sư", "Professor"),
    },
    "contract": {
        "civil_servant": ("Viên chức", "Civil servant"),
        "indefinite": ("Không xác định thời hạn", "Indefinite"),
        "fixed_term": ("Có thời hạn", "Fixed term"),
        "visiting": ("Thỉnh giảng", "Visiting"),
    },
}


def label_function(lang: str) -> Callable[[str, str], str]:
    """`label(kind, code)` for templates: the code's name in `lang`, or the code itself."""

    def label(kind: str, code: str) -> str:
        pair = LABELS.get(kind, {}).get(code)
        if pair is None:
            return code
        return pair[1] if lang == "en" else pair[0]

    return label
