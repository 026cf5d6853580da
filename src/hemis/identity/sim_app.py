"""The identity-provider simulator's HTTP face: OpenID Connect discovery, the JWKS, the login
page (pick a citizen of the demo nation or type a new one, with an assurance level), the token
endpoint (client authentication, single-use codes, PKCE S256), and sandbox-only routes
(`/sim/...`) to rotate keys and set faults."""

from __future__ import annotations

import base64
import datetime as dt
import html
import random
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from hemis.identity.claims import (
    BIRTHDATE,
    FIELD_LABELS,
    LEVEL,
    NAME,
    NATIONAL_ID,
    Citizen,
    FieldProblem,
    citizen_from_form,
)
from hemis.identity.sim_people import People
from hemis.identity.sim_state import Provider, ProviderError
from hemis.registry.codes import Sex
from hemis.registry.rules import make_national_id

REQUEST_PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#1b1b1b}header{background:#a50e0e;color:#fff;padding:1rem;border-radius:.5rem}"
    "section{border:1px solid #ccc;border-radius:.5rem;padding:1rem;margin:1rem 0}"
    "label{display:block;margin-top:.6rem;font-weight:600}input,select{font-size:1rem;"
    "padding:.3rem;width:100%;box-sizing:border-box}.error{color:#a50e0e;font-weight:600}"
    "fieldset{border:0;padding:0;margin-top:.6rem}fieldset label{display:inline;font-weight:400}"
    "fieldset input{width:auto}button{margin-top:1rem;font-size:1rem;padding:.5rem 1rem}"
)


def _page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><link rel='icon' href='data:,'>"
        f"<style>{STYLE}</style></head><body>"
        f"<header><strong>Định danh điện tử quốc gia — mô phỏng</strong><br>"
        f"<small>National e-ID — simulator</small></header><h1>{html.escape(title)}</h1>"
        f"{body}</body></html>",
        status_code=status_code,
    )


def _error_page(exc: ProviderError) -> HTMLResponse:
    return _page(
        "Yêu cầu đăng nhập không hợp lệ / Invalid login request",
        f"<p class='error'>{html.escape(exc.description)}</p>",
        exc.status,
    )


def suggested_citizen(today: dt.date) -> tuple[str, str]:
    """A structurally valid national ID and birth date of an 18-year-old (a new citizen the
    demo user can sign up with at once)."""
    rng = random.Random()
    born = dt.date(today.year - 18, rng.randint(1, 12), rng.randint(1, 28))
    sex = rng.choice([Sex.male, Sex.female])
    return make_national_id("001", sex, born.year, rng.randint(0, 999_999)), born.isoformat()


def _field(name: str, problems: dict[str, FieldProblem]) -> str:
    found = problems.get(name)
    if found is None:
        return ""
    return (
        f"<p class='error' id='{name}-error'>{html.escape(found.message_vi)} "
        f"<small>({html.escape(found.message_en)})</small></p>"
    )


def _level_choice(prefix: str, chosen: str) -> str:
    options = (
        ("2", "Mức 2 — đã xác thực trực tiếp / level 2, verified in person"),
        ("1", "Mức 1 — đăng ký trực tuyến / level 1, registered online"),
    )
    radios = "".join(
        f"<label><input type='radio' name='level' value='{v}' id='{prefix}-level-{v}'"
        f"{' checked' if v == chosen else ''}> {text}</label><br>"
        for v, text in options
    )
    return f"<fieldset><legend>{FIELD_LABELS[LEVEL][0]}</legend>{radios}</fieldset>"


def login_page(
    people: People,
    params: dict[str, str],
    *,
    query: str = "",
    typed: dict[str, str] | None = None,
    problems: dict[str, FieldProblem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    hidden = "".join(
        f"<input type='hidden' name='{k}' value='{html.escape(params.get(k, ''))}'>"
        for k in REQUEST_PARAMS
    )
    problems = problems or {}
    listed = people.listed(query)
    pick = ""
    if people.engine is not None:
        options = "".join(
            f"<option value='{p.person_id}'>{html.escape(p.full_name)} — "
            f"{p.birth_date:%d/%m/%Y} — …{p.id_tail}</option>"
            for p in listed
        )
        pick = (
            "<section><h2>Công dân có sẵn / An existing citizen</h2>"
            "<form method='get' action='/authorize'>"
            + "".join(
                f"<input type='hidden' name='{k}' value='{html.escape(params.get(k, ''))}'>"
                for k in REQUEST_PARAMS
            )
            + "<label for='q'>Tìm theo tên / Search by name</label>"
            f"<input id='q' name='q' value='{html.escape(query)}'>"
            "<button type='submit'>Tìm / Search</button></form>"
            "<form method='post' action='/authorize'>"
            f"{hidden}<input type='hidden' name='mode' value='existing'>"
            "<label for='person'>Công dân / Citizen</label>"
            + (
                f"<select id='person' name='person'>{options}</select>"
                if listed
                else "<p>Không tìm thấy công dân nào / No citizen found.</p>"
            )
            + f"{_field('person', problems)}{_level_choice('existing', '2')}"
            "<button type='submit'>Đăng nhập / Log in</button></form></section>"
        )
    typed = typed or {}
    if not typed:
        nid, born = suggested_citizen(dt.date.today())
        typed = {NATIONAL_ID: nid, BIRTHDATE: born, NAME: "", "level": "2"}

    def attrs(name: str) -> str:
        described = f" aria-describedby='{name}-error'" if name in problems else ""
        return f"id='{name}' name='{name}' value='{html.escape(typed.get(name, ''))}'{described}"

    new = (
        "<section><h2>Công dân mới / A new citizen</h2>"
        "<form method='post' action='/authorize'>"
        f"{hidden}<input type='hidden' name='mode' value='new'>"
        f"<label for='{NATIONAL_ID}'>{FIELD_LABELS[NATIONAL_ID][0]}</label>"
        f"<input {attrs(NATIONAL_ID)} inputmode='numeric' maxlength='12'>"
        f"{_field(NATIONAL_ID, problems)}"
        f"<label for='{NAME}'>{FIELD_LABELS[NAME][0]}</label>"
        f"<input {attrs(NAME)} maxlength='150'>{_field(NAME, problems)}"
        f"<label for='{BIRTHDATE}'>{FIELD_LABELS[BIRTHDATE][0]}</label>"
        f"<input type='date' {attrs(BIRTHDATE)}>{_field(BIRTHDATE, problems)}"
        f"{_level_choice('new', typed.get('level', '2'))}{_field(LEVEL, problems)}"
        "<button type='submit'>Đăng nhập / Log in</button></form></section>"
    )
    cancel = (
        "<form method='post' action='/authorize'>"
        f"{hidden}<input type='hidden' name='mode' value='cancel'>"
        "<button type='submit'>Hủy / Cancel</button></form>"
    )
    return _page("Đăng nhập bằng định danh điện tử / e-ID login", pick + new + cancel, status_code)


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def _oauth_error(exc: ProviderError) -> JSONResponse:
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=exc.status,
        headers={"Cache-Control": "no-store"},
    )


def create_idp_app(provider: Provider, people: People) -> FastAPI:
    app = FastAPI(title="HEMIS national e-ID simulator (OpenID Connect)")

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, Any]:
        return provider.discovery()

    @app.get("/jwks")
    def jwks() -> Response:
        return JSONResponse(provider.keys.jwks(), headers={"Cache-Control": "max-age=300"})

    @app.get("/authorize")
    def authorize(request: Request, q: str = "") -> Response:
        params = {k: request.query_params.get(k, "") for k in REQUEST_PARAMS}
        try:
            provider.check_request(params)
        except ProviderError as exc:
            return _error_page(exc)
        return login_page(people, params, query=q[:100])

    @app.post("/authorize")
    async def choose(request: Request) -> Response:
        form = await request.form()
        params = {k: str(form.get(k, "")) for k in REQUEST_PARAMS}
        try:
            provider.check_request(params)
        except ProviderError as exc:
            return _error_page(exc)
        mode = str(form.get("mode", ""))
        back = {"state": params["state"]}
        if mode == "cancel":
            back |= {"error": "access_denied", "error_description": "cancelled"}
            return RedirectResponse(f"{params['redirect_uri']}?{urlencode(back)}", 303)
        level = str(form.get("level", ""))
        typed: dict[str, str] = {}
        citizen: Citizen | list[FieldProblem]
        if mode == "existing":
            person = str(form.get("person", ""))
            found = (
                people.citizen(int(person), int(level))
                if person.isdigit() and level in ("1", "2")
                else None
            )
            citizen = found or [FieldProblem("person", "Chọn một công dân.", "Choose a citizen.")]
        else:
            typed = {k: str(form.get(k, ""))[:200] for k in (NATIONAL_ID, NAME, BIRTHDATE)}
            typed["level"] = level
            citizen = citizen_from_form(
                typed[NATIONAL_ID], typed[NAME], typed[BIRTHDATE], level, dt.date.today()
            )
        if isinstance(citizen, list):
            problems = {p.field: p for p in citizen}
            return login_page(
                people,
                params,
                typed=typed or None,
                problems=problems,
                status_code=422,
            )
        back["code"] = provider.issue_code(params, citizen)
        return RedirectResponse(f"{params['redirect_uri']}?{urlencode(back)}", 303)

    @app.post("/token")
    async def token(request: Request) -> Response:
        form = await request.form()
        fields = {k: str(v) for k, v in form.items()}
        credentials = _basic_auth(request) or (
            fields.get("client_id", ""),
            fields.get("client_secret", ""),
        )
        try:
            client = provider.authenticate_client(*credentials)
            if fields.get("grant_type") != "authorization_code":
                raise ProviderError("unsupported_grant_type", "Only authorization_code")
            body = provider.redeem(
                client,
                fields.get("code", ""),
                fields.get("redirect_uri", ""),
                fields.get("code_verifier", ""),
            )
        except ProviderError as exc:
            return _oauth_error(exc)
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    @app.post("/sim/rotate")
    def rotate() -> dict[str, Any]:
        kid = provider.keys.rotate()
        return {"current_kid": kid, "published": [k["kid"] for k in provider.keys.jwks()["keys"]]}

    @app.post("/sim/config")
    async def configure(request: Request) -> Response:
        try:
            provider.configure(dict(await request.json()))
        except (ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"faults": provider.faults, "reuse_codes": provider.reuse_codes})

    return app
