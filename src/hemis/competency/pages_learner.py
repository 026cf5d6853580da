"""A learner's own pages ("Năng lực số của tôi"): their enrolments, each with its competency
profile against the program's targets, their self-assessments (always marked self-assessed,
never counted) with the questionnaire, and (for officers) issuing a learner account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.competency import selfcheck
from hemis.competency.codes import method_label
from hemis.competency.framework import framework
from hemis.competency.pages_credentials import own_page
from hemis.competency.pages_targets import require_staff
from hemis.competency.profile import profile_of
from hemis.competency.service_learners import (
    issue_learner_account,
    record_self_assessment,
    require_personal,
)
from hemis.errors import HemisError, NotFound
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import Context, PageDB, PagePrincipal, get_lang
from hemis.web.forms import FormErrors
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
CodePath = Annotated[str, Path(max_length=4, pattern=r"^[0-9]\.[0-9]$")]
BIG = 2**63 - 1


@router.get("/me/competency")
def my_competency(request: Request, ctx: Context, principal: PagePrincipal) -> Response:
    return render(request, "competency/own.html", own_page(request, ctx, principal))


def _questionnaire(
    request: Request,
    code: str,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    if code not in framework().codes:
        raise NotFound("năng lực / competency", code)
    return render(
        request,
        "competency/selfcheck.html",
        {
            "nav": "my-competency",
            "competency": framework().competency(code),
            "statements": selfcheck.statements(code),
            "answer_labels": selfcheck.ANSWER_LABELS,
            "values": values or {},
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/me/competency/self/{code}")
def self_form(request: Request, principal: PagePrincipal, code: CodePath) -> Response:
    require_personal(principal)
    return _questionnaire(request, code)


@router.post("/me/competency/self/{code}")
def self_submit(
    request: Request,
    ctx: Context,
    principal: PagePrincipal,
    _csrf: CsrfChecked,
    code: CodePath,
    q1: Annotated[str, Form(max_length=2)] = "",
    q2: Annotated[str, Form(max_length=2)] = "",
    q3: Annotated[str, Form(max_length=2)] = "",
    q4: Annotated[str, Form(max_length=2)] = "",
) -> Response:
    require_personal(principal)
    typed = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
    lang = get_lang(request)
    errors = FormErrors()
    for n, (name, value) in enumerate(typed.items(), start=1):
        if value.strip() not in ("0", "1", "2"):
            errors.add(
                name,
                f"Câu {n}: hãy chọn một câu trả lời"
                if lang == "vi"
                else f"Statement {n}: choose an answer",
            )
    if errors:
        return _questionnaire(request, code, typed, errors, 422)
    try:
        record_self_assessment(ctx.sessions, principal, code, [int(v) for v in typed.values()])
    except HemisError as exc:
        errors.general.append(exc.message(lang))
        return _questionnaire(request, code, typed, errors, exc.status)
    return RedirectResponse(f"/me/competency#self-{code}", status_code=303)


@router.post("/competency/learners/{learner_id}/account")
def issue_account(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    learner_id: Annotated[int, Path(ge=1, le=BIG)],
) -> Response:
    """An officer issues a learner account; the one-time password is shown once."""
    require_staff(principal)
    lang = get_lang(request)
    profile = profile_of(session, learner_id)
    context = {
        "nav": "competency",
        "profile": profile,
        "method_label": lambda c: method_label(c, lang),
    }
    try:
        issued = issue_learner_account(session, learner_id)
    except HemisError as exc:
        session.rollback()
        context["account_error"] = exc.message(lang)
        return render(request, "competency/learner.html", context, status_code=exc.status)
    context["issued"] = issued
    return render(request, "competency/learner.html", context)
