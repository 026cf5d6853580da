"""Jinja2 environment: autoescaped templates, bilingual text helper, Vietnamese formatting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from hemis.web.deps import get_lang

TEMPLATES_DIR = Path(__file__).parent / "templates"


def _ctx(request: Request) -> dict[str, Any]:
    lang = get_lang(request)

    def t(vi: str, en: str) -> str:
        return en if lang == "en" else vi

    return {
        "lang": lang,
        "t": t,
        "principal": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
    }


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[_ctx])
    templates.env.filters["thousands"] = lambda n: f"{n:,}".replace(",", ".")
    return templates
