"""What the admissions pages share: rendering with the admissions' template helpers (labels,
scores, Vietnamese times). The candidate's sessions, times and refusals shared with other
domains' pages are web/portal.py's; the current year is admissions/queries.py's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import Request
from starlette.responses import Response

from hemis.admissions.codes import criterion_label, label
from hemis.admissions.rules import from_h
from hemis.web import formats
from hemis.web.deps import get_lang
from hemis.web.portal import local_time
from hemis.web.templating import render


def score_text(hundredths: int | Decimal | None, lang: str = "vi") -> str:
    """A score with two decimals in the reader's convention ("24,75"; "24.75" in English)."""
    if hundredths is None:
        return "—"
    value = hundredths if isinstance(hundredths, Decimal) else from_h(hundredths)
    return formats.number(value, 2, lang)


def page(request: Request, name: str, status_code: int = 200, **values: Any) -> Response:
    lang = get_lang(request)
    context = {
        "code": lambda kind, value: label(kind, value, lang),
        "criterion": lambda name: criterion_label(name, lang),
        "score": lambda value: score_text(value, lang),
        "local_time": local_time,
        **values,
    }
    return render(request, name, context, status_code=status_code)
