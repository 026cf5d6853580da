"""HTML pages of the registry: home, institution list and profile with its programs, staff and
learners (a candidate's own records: pages_own.py). Read-only; tenancy comes from PageDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.accounts.service import Principal
from hemis.common.crypto import mask
from hemis.common.spreadsheet import csv_bytes
from hemis.errors import Forbidden, NotFound
from hemis.registry import codes, labels, queries, service_reviews
from hemis.registry.codes import InstitutionType, Ownership, values
from hemis.registry.labels import Lang
from hemis.registry.models import Learner, Person, Staff
from hemis.registry.pages_own import record_label
from hemis.registry.queries_own import own_records
from hemis.web import formats
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
        from hemis.web.portal import local_time

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
    flt: ListFilters | None = None,
) -> Response:
    _require_registry_reader(principal)
    inst = queries.get_institution(session, institution_id)
    q = q.strip()
    flt = flt or ListFilters()
    rows: queries.Page[Any]
    if section == "staff":
        rows = queries.staff_page(session, cipher, inst.id, q, page, position=flt.position)
    elif section == "learners":
        rows = queries.learner_page(
            session, cipher, inst.id, q, page, status=flt.status, cohort=flt.cohort
        )
    else:
        rows = queries.program_page(session, inst.id, page)
    base = f"/institutions/{inst.id}" + ("" if section == "programs" else f"/{section}")
    params = {k: v for k, v in {"q": q, **flt.as_params()}.items() if v}
    context = _context(
        request,
        nav="institutions" if principal.role.national else "own",
        inst=inst,
        section=section,
        sections=SECTIONS,
        rows=rows,
        q=q,
        base=base,
        params=params,
        flt=flt,
        statuses=values(codes.LearnerStatus),
        positions=values(codes.Position),
        export_url=f"{base}/export.csv" + ("?" + urlencode(params) if params else ""),
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


@dataclass(frozen=True)
class ListFilters:
    """The filters of the learner and staff lists (a code outside its list filters nothing)."""

    status: str = ""
    cohort: int | None = None
    position: str = ""

    @classmethod
    def of(cls, status: str = "", cohort: int | None = None, position: str = "") -> ListFilters:
        return cls(
            status if status in values(codes.LearnerStatus) else "",
            cohort,
            position if position in values(codes.Position) else "",
        )

    def as_params(self) -> dict[str, str]:
        return {
            "status": self.status,
            "cohort": "" if self.cohort is None else str(self.cohort),
            "position": self.position,
        }


# One Query object per parameter: FastAPI keeps a parameter's name on its Query object, so one
# object shared by two parameters would read both from the same field.
StatusFilter = Annotated[str, Query(max_length=20)]
PositionFilter = Annotated[str, Query(max_length=20)]
CohortFilter = Annotated[int | None, Query(ge=1950, le=2100)]


@router.get("/institutions/{institution_id}/staff")
def institution_staff(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    q: str = SearchText,
    page: int = PageNumber,
    position: PositionFilter = "",
) -> Response:
    flt = ListFilters.of(position=position)
    return _profile(request, principal, session, cipher, institution_id, "staff", q, page, flt)


@router.get("/institutions/{institution_id}/learners")
def institution_learners(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    q: str = SearchText,
    page: int = PageNumber,
    status: StatusFilter = "",
    cohort: CohortFilter = None,
) -> Response:
    flt = ListFilters.of(status=status, cohort=cohort)
    return _profile(request, principal, session, cipher, institution_id, "learners", q, page, flt)


EXPORT_ROWS = 200_000  # a list file holds at most this many rows (the largest institution's)


@router.get("/institutions/{institution_id}/{section}/export.csv")
def export_list(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    section: str,
    q: str = SearchText,
    status: StatusFilter = "",
    cohort: CohortFilter = None,
    position: PositionFilter = "",
) -> Response:
    """The list as the page filters it, every page of it, as CSV (UTF-8 with a BOM, Vietnamese
    headers and names, no national ID)."""
    _require_registry_reader(principal)
    inst = queries.get_institution(session, institution_id)
    flt = ListFilters.of(status, cohort, position)
    label = label_function(get_lang(request))
    if section == "learners":
        found = queries.learner_page(
            session, cipher, inst.id, q.strip(), 1, EXPORT_ROWS, flt.status, flt.cohort
        )
        frame = pl.DataFrame(
            {
                "Mã người học": [r.student_code for r in found.items],
                "Họ và tên": [r.full_name for r in found.items],
                "Ngày sinh": [formats.date(r.date_of_birth) for r in found.items],
                "Giới tính": [label("sex", r.sex) for r in found.items],
                "Mã chương trình": [r.program_code for r in found.items],
                "Chương trình": [r.program_name for r in found.items],
                "Khoá": [r.cohort_year for r in found.items],
                "Tình trạng": [label("learner_status", r.status) for r in found.items],
            }
        )
    elif section == "staff":
        staff = queries.staff_page(
            session, cipher, inst.id, q.strip(), 1, EXPORT_ROWS, flt.position
        )
        frame = pl.DataFrame(
            {
                "Mã cán bộ": [r.staff_code for r in staff.items],
                "Họ và tên": [r.full_name for r in staff.items],
                "Đơn vị": [r.unit for r in staff.items],
                "Vị trí": [label("position", r.position) for r in staff.items],
                "Trình độ": [label("degree", r.highest_degree) for r in staff.items],
                "Chức danh": [label("title", r.academic_title) for r in staff.items],
                "Hợp đồng": [label("contract", r.contract_type) for r in staff.items],
            }
        )
    else:
        raise NotFound("list", section[:20])
    name = f"{'nguoi-hoc' if section == 'learners' else 'nhan-su'}-{inst.moet_code}.csv"
    return Response(
        csv_bytes(frame, bom=True),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/institutions/{institution_id}/learners/{learner_id}")
def learner_record(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    learner_id: int,
) -> Response:
    """A learner's record: the enrolments at this institution (an officer's session sees no
    other), status history, results and awards — the page a learner sees of themselves."""
    _require_registry_reader(principal)
    inst = queries.get_institution(session, institution_id)
    learner = session.get(Learner, (inst.id, learner_id))
    if learner is None:
        raise NotFound("learner", learner_id)
    records = own_records(session, learner.person_id)
    records = replace(
        records, enrolments=[e for e in records.enrolments if e.learner.institution_id == inst.id]
    )
    masked = (
        mask(cipher.decrypt(records.person.national_id_enc)) if records.person is not None else ""
    )
    return render(
        request,
        "records.html",
        {
            "nav": "institutions" if principal.role.national else "own",
            "records": records,
            "masked_id": masked,
            "code": record_label(get_lang(request)),
            "of_institution": inst,
        },
    )


@router.get("/institutions/{institution_id}/staff/{staff_id}")
def staff_record(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    institution_id: int,
    staff_id: int,
) -> Response:
    _require_registry_reader(principal)
    inst = queries.get_institution(session, institution_id)
    staff = session.get(Staff, (inst.id, staff_id))
    if staff is None:
        raise NotFound("staff", staff_id)
    person = session.scalar(
        select(Person).where(Person.id == staff.person_id).execution_options(person_lookup=True)
    )
    masked = mask(cipher.decrypt(person.national_id_enc)) if person is not None else ""
    return render(
        request,
        "registry/staff_record.html",
        _context(
            request,
            nav="institutions" if principal.role.national else "own",
            inst=inst,
            staff=staff,
            person=person,
            masked_id=masked,
        ),
    )


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
