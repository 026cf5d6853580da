"""Candidate pages: registration, scores, wishes (add, reorder, delete, with last year's cutoffs
and a risk hint), the explanation of a score, round results with their explanation, and the
enrolment confirmation. A candidate reaches only their own records (pages_common.Candidate)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from hemis.admissions import (
    access,
    queries,
    queries_published,
    rounds,
    service,
    service_paths,
    service_wishes,
)
from hemis.admissions.codes import Area, Category, Elective, ForeignLanguage, TechnologyTrack
from hemis.admissions.models import AdmissionOffer
from hemis.admissions.pages_common import page
from hemis.admissions.queries import current_year
from hemis.admissions.queries_public import offer_rows, search_offers
from hemis.admissions.schemas import RegistrationFields, WishCreate
from hemis.db.types import utcnow
from hemis.db.versions import at_version
from hemis.errors import HemisError, NotFound, PreconditionFailed
from hemis.web.confirm import Confirmed, confirmation_page, is_confirmed
from hemis.web.csrf import CsrfChecked
from hemis.web.portal import Candidate, error_text

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303


def _year(c: Candidate) -> int:
    year = current_year(c.own)
    if year is None:
        raise NotFound("admission_year")
    return year


def _back(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=SEE_OTHER)


@router.get("/admissions")
def candidate_home(request: Request, c: Candidate) -> Response:
    year = current_year(c.own)
    context: dict[str, Any] = {"nav": "records", "tab": "home", "year": year}
    if year is not None:
        person = c.person_id
        calendar = service.get_year(c.own, year)
        context.update(
            calendar=calendar,
            registration=service.find_registration(c.own, year, person),
            scores=queries.my_scores(c.own, year, person),
            wishes=queries.my_wishes(c.own, c.catalogue, year, person),
            results=queries_published.published_results(c.own, year, person),
            confirmation=queries.my_confirmation(c.own, year, person),
            registration_open=service.registration_window(calendar).is_open(utcnow()),
            wishes_open=service.wish_window(calendar).is_open(utcnow()),
        )
    return page(request, "admissions/candidate_home.html", **context)


# --- registration ---------------------------------------------------------------------------------


def _registration_page(
    request: Request, c: Candidate, errors: list[str] | None = None, status_code: int = 200
) -> Response:
    year = _year(c)
    calendar = service.get_year(c.own, year)
    return page(
        request,
        "admissions/registration.html",
        status_code=status_code,
        nav="records",
        tab="registration",
        year=year,
        calendar=calendar,
        registration=service.find_registration(c.own, year, c.person_id),
        window_open=service.registration_window(calendar).is_open(utcnow()),
        may_register=access.may_register(c.own, c.principal.user_id),
        errors=errors or [],
        areas=[a.value for a in Area],
        categories=[k.value for k in Category],
        electives=[e.value for e in Elective],
        languages=[f.value for f in ForeignLanguage],
        tracks=[t.value for t in TechnologyTrack],
        saved=request.query_params.get("saved") == "1",
    )


@router.get("/admissions/registration")
def registration_form(request: Request, c: Candidate) -> Response:
    return _registration_page(request, c)


@router.post("/admissions/registration")
def save_registration(
    request: Request,
    c: Candidate,
    _csrf: CsrfChecked,
    school_code: Annotated[str, Form(max_length=10)] = "",
    school_name: Annotated[str, Form(max_length=200)] = "",
    area: Annotated[str, Form(max_length=6)] = "",
    category: Annotated[str, Form(max_length=2)] = "",
    graduation_year: Annotated[str, Form(max_length=4)] = "",
    elective1: Annotated[str, Form(max_length=20)] = "",
    elective2: Annotated[str, Form(max_length=20)] = "",
    foreign_language: Annotated[str, Form(max_length=2)] = "",
    technology_track: Annotated[str, Form(max_length=12)] = "",
    exam_site: Annotated[str, Form(max_length=10)] = "",
    row_version: Annotated[int | None, Form(ge=1)] = None,
) -> Response:
    year = _year(c)
    try:
        data = RegistrationFields.model_validate(
            {
                "school_code": school_code,
                "school_name": school_name,
                "area": area,
                "category": category or None,
                "graduation_year": graduation_year,
                "electives": [elective1, elective2],
                "foreign_language": foreign_language or None,
                "technology_track": technology_track or None,
                "exam_site": exam_site,
            }
        )
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
        message = "Thông tin chưa hợp lệ: " if request.query_params.get("lang") != "en" else ""
        return _registration_page(request, c, [message + ", ".join(fields)], 422)
    try:
        # The form's version: a registration changed (or created, in another tab) since the
        # form was shown is not overwritten; the page shows the latest with a message.
        service.save_registration(c.own, year, c.person_id, data, at_version(row_version))
    except PreconditionFailed as exc:
        return _registration_page(request, c, error_text(request, exc), 409)
    except HemisError as exc:
        return _registration_page(request, c, error_text(request, exc), exc.status)
    return _back("/admissions/registration?saved=1")


# --- scores ---------------------------------------------------------------------------------------


@router.get("/admissions/scores")
def my_scores(request: Request, c: Candidate) -> Response:
    year = _year(c)
    return page(
        request,
        "admissions/scores.html",
        nav="records",
        tab="scores",
        year=year,
        scores=queries.my_scores(c.own, year, c.person_id),
        achievements=service_paths.achievements_of(c.own, year, c.person_id),
    )


# --- wishes ---------------------------------------------------------------------------------------


def _wishes_page(
    request: Request,
    c: Candidate,
    q: str = "",
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    year = _year(c)
    calendar = service.get_year(c.own, year)
    return page(
        request,
        "admissions/wishes.html",
        status_code=status_code,
        nav="records",
        tab="wishes",
        year=year,
        calendar=calendar,
        window_open=service.wish_window(calendar).is_open(utcnow()),
        wishes=queries.my_wishes(c.own, c.catalogue, year, c.person_id),
        paths=_paths(c, year),
        q=q,
        found=search_offers(c.catalogue, year, q) if q else [],
        errors=errors or [],
    )


def _paths(c: Candidate, year: int) -> list[tuple[Any, Any]]:
    """The candidate's direct and priority admissions with their offers."""
    mine = service_paths.my_paths(c.own, year, c.person_id)
    keys = [(p.institution_id, p.offer_id) for p in mine]
    offers = service_wishes.offers_by_key(c.catalogue, keys)
    rows = {
        (r.offer.institution_id, r.offer.id): r
        for r in offer_rows(c.catalogue, year, list(offers.values()))
    }
    return [(p, rows.get((p.institution_id, p.offer_id))) for p in mine]


@router.post("/admissions/paths/{path_id}/{action}")
def answer_path(
    request: Request, c: Candidate, _csrf: CsrfChecked, path_id: int, action: str
) -> Response:
    """Accept or decline a direct or priority admission (inside the wish window)."""
    if action not in ("accept", "decline"):
        raise NotFound("action", action)
    try:
        service_paths.answer_path(c.own, _year(c), c.person_id, path_id, action == "accept")
    except HemisError as exc:
        return _wishes_page(request, c, errors=error_text(request, exc), status_code=exc.status)
    return _back("/admissions/wishes")


@router.get("/admissions/wishes")
def my_wishes(
    request: Request, c: Candidate, q: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    return _wishes_page(request, c, q.strip())


@router.post("/admissions/wishes")
def add_wish(
    request: Request,
    c: Candidate,
    _csrf: CsrfChecked,
    institution_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
    offer_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
) -> Response:
    year = _year(c)
    try:
        service_wishes.add_wish(
            c.own,
            c.catalogue,
            year,
            c.person_id,
            WishCreate(institution_id=institution_id, offer_id=offer_id),
        )
    except HemisError as exc:
        return _wishes_page(request, c, errors=error_text(request, exc), status_code=exc.status)
    return _back("/admissions/wishes")


def _confirm_delete(request: Request, c: Candidate, year: int, wish_id: int) -> Response:
    """Deleting a wish cannot be undone (adding it again puts it last): ask first, naming it."""
    wish = next(
        (
            w
            for w in queries.my_wishes(c.own, c.catalogue, year, c.person_id)
            if w.wish.id == wish_id
        ),
        None,
    )
    if wish is None:
        raise NotFound("wish", wish_id)
    name = f"{wish.offer.offer.name_vi} — {wish.offer.institution_name}"
    return confirmation_page(
        request,
        title=("Xoá nguyện vọng?", "Delete this wish?"),
        consequence=(
            f"Nguyện vọng {wish.wish.rank} sẽ bị xoá; các nguyện vọng sau nó lên một bậc. "
            "Thêm lại sau đó sẽ đứng cuối danh sách.",
            f"Wish {wish.wish.rank} will be deleted; the wishes after it move up one place. "
            "Added again, it would come last.",
        ),
        details=[(name, name)],
        button=("Xoá nguyện vọng", "Delete the wish"),
        cancel_url="/admissions/wishes",
        nav="records",
    )


@router.post("/admissions/wishes/{wish_id}/{action}")
def change_wish(
    request: Request,
    c: Candidate,
    _csrf: CsrfChecked,
    wish_id: int,
    action: str,
    confirmed: Confirmed = None,
) -> Response:
    year = _year(c)
    if action == "delete" and not is_confirmed(confirmed):
        return _confirm_delete(request, c, year, wish_id)
    try:
        if action == "up":
            service_wishes.move_wish(c.own, c.catalogue, year, c.person_id, wish_id, -1)
        elif action == "down":
            service_wishes.move_wish(c.own, c.catalogue, year, c.person_id, wish_id, 1)
        elif action == "delete":
            service_wishes.delete_wish(c.own, year, c.person_id, wish_id)
        else:
            raise NotFound("action", action)
    except HemisError as exc:
        return _wishes_page(request, c, errors=error_text(request, exc), status_code=exc.status)
    return _back("/admissions/wishes")


@router.get("/admissions/offers/{institution_id}/{offer_id}/score")
def score_explanation(
    request: Request, c: Candidate, institution_id: int, offer_id: int
) -> Response:
    """How the candidate's score for an offer is computed."""
    year = _year(c)
    offer = c.catalogue.get(AdmissionOffer, (institution_id, offer_id))
    if offer is None or offer.year != year:
        raise NotFound("admission_offer", offer_id)
    row = offer_rows(c.catalogue, year, [offer])[0]
    explanation = queries.explain_for_offer(c.own, c.catalogue, year, c.person_id, offer)
    return page(
        request,
        "admissions/score.html",
        nav="records",
        tab="wishes",
        year=year,
        offer=row,
        x=explanation,
    )


# --- results and confirmation ---------------------------------------------------------------------


def _results_page(
    request: Request, c: Candidate, errors: list[str] | None = None, status_code: int = 200
) -> Response:
    year = _year(c)
    calendar = service.get_year(c.own, year)
    # one indexed read of the results-day read model (ADR 0025)
    outcomes = queries_published.published_results(c.own, year, c.person_id)
    confirmation = queries.my_confirmation(c.own, year, c.person_id)
    place = queries_published.place_of(outcomes, calendar.confirm_deadline_at)
    deadline = place.deadline if place is not None else None
    can_confirm = (
        place is not None
        and place.held
        and confirmation is None
        and deadline is not None
        and utcnow() < deadline
    )
    return page(
        request,
        "admissions/results.html",
        status_code=status_code,
        nav="records",
        tab="results",
        year=year,
        calendar=calendar,
        outcomes=outcomes,
        confirmation=confirmation,
        can_confirm=can_confirm,
        deadline=deadline,
        errors=errors or [],
    )


@router.get("/admissions/results")
def my_results(request: Request, c: Candidate) -> Response:
    return _results_page(request, c)


@router.post("/admissions/confirm")
def confirm(
    request: Request, c: Candidate, _csrf: CsrfChecked, confirmed: Confirmed = None
) -> Response:
    if not is_confirmed(confirmed):
        return confirmation_page(
            request,
            title=("Xác nhận nhập học?", "Confirm your enrolment?"),
            consequence=(
                "Xác nhận nhập học là quyết định cuối cùng: bạn nhập học tại chương trình đã "
                "trúng tuyển và không còn được xét ở đợt sau.",
                "Confirming is final: you enrol in the program you were admitted to and are not "
                "considered in later rounds.",
            ),
            button=("Tôi xác nhận nhập học", "I confirm my enrolment"),
            cancel_url="/admissions/results",
            nav="records",
        )
    try:
        rounds.confirm_enrolment(c.own, _year(c), c.person_id)
    except HemisError as exc:
        return _results_page(request, c, error_text(request, exc), exc.status)
    return _back("/admissions/results")
