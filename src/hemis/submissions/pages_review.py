"""HTML pages of one submission: its status and versions, the warnings with the institution's
answers, the head's sign-off, and the ministry's decisions (accept, return, overrides)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.responses import Response

from hemis.errors import HemisError
from hemis.registry import queries as registry_queries
from hemis.registry.models import ReportingPeriod
from hemis.submissions import service
from hemis.submissions.pages import page_context, require_submitter
from hemis.submissions.rules import REVIEW_EVENT_LABELS, AnswerKind
from hemis.submissions.schemas import AnswerCreate, Decision, ReviewBody, SignOffBody
from hemis.web import forms
from hemis.web.confirm import Confirmed, confirmation_page, is_confirmed
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]


def _back(submission_id: int) -> Response:
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


# Labels of the form fields, for the messages of a refused form.
LABELS = {
    "head_name": ("Họ tên người đứng đầu", "Head's name"),
    "head_title": ("Chức vụ", "Title"),
    "text": ("Giải trình", "Explanation"),
    "kind": ("Loại trả lời", "Kind of answer"),
    "entity": ("Loại dữ liệu", "Entity"),
    "rule": ("Quy tắc", "Rule"),
}


def _pick(pair: tuple[str, str], request: Request) -> str:
    return pair[1] if get_lang(request) == "en" else pair[0]


def _detail(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    submission_id: int,
    *,
    errors: list[str] | None = None,
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The submission's page; after a refused form, with its messages and what was typed."""
    require_submitter(principal)
    sub = service.get_submission(session, submission_id)
    answers = {(a.entity, a.rule): a for a in service.answers_of(session, sub.id)}
    warnings = [(w, answers.get((w.entity, w.rule))) for w in service.warnings_of(session, sub)]
    context = page_context(
        request,
        sub=sub,
        warnings=warnings,
        answers=list(answers.values()),
        jobs=service.jobs_of(session, sub.id),
        snapshots=service.snapshots_of(session, sub.id) if sub.snapshot_sha256 else [],
        officer=not principal.role.national,
        signatory=service.may_sign_off(session, sub),
        admin=principal.role.national and principal.role.writable,
        errors=errors or [],
        form=form or {},
        thread=service.thread_of(session, sub.id),
        event_label=lambda code: _pick(REVIEW_EVENT_LABELS.get(code, (code, code)), request),
        institution=registry_queries.get_institution(session, sub.institution_id),
        period=session.get(ReportingPeriod, sub.period_id),
    )
    return render(request, "submissions/detail.html", context, status_code=status_code)


def _refused(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    submission_id: int,
    exc: ValidationError | HemisError,
    form: dict[str, Any],
) -> Response:
    """The page again, with the form as typed: 422 for values the form refused, else the
    error's own status."""
    session.rollback()
    if isinstance(exc, ValidationError):
        messages, status_code = forms.validation_messages(request, exc, LABELS), 422
    else:
        messages, status_code = forms.error_messages(request, exc), exc.status
    return _detail(
        request,
        principal,
        session,
        submission_id,
        errors=messages,
        form=form,
        status_code=status_code,
    )


@router.get("/submissions/{submission_id}")
def submission_page(
    request: Request, principal: PagePrincipal, session: PageDB, submission_id: int
) -> Response:
    return _detail(request, principal, session, submission_id)


@router.post("/submissions/{submission_id}/validate")
def validate(
    principal: PagePrincipal, session: PageDB, _csrf: CsrfChecked, submission_id: int
) -> Response:
    service.validate_submission(session, submission_id)
    return _back(submission_id)


@router.post("/submissions/{submission_id}/answers")
def answer(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    entity: Annotated[str, Form(max_length=40)],
    rule: Annotated[str, Form(max_length=80)],
    kind: Annotated[AnswerKind, Form()],
    text: Text,
) -> Response:
    try:
        body = AnswerCreate(entity=entity, rule=rule, kind=kind, text=text)
        service.answer_warning(session, submission_id, body)
    except (ValidationError, HemisError) as exc:
        form = {"answer": {"entity": entity, "rule": rule, "kind": kind.value, "text": text}}
        return _refused(request, principal, session, submission_id, exc, form)
    return _back(submission_id)


@router.post("/submissions/{submission_id}/sign-off")
def sign_off(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    head_name: Annotated[str, Form(max_length=150)],
    head_title: Annotated[str, Form(max_length=150)],
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    try:
        body = SignOffBody(head_name=head_name, head_title=head_title, confirm=confirm)
        service.sign_off(session, submission_id, body)
    except (ValidationError, HemisError) as exc:
        form = {"sign_off": {"head_name": head_name, "head_title": head_title}}
        return _refused(request, principal, session, submission_id, exc, form)
    return _back(submission_id)


def _confirm_review(
    request: Request, session: PageDB, submission_id: int, comment: str | None, *, accept: bool
) -> Response:
    """Accepting or returning a submission is final for that version: ask first."""
    sub = service.get_submission(session, submission_id)
    fields = {"comment": comment or ""}
    details = [("Ý kiến: " + comment, "Comment: " + comment)] if comment else []
    if accept:
        return confirmation_page(
            request,
            title=("Chấp nhận bản nộp?", "Accept this submission?"),
            consequence=(
                f"Bản nộp (phiên bản {sub.version}) được chấp nhận và trở thành số liệu chính "
                "thức của kỳ báo cáo; không thể trả lại sau đó.",
                f"The submission (version {sub.version}) is accepted and becomes the period's "
                "official data; it cannot be returned afterwards.",
            ),
            details=details,
            fields=fields,
            button=("Chấp nhận", "Accept"),
            cancel_url=f"/submissions/{submission_id}",
            nav="submissions",
        )
    return confirmation_page(
        request,
        title=("Trả lại bản nộp?", "Return this submission?"),
        consequence=(
            "Bản nộp được trả lại cho cơ sở đào tạo để sửa và nộp lại phiên bản mới.",
            "The submission goes back to the institution, to be corrected and submitted again "
            "as a new version.",
        ),
        details=details,
        fields=fields,
        button=("Trả lại", "Return"),
        cancel_url=f"/submissions/{submission_id}",
        nav="submissions",
    )


@router.post("/submissions/{submission_id}/accept")
def accept(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    comment: Annotated[str | None, Form(max_length=4000)] = None,
    confirmed: Confirmed = None,
) -> Response:
    if not is_confirmed(confirmed):
        return _confirm_review(request, session, submission_id, comment, accept=True)
    try:
        service.accept(session, submission_id, ReviewBody(comment=comment))
    except (ValidationError, HemisError) as exc:
        form = {"review": {"comment": comment}}
        return _refused(request, principal, session, submission_id, exc, form)
    return _back(submission_id)


@router.post("/submissions/{submission_id}/return")
def return_submission(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    comment: Annotated[str | None, Form(max_length=4000)] = None,
    confirmed: Confirmed = None,
) -> Response:
    # without a reason the service refuses it on the page itself: nothing to confirm yet
    if comment and comment.strip() and not is_confirmed(confirmed):
        return _confirm_review(request, session, submission_id, comment, accept=False)
    try:
        service.return_submission(session, submission_id, ReviewBody(comment=comment))
    except (ValidationError, HemisError) as exc:
        form = {"review": {"comment": comment}}
        return _refused(request, principal, session, submission_id, exc, form)
    return _back(submission_id)


@router.post("/submissions/answers/{answer_id}/decision")
def decide(
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    answer_id: int,
    approve: Annotated[bool, Form()] = False,
    comment: Annotated[str | None, Form(max_length=4000)] = None,
) -> Response:
    answer = service.decide(session, answer_id, Decision(approve=approve, comment=comment))
    return _back(answer.submission_id)
