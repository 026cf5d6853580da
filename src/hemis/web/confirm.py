"""A confirmation step before an irreversible action, that works without JavaScript.

The action's form posts as usual; until it carries `confirmed=yes`, the route answers with a
page that says what will happen and re-posts the same fields with `confirmed=yes` (or goes
back). A browser dialog (`confirm()`) would need a script, and the CSP allows no inline one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Form, Request
from starlette.responses import Response

from hemis.web.deps import get_lang
from hemis.web.templating import render

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"
# The route parameter that reads the field: `confirmed: Confirmed = None`.
Confirmed = Annotated[str | None, Form(max_length=3)]

Text = tuple[str, str]  # (vi, en)


def is_confirmed(value: str | None) -> bool:
    return value == CONFIRM_VALUE


def confirmation_page(
    request: Request,
    *,
    title: Text,
    consequence: Text,
    button: Text,
    cancel_url: str,
    details: list[Text] | None = None,
    fields: Mapping[str, str] | None = None,
    nav: str | None = None,
) -> Response:
    """The page asking to confirm `title`; its form posts to the same address."""
    lang = get_lang(request)

    def pick(text: Text) -> str:
        return text[1] if lang == "en" else text[0]

    return render(
        request,
        "confirm.html",
        {
            "nav": nav,
            "title": pick(title),
            "consequence": pick(consequence),
            "details": [pick(d) for d in details or []],
            "button": pick(button),
            "action": request.url.path,
            "fields": dict(fields or {}),
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
            "cancel_url": cancel_url,
        },
    )
