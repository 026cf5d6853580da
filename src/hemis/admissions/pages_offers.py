"""An institution officer's offer form: create an offer of the current admission year or edit
one (program, code, name, quota, quotas by method, methods, subject combinations with their
offsets, floor, tie-breaks, status). The same schemas and service as the API validate it; a
refused form comes back with what was typed and each problem next to its field. The scoped
session keeps an officer to their own institution: another institution's offer is not found,
another institution's program is refused."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData
from starlette.responses import Response

from hemis.admissions import service_offers
from hemis.admissions.codes import WISH_RANK, Method, OfferStatus, Subject, label
from hemis.admissions.combinations import subjects_of
from hemis.admissions.models import AdmissionOffer
from hemis.admissions.pages_common import page
from hemis.admissions.pages_staff import _officer
from hemis.admissions.queries import current_year
from hemis.admissions.rules import from_h
from hemis.admissions.schemas import OfferCreate, OfferUpdate
from hemis.errors import HemisError
from hemis.registry.models import Program
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.forms import (
    FormErrors,
    PageForm,
    choices_of,
    from_hemis,
    from_validation,
    problem,
    texts_of,
)

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303
TIEBREAK_SLOTS = 4
WEIGHT_SLOTS = 3  # weighted subjects of a combination (at most its three subjects)

LABELS: dict[str, tuple[str, str]] = {
    "year": ("Năm tuyển sinh", "Admission year"),
    "program_id": ("Chương trình đào tạo", "Program"),
    "code": ("Mã xét tuyển", "Admission code"),
    "name_vi": ("Tên ngành xét tuyển", "Offer name"),
    "quota": ("Chỉ tiêu", "Quota"),
    "methods": ("Phương thức xét tuyển", "Admission methods"),
    "method_quotas": ("Chỉ tiêu theo phương thức", "Quotas by method"),
    "combinations": ("Tổ hợp môn và điểm cộng/trừ", "Subject combinations and offsets"),
    "floor": ("Ngưỡng đảm bảo chất lượng đầu vào", "Entry floor"),
    "weights": ("Môn nhân hệ số", "Weighted subjects"),
    "tiebreaks": ("Tiêu chí phụ khi bằng điểm", "Tie-breaks"),
    "status": ("Trạng thái", "Status"),
}
TEXT_FIELDS = (
    "program_id",
    "code",
    "name_vi",
    "quota",
    "combinations",
    "floor",
    "status",
    *(f"weight_{n}" for n in range(1, WEIGHT_SLOTS + 1)),
    *(f"weight_value_{n}" for n in range(1, WEIGHT_SLOTS + 1)),
    *(f"method_quota_{m.value}" for m in Method),
    *(f"tiebreak_{n}" for n in range(1, TIEBREAK_SLOTS + 1)),
)
_SPLIT = re.compile(r"[\n;,]+")
_ENTRY = re.compile(r"^([A-Za-z]\d{2})\s*(?:[=:]\s*|\s+)?([+-]?\d+(?:\.\d+)?)?$")


def parse_combinations(text: str, lang: str) -> tuple[dict[str, str], FormErrors]:
    """`A00=0, D01=-0.5` (one per line, or separated by commas or semicolons; no offset: 0)."""
    found: dict[str, str] = {}
    bad: list[str] = []
    for part in _SPLIT.split(text):
        entry = part.strip()
        if not entry:
            continue
        match = _ENTRY.match(entry.replace(",", "."))
        if match is None or subjects_of(match.group(1).upper()) is None:
            bad.append(entry[:20])
            continue
        found[match.group(1).upper()] = match.group(2) or "0"
    if bad:
        listed = ", ".join(bad[:5])
        return found, problem(
            "combinations",
            LABELS,
            f"không nhận ra {listed} (viết theo mẫu A00=0, D01=-0.5)",
            f"{listed} not understood (write A00=0, D01=-0.5)",
            lang,
        )
    return found, FormErrors()


def _form(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = texts_of(form, TEXT_FIELDS)
    values["methods"] = choices_of(form, "methods")
    return values


def parse_weights(values: dict[str, Any], lang: str) -> tuple[dict[str, str], FormErrors]:
    """The weighted subjects of the slots (a blank weight: × 2); a subject chosen twice is
    refused rather than one choice silently winning."""
    weights: dict[str, str] = {}
    for n in range(1, WEIGHT_SLOTS + 1):
        subject = values[f"weight_{n}"]
        if not subject:
            continue
        if subject in weights:
            return weights, problem(
                "weights",
                LABELS,
                f"{label('subject', subject, lang)} được chọn hai lần",
                f"{label('subject', subject, lang)} is chosen twice",
                lang,
            )
        weights[subject] = values[f"weight_value_{n}"] or "2"
    return weights, FormErrors()


def _data(values: dict[str, Any], lang: str, *, create: bool) -> tuple[dict[str, Any], FormErrors]:
    combinations, errors = parse_combinations(values["combinations"], lang)
    weights, weight_errors = parse_weights(values, lang)
    errors.merge(weight_errors)
    data: dict[str, Any] = {
        "quota": values["quota"],
        "methods": values["methods"],
        "method_quotas": {
            m.value: values[f"method_quota_{m.value}"]
            for m in Method
            if values[f"method_quota_{m.value}"]
        },
        "combinations": combinations,
        # weighted subjects (e.g. Mathematics × 2): the offer then scores on 10 × total weight
        "weights": weights,
        "floor": values["floor"] or "0",
        "tiebreaks": [
            values[f"tiebreak_{n}"] for n in range(1, TIEBREAK_SLOTS + 1) if values[f"tiebreak_{n}"]
        ],
        "status": values["status"] or OfferStatus.open.value,
    }
    if create:
        data |= {
            "program_id": values["program_id"],
            "code": values["code"],
            "name_vi": values["name_vi"] or None,
        }
    elif values["name_vi"]:  # blank on an edit: the name stays
        data["name_vi"] = values["name_vi"]
    return data, errors


def values_of(offer: AdmissionOffer) -> dict[str, Any]:
    values: dict[str, Any] = {
        "program_id": str(offer.program_id),
        "code": offer.code,
        "name_vi": offer.name_vi,
        "quota": str(offer.quota),
        "combinations": "\n".join(
            f"{code}={from_h(offset):.2f}" for code, offset in sorted(offer.combinations.items())
        ),
        "floor": f"{from_h(offer.floor_h):.2f}",
        "status": offer.status,
        "methods": list(offer.methods),
    }
    for m in Method:
        quota = offer.method_quotas.get(m.value)
        values[f"method_quota_{m.value}"] = "" if quota is None else str(quota)
    for n in range(1, TIEBREAK_SLOTS + 1):
        values[f"tiebreak_{n}"] = offer.tiebreaks[n - 1] if n <= len(offer.tiebreaks) else ""
    weighted = sorted((offer.weights or {}).items())
    for n in range(1, WEIGHT_SLOTS + 1):
        subject, weight = weighted[n - 1] if n <= len(weighted) else ("", "")
        values[f"weight_{n}"], values[f"weight_value_{n}"] = subject, str(weight)
    return values


def _options(request: Request, session: PageDB) -> dict[str, Any]:
    lang = get_lang(request)
    programs = list(session.scalars(select(Program).order_by(Program.code)))
    return {
        "programs": [(str(p.id), f"{p.code} — {p.name_vi}") for p in programs],
        "methods": [(m.value, label("method", m.value, lang)) for m in Method],
        "subjects": [(s.value, label("subject", s.value, lang)) for s in Subject],
        "weight_values": [("2", "× 2"), ("3", "× 3")],
        "tiebreak_options": [(s.value, label("subject", s.value, lang)) for s in Subject]
        + [(WISH_RANK, "Thứ tự nguyện vọng" if lang != "en" else "Wish order")],
        "statuses": [
            (OfferStatus.open.value, "Đang tuyển" if lang != "en" else "Open"),
            (OfferStatus.closed.value, "Ngừng tuyển" if lang != "en" else "Closed"),
        ],
    }


def _form_page(
    request: Request,
    session: PageDB,
    values: dict[str, Any],
    errors: FormErrors | None = None,
    offer: AdmissionOffer | None = None,
    status_code: int = 200,
) -> Response:
    session.rollback()  # nothing a refused save changed may show as saved
    return page(
        request,
        "admissions/offer_form.html",
        status_code=status_code,
        nav="admissions",
        year=current_year(session),
        offer=offer,
        values=values,
        errors=errors,
        labels=LABELS,
        slots=range(1, TIEBREAK_SLOTS + 1),
        weight_slots=range(1, WEIGHT_SLOTS + 1),
        **_options(request, session),
    )


def _empty() -> dict[str, Any]:
    values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
    values |= {"methods": [Method.exam.value], "floor": "0", "status": OfferStatus.open.value}
    return values


@router.get("/admissions/institution/offers/new")
def new_offer(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _officer(principal)
    return _form_page(request, session, _empty())


@router.post("/admissions/institution/offers")
def create_offer(
    request: Request, principal: PagePrincipal, session: PageDB, _csrf: CsrfChecked, form: PageForm
) -> Response:
    _officer(principal)
    lang = get_lang(request)
    values = _form(form)
    data, errors = _data(values, lang, create=True)
    status = 422
    year = current_year(session)
    if year is None:
        errors.general.append(
            "Chưa có kỳ tuyển sinh nào." if lang != "en" else "There is no admission year yet."
        )
    if not errors:
        try:
            service_offers.create_offer(session, OfferCreate.model_validate(data | {"year": year}))
        except ValidationError as exc:
            errors = from_validation(exc, LABELS, lang)
        except HemisError as exc:
            errors, status = from_hemis(exc, LABELS, lang), exc.status
        else:
            return RedirectResponse("/admissions/institution?saved=1", status_code=SEE_OTHER)
    return _form_page(request, session, values, errors, status_code=status)


@router.get("/admissions/institution/offers/{offer_id}/edit")
def edit_offer(
    request: Request, principal: PagePrincipal, session: PageDB, offer_id: int
) -> Response:
    _officer(principal)
    offer = service_offers.get_offer(session, offer_id)
    return _form_page(request, session, values_of(offer), offer=offer)


@router.post("/admissions/institution/offers/{offer_id}")
def update_offer(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    form: PageForm,
    offer_id: int,
) -> Response:
    _officer(principal)
    lang = get_lang(request)
    offer = service_offers.get_offer(session, offer_id)
    values = _form(form) | {"program_id": str(offer.program_id), "code": offer.code}
    data, errors = _data(values, lang, create=False)
    status = 422
    if not errors:
        try:
            service_offers.update_offer(session, offer_id, OfferUpdate.model_validate(data))
        except ValidationError as exc:
            errors = from_validation(exc, LABELS, lang)
        except HemisError as exc:
            errors, status = from_hemis(exc, LABELS, lang), exc.status
        else:
            return RedirectResponse("/admissions/institution?saved=1", status_code=SEE_OTHER)
    return _form_page(request, session, values, errors, offer=offer, status_code=status)
