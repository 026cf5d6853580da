"""Pages of the credentials: a learner issues and downloads their own; anyone verifies a file
(public: a verdict for any file, never an error page); officers and the ministry list issued
credentials and revoke one with a reason."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from hemis.competency.access import public_session
from hemis.competency.codes import method_label
from hemis.competency.credentials.verify import MAX_BYTES, Outcome
from hemis.competency.framework import framework
from hemis.competency.pages_targets import require_staff
from hemis.competency.service_credentials import (
    credentials_page,
    issue_credential,
    own_credential,
    own_credentials,
    revoke_credential,
    verify_file,
)
from hemis.competency.service_learners import own_competency
from hemis.errors import HemisError
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import Context, PageDB, PagePrincipal, find_principal, get_lang
from hemis.web.forms import FormErrors
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
BIG = 2**63 - 1
UuidPath = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


def own_page(request: Request, ctx: Context, principal: Any, **extra: Any) -> dict[str, Any]:
    lang = get_lang(request)
    return {
        "nav": "my-competency",
        "own": own_competency(ctx.sessions, principal),
        "credentials": own_credentials(ctx.sessions, principal),
        "fw": framework(),
        "method_label": lambda code: method_label(code, lang),
        **extra,
    }


@router.post("/me/competency/credentials")
def issue(
    request: Request,
    ctx: Context,
    principal: PagePrincipal,
    _csrf: CsrfChecked,
    learner_id: Annotated[int, Form(ge=1, le=BIG)],
) -> Response:
    try:
        issue_credential(ctx.sessions, ctx.settings, ctx.cipher, principal, learner_id)
    except HemisError as exc:
        context = own_page(request, ctx, principal, credential_error=exc.message(get_lang(request)))
        return render(request, "competency/own.html", context, status_code=exc.status)
    return RedirectResponse("/me/competency#credentials", status_code=303)


@router.get("/me/competency/credentials/{credential_uuid}.json")
def download(ctx: Context, principal: PagePrincipal, credential_uuid: UuidPath) -> Response:
    row = own_credential(ctx.sessions, principal, credential_uuid)
    return Response(
        row.document.encode(),
        media_type="application/vc+ld+json",
        headers={
            "Content-Disposition": f'attachment; filename="nang-luc-so-{credential_uuid}.json"'
        },
    )


@router.get("/competency/verify")
def verify_form(request: Request, ctx: Context) -> Response:
    find_principal(request, ctx)  # the header shows who is logged in, if anyone
    return render(request, "competency/verify.html", {"nav": "competency", "outcome": None})


@router.post("/competency/verify")
async def verify_submit(
    request: Request,
    ctx: Context,
    file: Annotated[UploadFile | None, File()] = None,
    credential: Annotated[str, Form(max_length=MAX_BYTES)] = "",
) -> Response:
    """Public and stateless (nothing changes): no session, so no CSRF token to check."""
    await run_in_threadpool(find_principal, request, ctx)
    raw: bytes | str = credential
    if file is not None and file.filename:
        raw = await file.read(MAX_BYTES + 1)
    errors = FormErrors()
    if not raw:
        errors.add(
            "credential",
            "Tệp chứng nhận: hãy chọn tệp hoặc dán nội dung"
            if get_lang(request) == "vi"
            else "Credential file: choose a file or paste its content",
        )
        return render(
            request,
            "competency/verify.html",
            {"nav": "competency", "outcome": None, "errors": errors},
            status_code=422,
        )

    def check() -> Outcome:
        with public_session(ctx) as session:
            return verify_file(session, ctx.settings, raw)

    outcome = await run_in_threadpool(check)
    return render(
        request,
        "competency/verify.html",
        {"nav": "competency", "outcome": outcome, "fw": framework()},
    )


@router.get("/competency/credentials")
def credentials(request: Request, principal: PagePrincipal, session: PageDB) -> Response:
    require_staff(principal)
    return render(
        request,
        "competency/credentials.html",
        {"nav": "competency", "rows": credentials_page(session)},
    )


@router.post("/competency/credentials/{credential_id}/revoke")
def revoke(
    request: Request,
    principal: PagePrincipal,
    session: PageDB,
    _csrf: CsrfChecked,
    credential_id: Annotated[int, Path(ge=1, le=BIG)],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    require_staff(principal)
    lang = get_lang(request)
    try:
        revoke_credential(session, credential_id, reason)
    except HemisError as exc:
        session.rollback()
        errors = FormErrors()
        if exc.code == "validation_failed":
            errors.add(
                f"reason-{credential_id}",
                "Lý do thu hồi: không được để trống" if lang == "vi" else "Reason: required",
            )
        else:
            errors.general.append(exc.message(lang))
        return render(
            request,
            "competency/credentials.html",
            {
                "nav": "competency",
                "rows": credentials_page(session),
                "errors": errors,
                "typed": {credential_id: reason},
            },
            status_code=exc.status,
        )
    return RedirectResponse(f"/competency/credentials#credential-{credential_id}", 303)
