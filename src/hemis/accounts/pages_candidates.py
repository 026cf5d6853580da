"""A high school issues its candidates' accounts: the officer (or the ministry, for any school)
uploads the list of pupils; the accounts are made with one-time passwords, shown once on the
page and offered as a file, and must be changed at the first login."""

from __future__ import annotations

import base64
import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse, Response

from hemis.accounts import service_candidates as candidates
from hemis.accounts.candidate_list import TEMPLATE_CSV, read_candidate_list
from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.accounts.service import NO_INSTITUTION, Principal
from hemis.common.spreadsheet import csv_text
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import Forbidden, HemisError, ValidationFailed
from hemis.web.csrf import CsrfChecked
from hemis.web.deps import Context, PagePrincipal, get_lang
from hemis.web.templating import render

router = APIRouter(include_in_schema=False)
PATH = "/school/candidates"
MAX_BYTES = 5 * 1024 * 1024
SCHOOL_CODE = re.compile(r"^[0-9A-Za-z]{2,10}$")
CREDENTIALS_HEADER = (
    "Dòng / Row",
    "Họ và tên / Full name",
    "Ngày sinh / Date of birth",
    "Số định danh (3 số cuối) / National ID (last 3)",
    "Tên đăng nhập / Username",
    "Mật khẩu một lần / One-time password",
)


def _own_school(ctx: Context, principal: Principal) -> str | None:
    """The school of a school officer; None for the ministry (which names one); others are
    refused."""
    if principal.role is Role.ministry_admin:
        return None
    if principal.role is not Role.school_officer:
        raise Forbidden(
            "Chỉ cán bộ trường THPT hoặc Bộ GD&ĐT được cấp tài khoản thí sinh.",
            "Only a high-school officer or the ministry may issue candidate accounts.",
        )
    with scoped_session(ctx.sessions, Scope.system("school")) as session:
        user = session.get(User, principal.user_id)
        code = user.school_code if user is not None else None
    if not code:
        raise Forbidden()
    return code


def _scope(principal: Principal) -> Scope:
    if principal.role is Role.ministry_admin:
        return Scope(f"user:{principal.user_id}", None, True, "ministry")
    # Persons and accounts are national tables; institution 0 keeps every tenant row out of reach.
    return Scope(f"user:{principal.user_id}", NO_INSTITUTION, True, Role.school_officer.value)


def _page(
    request: Request,
    ctx: Context,
    principal: Principal,
    school: str,
    status_code: int = 200,
    **values: Any,
) -> Response:
    accounts: list[candidates.IssuedAccount] = []
    if school and SCHOOL_CODE.match(school):
        with scoped_session(ctx.sessions, _scope(principal)) as session:
            accounts = candidates.accounts_of_school(session, school)
    context = {
        "nav": "school",
        "school": school,
        "ministry": principal.role is Role.ministry_admin,
        "accounts": accounts,
        "problems": [],
        "field_errors": {},
        **values,
    }
    return render(request, "accounts/school_candidates.html", context, status_code=status_code)


@router.get(PATH)
def school_candidates(
    request: Request,
    ctx: Context,
    principal: PagePrincipal,
    school: str = Query("", max_length=10),
) -> Response:
    own = _own_school(ctx, principal)
    return _page(request, ctx, principal, own or school.strip())


@router.get(PATH + "/template.csv")
def template(principal: PagePrincipal, ctx: Context) -> Response:
    _own_school(ctx, principal)
    return PlainTextResponse(
        "\ufeff" + TEMPLATE_CSV,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="danh-sach-thi-sinh.csv"'},
    )


def _credentials_link(result: candidates.IssueResult) -> str:
    # With a byte-order mark, so a spreadsheet program reads the Vietnamese names right.
    text = "\ufeff" + csv_text(
        CREDENTIALS_HEADER,
        (
            (i.row, i.full_name, i.birth_date, i.id_tail, i.username, i.password)
            for i in result.issued
        ),
    )
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()


@router.post(PATH)
async def upload(
    request: Request,
    ctx: Context,
    principal: PagePrincipal,
    _csrf: CsrfChecked,
    file: Annotated[UploadFile | None, File()] = None,
    school_code: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    own = _own_school(ctx, principal)
    school = own or school_code.strip()
    lang = get_lang(request)
    field_errors: dict[str, str] = {}
    if own is None and not SCHOOL_CODE.match(school):
        field_errors["school_code"] = (
            "Mã trường gồm 2–10 chữ cái hoặc chữ số (ví dụ 01001)."
            if lang == "vi"
            else "A school code is 2–10 letters or digits (e.g. 01001)."
        )
    data = await file.read(MAX_BYTES + 1) if file is not None and file.filename else b""
    suffix = Path(file.filename or "").suffix.lower() if file is not None else ""
    if not data:
        field_errors["file"] = (
            "Vui lòng chọn tệp danh sách (.xlsx hoặc .csv)."
            if lang == "vi"
            else "Choose the list file (.xlsx or .csv)."
        )
    elif len(data) > MAX_BYTES:
        field_errors["file"] = (
            "Tệp lớn hơn 5 MB." if lang == "vi" else "The file is larger than 5 MB."
        )
    if field_errors:
        return _page(request, ctx, principal, school, 422, field_errors=field_errors)
    return await _issue(request, ctx, principal, school, data, suffix)


async def _issue(
    request: Request, ctx: Context, principal: Principal, school: str, data: bytes, suffix: str
) -> Response:
    def work() -> candidates.IssueResult:
        with tempfile.TemporaryDirectory(prefix="hemis-list-") as folder:
            path = Path(folder) / f"danh-sach{suffix}"
            path.write_bytes(data)
            rows, problems = read_candidate_list(path, dt.date.today())
        if problems:
            raise ValidationFailed(
                "Danh sách có lỗi; chưa tài khoản nào được tạo.",
                "The list has errors; no account was created.",
                details=problems,
            )
        with scoped_session(ctx.sessions, _scope(principal)) as session:
            return candidates.issue_accounts(session, ctx.cipher, school, rows)

    try:
        result = await run_in_threadpool(work)
    except ValidationFailed as exc:
        problems = exc.details if isinstance(exc.details, list) else []
        return _page(
            request,
            ctx,
            principal,
            school,
            422,
            problems=problems,
            error=exc.message(get_lang(request)),
        )
    except HemisError as exc:
        return _page(
            request,
            ctx,
            principal,
            school,
            exc.status,
            field_errors={"file": exc.message(get_lang(request))},
        )
    return _page(
        request,
        ctx,
        principal,
        school,
        result=result,
        credentials_href=_credentials_link(result),
    )
