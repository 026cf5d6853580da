"""'Hồ sơ của tôi' (my records): a candidate's or learner's own HEMIS records — enrolments at
every institution, their status history, term results and awards — found through the person
their account is linked to."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.responses import Response

from hemis.admissions.access import linked_person
from hemis.common.crypto import mask
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import Forbidden
from hemis.registry.codes import Classification, LearnerStatus, Level, StudyMode
from hemis.registry.labels import Lang, label
from hemis.registry.queries_own import own_records
from hemis.web.deps import Context, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
ENUMS = {
    "status": LearnerStatus,
    "classification": Classification,
    "level": Level,
    "study_mode": StudyMode,
}


@router.get("/me/records")
def my_records(request: Request, ctx: Context, principal: PagePrincipal) -> Response:
    if not principal.role.personal:
        raise Forbidden(
            "Trang này dành cho thí sinh và người học.",
            "This page is for candidates and learners.",
        )
    lang: Lang = "en" if get_lang(request) == "en" else "vi"
    # National and read-only: a person's enrolments are at many institutions; every query below
    # is filtered by the person linked to this account.
    scope = Scope(f"user:{principal.user_id}", None, False, "self")
    with scoped_session(ctx.sessions, scope) as session:
        person_id = linked_person(session, principal.user_id)
        records = own_records(session, person_id) if person_id is not None else None
        masked = (
            mask(ctx.cipher.decrypt(records.person.national_id_enc))
            if records and records.person
            else ""
        )

    return render(
        request,
        "records.html",
        {"nav": "records", "records": records, "masked_id": masked, "code": record_label(lang)},
    )


def record_label(lang: str) -> Callable[[str, str], str]:
    """`code(kind, value)` of records.html: a record's codes by name."""
    chosen: Lang = "en" if lang == "en" else "vi"

    def code(kind: str, value: str) -> str:
        try:
            return label(value, chosen, enum=ENUMS[kind])
        except (KeyError, ValueError):
            return value

    return code
