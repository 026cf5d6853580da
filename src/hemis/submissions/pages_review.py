"""HTML pages of one submission: its status and versions, the warnings with the institution's
answers, the head's sign-off, and the ministry's decisions (accept, return, overrides)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from hemis.submissions import service
from hemis.submissions.pages import page_context, require_submitter
from hemis.submissions.rules import AnswerKind
from hemis.submissions.schemas import AnswerCreate, Decision, ReviewBody, SignOffBody
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import PageDB, PagePrincipal
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=4000)]


def _back(submission_id: int) -> Response:
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


@router.get("/submissions/{submission_id}")
def submission_page(
    request: Request, principal: PagePrincipal, session: PageDB, submission_id: int
) -> Response:
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
    )
    return render(request, "submissions/detail.html", context)


@router.post("/submissions/{submission_id}/validate")
def validate(
    principal: PagePrincipal, session: PageDB, _csrf: CsrfChecked, submission_id: int
) -> Response:
    service.validate_submission(session, submission_id)
    return _back(submission_id)


@router.post("/submissions/{submission_id}/answers")
def answer(
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    entity: Annotated[str, Form(max_length=40)],
    rule: Annotated[str, Form(max_length=80)],
    kind: Annotated[AnswerKind, Form()],
    text: Text,
) -> Response:
    body = AnswerCreate(entity=entity, rule=rule, kind=kind, text=text)
    service.answer_warning(session, submission_id, body)
    return _back(submission_id)


@router.post("/submissions/{submission_id}/sign-off")
def sign_off(
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    head_name: Annotated[str, Form(max_length=150)],
    head_title: Annotated[str, Form(max_length=150)],
    confirm: Annotated[bool, Form()] = False,
) -> Response:
    body = SignOffBody(head_name=head_name, head_title=head_title, confirm=confirm)
    service.sign_off(session, submission_id, body)
    return _back(submission_id)


@router.post("/submissions/{submission_id}/accept")
def accept(
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    comment: Annotated[str | None, Form(max_length=4000)] = None,
) -> Response:
    service.accept(session, submission_id, ReviewBody(comment=comment))
    return _back(submission_id)


@router.post("/submissions/{submission_id}/return")
def return_submission(
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    submission_id: int,
    comment: Annotated[str | None, Form(max_length=4000)] = None,
) -> Response:
    service.return_submission(session, submission_id, ReviewBody(comment=comment))
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
