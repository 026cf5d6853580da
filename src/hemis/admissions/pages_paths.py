"""Pages of bonus points and admission outside the matching.

Institution officers: their language-certificate conversion table of the current year (điểm
cộng, published or replaced), and their direct and priority admissions (Art. 8: grant one to a
candidate found by candidate number or national ID, list them with the candidates' answers).
Ministry: candidates' certificates and awards with their provenance (analysts read, admins
write). The same schemas and services as the API validate every form; a refused form comes back
with what was typed, each problem next to its field, and nothing written.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.responses import Response

from hemis.accounts.roles import Role
from hemis.admissions import service_paths
from hemis.admissions.codes import (
    CERTIFICATE_MAX_H,
    AchievementKind,
    AdmissionPath,
    Award,
    Certificate,
    OfferStatus,
    label,
)
from hemis.admissions.models import (
    AdmissionOffer,
    BonusTable,
    CandidateAchievement,
    ExamRegistration,
)
from hemis.admissions.pages_common import page
from hemis.admissions.pages_staff import _ministry, _officer
from hemis.admissions.queries import current_year
from hemis.admissions.rules import from_h
from hemis.admissions.schemas_paths import (
    AchievementCreate,
    BonusTableCreate,
    DirectAdmissionCreate,
)
from hemis.errors import Forbidden, HemisError
from hemis.registry.service_people import find_person_by_national_id
from hemis.web import formats
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import CipherDep, PageDB, PagePrincipal, get_lang
from hemis.web.forms import (
    FormErrors,
    PageForm,
    from_hemis,
    from_validation,
    problem,
    texts_of,
)

router = APIRouter(include_in_schema=False)
SEE_OTHER = 303
BONUS = "/admissions/institution/bonus"
PATHS = "/admissions/institution/direct"
ACHIEVEMENTS = "/admissions/ministry/achievements"

_NO_YEAR = ("Chưa có kỳ tuyển sinh nào.", "There is no admission year yet.")


def _t(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _number(text: str) -> str:
    """A decimal typed with a comma or a point ("6,5" or "6.5") as the schema reads it."""
    return text.replace(",", ".")


def _above_scale(code: str, score: str) -> bool:
    """A certificate's score above its own scale (IELTS 9, TOEFL iBT 120, …)."""
    try:
        return Decimal(score) * 100 > CERTIFICATE_MAX_H[code]
    except (InvalidOperation, KeyError):
        return False  # not a number or not a certificate: the schema says so


# --- the bonus-point table (language certificates) ------------------------------------------------

BONUS_LABELS: dict[str, tuple[str, str]] = {
    "rows": ("Bảng quy đổi", "Conversion table"),
    "source": ("Nơi công bố", "Where it is published"),
}
_ROW = re.compile(
    r"^([A-Za-z][A-Za-z_/ ]*?)\s+(\d+(?:[.,]\d+)?)\s*(?:=|:|->|→)\s*(\d+(?:[.,]\d+)?)$"
)
# A certificate typed by its name ("IELTS", "TOEFL iBT", "DELF/DALF") or its code.
_CERTIFICATES: dict[str, str] = {
    key.casefold(): c.value
    for c in Certificate
    for key in (c.value, label("certificate", c.value, "vi"))
}


def parse_bonus_rows(text: str, lang: str) -> tuple[list[dict[str, str]], FormErrors]:
    """One row a line: `ielts 6.5 = 1.25` (certificate, lowest score, bonus points on 30)."""
    rows: list[dict[str, str]] = []
    bad: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry:
            continue
        match = _ROW.match(entry)
        if match is None:
            bad.append(str(n))
            continue
        code, minimum, points = match.groups()
        code = _CERTIFICATES.get(" ".join(code.split()).casefold(), code)
        rows.append({"code": code, "minimum": _number(minimum), "points": _number(points)})
    if bad:
        lines = ", ".join(bad[:5])
        return rows, problem(
            "rows",
            BONUS_LABELS,
            f"không đọc được dòng {lines} (viết theo mẫu ielts 6.5 = 1.25)",
            f"line {lines} not understood (write ielts 6.5 = 1.25)",
            lang,
        )
    if not rows:
        return rows, problem(
            "rows", BONUS_LABELS, "cần ít nhất một dòng", "needs at least one row", lang
        )
    return rows, FormErrors()


def _bonus_check(rows: list[dict[str, str]], lang: str) -> FormErrors:
    """The table's own rule words (a code not a certificate, a score above its scale) said next
    to the field, before the schema's English-only value errors."""
    known = {c.value for c in Certificate}
    for row in rows:
        if row["code"] not in known:
            return problem(
                "rows",
                BONUS_LABELS,
                f"không có chứng chỉ {row['code']} trong danh sách",
                f"{row['code']} is not a listed certificate",
                lang,
            )
        if _above_scale(row["code"], row["minimum"]):
            name = label("certificate", row["code"])
            return problem(
                "rows",
                BONUS_LABELS,
                f"{name} {row['minimum']} vượt thang điểm của chứng chỉ",
                f"{name} {row['minimum']} is above the certificate's scale",
                lang,
            )
    return FormErrors()


def _bonus_text(table: BonusTable | None) -> str:
    if table is None:
        return ""
    return "\n".join(
        f"{label('certificate', r.code)} {r.minimum} = {r.points}"
        for r in service_paths.bonus_rows(table)
    )


def _bonus_table(session: PageDB, year: int | None) -> BonusTable | None:
    if year is None:
        return None
    return session.scalar(
        select(BonusTable).where(
            BonusTable.year == year, BonusTable.kind == AchievementKind.language.value
        )
    )


def _bonus_page(
    request: Request,
    session: PageDB,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    session.rollback()  # nothing a refused save changed may show as saved
    year = current_year(session)
    table = _bonus_table(session, year)
    if values is None:
        values = {"rows": _bonus_text(table), "source": table.source if table else ""}
    lang = get_lang(request)
    return page(
        request,
        "admissions/bonus.html",
        status_code=status_code,
        nav="admissions",
        year=year,
        table=table,
        rows=service_paths.bonus_rows(table) if table else [],
        values=values,
        errors=errors,
        labels=BONUS_LABELS,
        certificates=[(c.value, label("certificate", c.value, lang)) for c in Certificate],
        fmt=lambda v: formats.number(v, 2, lang),
    )


@router.get(BONUS)
def bonus_table(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _officer(principal)
    return _bonus_page(request, session)


@router.post(BONUS)
def publish_bonus_table(
    request: Request, principal: PagePrincipal, session: PageDB, _csrf: CsrfChecked, form: PageForm
) -> Response:
    _officer(principal)
    lang = get_lang(request)
    values = texts_of(form, BONUS_LABELS)
    rows, errors = parse_bonus_rows(values["rows"], lang)
    if not errors:
        errors = _bonus_check(rows, lang)
    year = current_year(session)
    if year is None:
        errors.general.append(_t(_NO_YEAR, lang))
    status = 422
    if not errors:
        data = {"year": year, "kind": AchievementKind.language.value, "rows": rows}
        try:
            body = BonusTableCreate.model_validate(data | {"source": values["source"]})
            service_paths.publish_bonus_table(session, body)
        except ValidationError as exc:
            errors = from_validation(exc, BONUS_LABELS, lang)
        except HemisError as exc:
            errors, status = from_hemis(exc, BONUS_LABELS, lang), exc.status
        else:
            return RedirectResponse(f"{BONUS}?saved=1", status_code=SEE_OTHER)
    return _bonus_page(request, session, values, errors, status)


# --- direct and priority admission ----------------------------------------------------------------

PATH_LABELS: dict[str, tuple[str, str]] = {
    "candidate": ("Số báo danh hoặc số định danh cá nhân", "Candidate number or national ID"),
    "candidate_number": ("Số báo danh", "Candidate number"),
    "offer_id": ("Ngành xét tuyển", "Offer"),
    "path": ("Hình thức", "Path"),
    "basis": ("Căn cứ", "Basis"),
}
PATH_FIELDS = ("candidate", "offer_id", "path", "basis")
_CANDIDATE_NUMBER = re.compile(r"^\d{8}$")
_NATIONAL_ID = re.compile(r"^\d{12}$")


def candidate_number_of(
    session: PageDB, cipher: CipherDep, year: int, typed: str, lang: str
) -> tuple[str, FormErrors]:
    """The candidate number a typed candidate number or national ID stands for in the year."""
    if _CANDIDATE_NUMBER.match(typed):
        return typed, FormErrors()
    if _NATIONAL_ID.match(typed):
        person = find_person_by_national_id(session, cipher, typed)
        found = (
            None
            if person is None
            else session.scalar(
                select(ExamRegistration.candidate_number).where(
                    ExamRegistration.year == year, ExamRegistration.person_id == person.id
                )
            )
        )
        if found is not None:
            return found, FormErrors()
        return "", problem(
            "candidate",
            PATH_LABELS,
            "không có thí sinh với số định danh này trong năm tuyển sinh",
            "no candidate with this national ID in the year",
            lang,
        )
    return "", problem(
        "candidate",
        PATH_LABELS,
        "nhập số báo danh (8 chữ số) hoặc số định danh cá nhân (12 chữ số)",
        "type a candidate number (8 digits) or a national ID (12 digits)",
        lang,
    )


def _paths_page(
    request: Request,
    session: PageDB,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    session.rollback()
    lang = get_lang(request)
    year = current_year(session)
    offers: list[AdmissionOffer] = []
    granted: list[Any] = []
    numbers: dict[int, str] = {}
    if year is not None:
        offers = list(
            session.scalars(
                select(AdmissionOffer)
                .where(AdmissionOffer.year == year, AdmissionOffer.status == OfferStatus.open.value)
                .order_by(AdmissionOffer.code)
            )
        )
        granted = service_paths.institution_paths(session, year)
        people = {g.person_id for g in granted}
        if people:
            found = session.execute(
                select(ExamRegistration.person_id, ExamRegistration.candidate_number).where(
                    ExamRegistration.year == year, ExamRegistration.person_id.in_(people)
                )
            )
            numbers = {int(row[0]): str(row[1]) for row in found}
    names = {o.id: f"{o.code} — {o.name_vi}" for o in offers}
    return page(
        request,
        "admissions/paths.html",
        status_code=status_code,
        nav="admissions",
        year=year,
        offers=[(str(o.id), names[o.id]) for o in offers],
        offer_names=names,
        granted=granted,
        numbers=numbers,
        paths=[(p.value, label("path", p.value, lang)) for p in AdmissionPath],
        values=values or {"path": AdmissionPath.direct.value},
        errors=errors,
        labels=PATH_LABELS,
    )


@router.get(PATHS)
def paths(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _officer(principal)
    return _paths_page(request, session)


@router.post(PATHS)
def grant_path(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    cipher: CipherDep,
    _csrf: CsrfChecked,
    form: PageForm,
) -> Response:
    _officer(principal)
    lang = get_lang(request)
    values = texts_of(form, PATH_FIELDS)
    year = current_year(session)
    status = 422
    if year is None:
        errors = FormErrors(general=[_t(_NO_YEAR, lang)])
    else:
        number, errors = candidate_number_of(session, cipher, year, values["candidate"], lang)
    if not errors:
        data = {
            "year": year,
            "candidate_number": number,
            "offer_id": values["offer_id"] or None,
            "path": values["path"] or None,
            "basis": values["basis"],
        }
        try:
            service_paths.grant_path(session, DirectAdmissionCreate.model_validate(data))
        except ValidationError as exc:
            errors = from_validation(exc, PATH_LABELS, lang)
        except HemisError as exc:
            errors, status = from_hemis(exc, PATH_LABELS, lang), exc.status
            if exc.code == "path.duplicate":
                # the candidate and the offer together are the problem: said at the candidate
                errors = FormErrors().merge(
                    problem(
                        "candidate",
                        PATH_LABELS,
                        "thí sinh đã có quyết định cho ngành này",
                        "the candidate already has a decision for this offer",
                        lang,
                    )
                )
        else:
            return RedirectResponse(f"{PATHS}?saved=1", status_code=SEE_OTHER)
    # candidate_number problems belong to what was typed in the candidate field
    if errors and errors.get("candidate_number"):
        moved = errors.fields.pop("candidate_number").split(": ", 1)[-1]
        errors.add("candidate", f"{_t(PATH_LABELS['candidate'], lang)}: {moved}")
    return _paths_page(request, session, values, errors, status)


# --- the ministry: candidates' certificates and awards --------------------------------------------

ACHIEVEMENT_LABELS: dict[str, tuple[str, str]] = {
    "candidate_number": ("Số báo danh", "Candidate number"),
    "kind": ("Loại", "Kind"),
    "code": ("Chứng chỉ hoặc giải", "Certificate or award"),
    "score": ("Điểm chứng chỉ", "Certificate score"),
    "detail": ("Chi tiết (môn, lĩnh vực)", "Detail (subject, field)"),
    "source": ("Đơn vị cấp", "Issued by"),
    "document": ("Số hiệu văn bản", "Document number"),
    "issued_on": ("Ngày cấp", "Issued on"),
}
_ACHIEVEMENT_HINTS: dict[str, tuple[str, str]] = {
    "code": ("không khớp với loại đã chọn", "does not match the chosen kind")
}
LIST_LIMIT = 200


def _achievement_rule(values: dict[str, str], lang: str) -> FormErrors:
    """The schema's cross-field rules worded next to their fields (its own messages are
    English-only value errors)."""
    kind, code, score = values["kind"], values["code"], values["score"]
    if kind == AchievementKind.language.value:
        if code not in {c.value for c in Certificate}:
            return problem(
                "code",
                ACHIEVEMENT_LABELS,
                "chọn một chứng chỉ ngoại ngữ",
                "choose a language certificate",
                lang,
            )
        if not score:
            return problem(
                "score",
                ACHIEVEMENT_LABELS,
                "chứng chỉ cần có điểm",
                "a certificate needs its score",
                lang,
            )
        if _above_scale(code, _number(score)):
            return problem(
                "score",
                ACHIEVEMENT_LABELS,
                "vượt thang điểm của chứng chỉ",
                "is above the certificate's scale",
                lang,
            )
    elif kind == AchievementKind.award.value:
        if code not in {a.value for a in Award}:
            return problem(
                "code", ACHIEVEMENT_LABELS, "chọn một giải thưởng", "choose an award", lang
            )
        if score:
            return problem(
                "score",
                ACHIEVEMENT_LABELS,
                "giải thưởng không có điểm",
                "an award has no score",
                lang,
            )
    return FormErrors()


def _achievements_page(
    request: Request,
    session: PageDB,
    principal: PagePrincipal,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    session.rollback()
    lang = get_lang(request)
    year = current_year(session)
    rows: list[tuple[CandidateAchievement, str]] = []
    if year is not None:
        rows = [
            (a, n)
            for a, n in session.execute(
                select(CandidateAchievement, ExamRegistration.candidate_number)
                .join(
                    ExamRegistration,
                    (ExamRegistration.person_id == CandidateAchievement.person_id)
                    & (ExamRegistration.year == CandidateAchievement.year),
                )
                .where(CandidateAchievement.year == year)
                .order_by(ExamRegistration.candidate_number, CandidateAchievement.code)
                .limit(LIST_LIMIT)
            )
        ]
    codes = [(c.value, label("certificate", c.value, lang)) for c in Certificate] + [
        (a.value, label("award", a.value, lang)) for a in Award
    ]
    return page(
        request,
        "admissions/achievements.html",
        status_code=status_code,
        nav="admissions",
        year=year,
        rows=rows,
        limit=LIST_LIMIT,
        can_write=principal.role is Role.ministry_admin,
        kinds=[(k.value, label("achievement_kind", k.value, lang)) for k in AchievementKind],
        codes=codes,
        values=values or {"kind": AchievementKind.language.value},
        errors=errors,
        labels=ACHIEVEMENT_LABELS,
        score_of=lambda a: "—" if a.score_h is None else formats.number(from_h(a.score_h), 2, lang),
        date=formats.date,
    )


@router.get(ACHIEVEMENTS)
def achievements(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    _ministry(principal)
    return _achievements_page(request, session, principal)


@router.post(ACHIEVEMENTS)
def record_achievement(
    request: Request, principal: PagePrincipal, session: PageDB, _csrf: CsrfChecked, form: PageForm
) -> Response:
    if principal.role is not Role.ministry_admin:
        raise Forbidden(
            "Chỉ quản trị viên của Bộ được ghi chứng chỉ, giải thưởng.",
            "Only a ministry administrator may record certificates and awards.",
        )
    lang = get_lang(request)
    values = texts_of(form, ACHIEVEMENT_LABELS)
    year = current_year(session)
    errors = _achievement_rule(values, lang)
    if year is None:
        errors.general.append(_t(_NO_YEAR, lang))
    status = 422
    if not errors:
        data: dict[str, Any] = {k: v for k, v in values.items() if v}
        data["score"] = _number(values["score"]) or None
        try:
            service_paths.record_achievement(
                session, AchievementCreate.model_validate(data | {"year": year})
            )
        except ValidationError as exc:
            errors = from_validation(exc, ACHIEVEMENT_LABELS, lang, _ACHIEVEMENT_HINTS)
        except HemisError as exc:
            errors, status = from_hemis(exc, ACHIEVEMENT_LABELS, lang), exc.status
        else:
            return RedirectResponse(f"{ACHIEVEMENTS}?saved=1", status_code=SEE_OTHER)
    return _achievements_page(request, session, principal, values, errors, status)
