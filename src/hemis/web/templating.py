"""Jinja2 environment: autoescaped templates, bilingual text helper, Vietnamese formatting."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.responses import Response

from hemis.web import formats
from hemis.web.deps import LANG_COOKIE, get_lang

TEMPLATES_DIR = Path(__file__).parent / "templates"
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def lang_url(request: Request, code: str) -> str:
    """The current page (path and query) with `lang` set to `code`: the language switch link."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    params.append(("lang", code))
    return request.url.path + "?" + urlencode(params)


def _ctx(request: Request) -> dict[str, Any]:
    lang = get_lang(request)

    def t(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    return {
        "lang": lang,
        "t": t,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "lang_url": lambda code: lang_url(request, code),
        "demo_calendar": getattr(request.app.state, "demo_calendar", False),
    }


@pass_context
def _thousands(context: Context, value: formats.Number | None) -> str:
    return formats.number(value, 0, context.get("lang", "vi"))


@pass_context
def _number(context: Context, value: formats.Number | None, digits: int = 0) -> str:
    return formats.number(value, digits, context.get("lang", "vi"))


@pass_context
def _percent(context: Context, value: formats.Number | None, digits: int = 1) -> str:
    """A share (0.405) as a percentage ("40,5 %")."""
    shown = None if value is None else float(value) * 100
    return formats.percent(shown, digits, context.get("lang", "vi"))


_CODE_WORD = re.compile(r"\(([a-z]+(?:_[a-z]+)*(?:, [a-z]+(?:_[a-z]+)*)*)\)")


def _marked_codes(text: str) -> Markup:
    """Text that names the file codes of its items in parentheses ("thư viện (library)") with
    those codes set as code, so a reader tells them from the words."""
    escaped = str(escape(text))

    def mark(match: re.Match[str]) -> str:
        words = ", ".join(f"<code>{w}</code>" for w in match.group(1).split(", "))
        return f"({words})"

    # safe: the text is escaped first; only <code> tags around plain lower-case words are added
    return Markup(_CODE_WORD.sub(mark, escaped))  # noqa: S704


_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def _cell_value(value: object) -> str:
    """A value quoted from a file as the reader writes it: a date (read as a timestamp at
    midnight, "2030-01-01 00:00:00") as 01/01/2030; anything else as it was."""
    text = "" if value is None else str(value)
    found = _ISO_DAY.match(text.strip())
    return f"{found[3]}/{found[2]}/{found[1]}" if found else text


def _date_time(value: dt.datetime | None, seconds: bool = False) -> str:
    return formats.date_time(value, seconds=seconds)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_ctx])
    filters = templates.env.filters
    filters["thousands"] = _thousands
    filters["number"] = _number
    filters["percent"] = _percent
    filters["vn_date"] = formats.date
    filters["vn_datetime"] = _date_time
    filters["marked_codes"] = _marked_codes
    filters["cell_value"] = _cell_value
    return templates


def remember_lang(request: Request, response: Response) -> None:
    """`?lang=en` (or `vi`) on any page also sets the language cookie for the next pages."""
    chosen = request.query_params.get("lang")
    if chosen in ("vi", "en") and request.cookies.get(LANG_COOKIE) != chosen:
        settings = request.app.state.ctx.settings
        response.set_cookie(
            LANG_COOKIE,
            chosen,
            max_age=LANG_COOKIE_SECONDS,
            path="/",
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> Response:
    """A page or fragment, with the language choice remembered."""
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, name, context or {}, status_code=status_code
    )
    remember_lang(request, response)
    return response
