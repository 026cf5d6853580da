"""Refused page forms: the messages to show above a form that is shown again with what the user
typed, in the page's language."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import ValidationError

from hemis.errors import HemisError
from hemis.web.deps import get_lang

Labels = dict[str, tuple[str, str]]


def _problem(error: Any) -> tuple[str, str]:
    context = error.get("ctx") or {}
    kind = error.get("type", "")
    if kind == "string_too_short":
        n = context.get("min_length")
        return f"cần ít nhất {n} ký tự", f"needs at least {n} characters"
    if kind == "string_too_long":
        n = context.get("max_length")
        return f"dài quá {n} ký tự", f"is longer than {n} characters"
    if kind == "missing":
        return "chưa nhập", "is missing"
    return "không hợp lệ", "is not valid"


def validation_messages(request: Request, exc: ValidationError, labels: Labels) -> list[str]:
    """One line per refused field: its label and what is wrong."""
    english = get_lang(request) == "en"
    lines = []
    for error in exc.errors(include_input=False, include_url=False):
        field = str(error["loc"][0]) if error.get("loc") else ""
        vi_label, en_label = labels.get(field, (field, field))
        vi, en = _problem(error)
        lines.append(f"{en_label}: {en}" if english else f"{vi_label}: {vi}")
    return lines


def error_messages(request: Request, exc: HemisError) -> list[str]:
    return [exc.message(get_lang(request))]
