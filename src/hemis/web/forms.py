"""Server-side validation of page forms, shown next to each field.

A form handler validates with the same Pydantic shapes and services as the API, then turns a
refusal into `FormErrors`: one message per field, naming the field in the page's language
("Chỉ tiêu: phải lớn hơn hoặc bằng 0"), plus the messages that belong to no field. The page is
rendered again with what was typed and these messages (`_forms.html` draws them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from pydantic import ValidationError
from starlette.datastructures import FormData

from hemis.errors import HemisError
from hemis.web.deps import get_lang

Labels = Mapping[str, tuple[str, str]]
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Pydantic error types as short sentences (vi, en); {name} takes the error's context.
_PROBLEMS: dict[str, tuple[str, str]] = {
    "missing": ("bắt buộc nhập", "is required"),
    "int_parsing": ("phải là số nguyên", "must be a whole number"),
    "int_from_float": ("phải là số nguyên", "must be a whole number"),
    "int_type": ("phải là số nguyên", "must be a whole number"),
    "decimal_parsing": (
        "phải là số (dấu chấm thập phân, ví dụ 18.5)",
        "must be a number (e.g. 18.5)",
    ),
    "decimal_type": ("phải là số", "must be a number"),
    "decimal_max_places": (
        "tối đa {decimal_places} chữ số sau dấu thập phân",
        "at most {decimal_places} decimal places",
    ),
    "decimal_max_digits": ("quá nhiều chữ số", "has too many digits"),
    "decimal_whole_digits": ("quá nhiều chữ số", "has too many digits"),
    "greater_than_equal": ("phải lớn hơn hoặc bằng {ge}", "must be at least {ge}"),
    "greater_than": ("phải lớn hơn {gt}", "must be more than {gt}"),
    "less_than_equal": ("phải nhỏ hơn hoặc bằng {le}", "must be at most {le}"),
    "less_than": ("phải nhỏ hơn {lt}", "must be less than {lt}"),
    "string_too_short": ("không được để trống", "must not be empty"),
    "string_too_long": ("dài tối đa {max_length} ký tự", "must be at most {max_length} characters"),
    "string_pattern_mismatch": (
        "chỉ gồm chữ cái không dấu, chữ số và . _ / -",
        "may hold only letters, digits and . _ / -",
    ),
    "enum": ("không nằm trong danh sách cho phép", "is not one of the allowed values"),
    "literal_error": ("không nằm trong danh sách cho phép", "is not one of the allowed values"),
    "too_short": ("cần ít nhất {min_length} lựa chọn", "needs at least {min_length} choices"),
    "too_long": ("nhiều nhất {max_length} mục", "takes at most {max_length} items"),
    "date_parsing": ("ngày không hợp lệ (ngày/tháng/năm)", "is not a valid date"),
    "date_from_datetime_parsing": ("ngày không hợp lệ (ngày/tháng/năm)", "is not a valid date"),
    "date_type": ("ngày không hợp lệ (ngày/tháng/năm)", "is not a valid date"),
    "datetime_parsing": ("ngày giờ không hợp lệ", "is not a valid date and time"),
    "datetime_from_date_parsing": ("ngày giờ không hợp lệ", "is not a valid date and time"),
    "datetime_type": ("ngày giờ không hợp lệ", "is not a valid date and time"),
    "bool_parsing": ("phải là có hoặc không", "must be yes or no"),
}
_INVALID = ("không hợp lệ", "is not valid")
# A text with a minimum past one character: "empty" would be wrong for "ok".
_LONGER = ("cần ít nhất {min_length} ký tự", "needs at least {min_length} characters")


@dataclass
class FormErrors:
    """A refused form: a message per field (the field named in it) and the general messages."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def merge(self, other: FormErrors) -> FormErrors:
        for name, message in other.fields.items():
            self.add(name, message)
        self.general.extend(other.general)
        return self


def _label(labels: Labels, name: str, lang: str) -> str:
    vi, en = labels.get(name, (name, name))
    return en if lang == "en" else vi


def field_message(labels: Labels, name: str, problem: str, lang: str) -> str:
    """ "Label: problem" in the page's language."""
    return f"{_label(labels, name, lang)}: {problem}"


def problem(name: str, labels: Labels, vi: str, en: str, lang: str) -> FormErrors:
    """A FormErrors with one field's problem."""
    errors = FormErrors()
    errors.add(name, field_message(labels, name, en if lang == "en" else vi, lang))
    return errors


def problem_text(error: Any, lang: str, hint: tuple[str, str] | None = None) -> str:
    kind = str(error.get("type"))
    if kind == "too_short" and isinstance(error.get("input"), str):
        # a constrained text behind a validator reports a list's "too_short": it is a text
        kind = "string_too_short"
    if kind == "value_error" and hint is not None:
        return hint[1] if lang == "en" else hint[0]
    vi, en = _PROBLEMS.get(kind, _INVALID)
    if kind == "string_too_short" and (error.get("ctx") or {}).get("min_length", 1) > 1:
        vi, en = _LONGER
    text = en if lang == "en" else vi
    with contextlib.suppress(KeyError, IndexError, ValueError):
        text = text.format(**(error.get("ctx") or {}))
    if error.get("type") == "value_error" and lang == "en":
        text = str(error.get("msg", text)).removeprefix("Value error, ")
    return text


def from_validation(
    exc: ValidationError,
    labels: Labels,
    lang: str,
    hints: Mapping[str, tuple[str, str]] | None = None,
) -> FormErrors:
    """Pydantic's refusal as one message per form field (its first problem). `hints` words a
    field's custom check (a value error) better than "is not valid"."""
    errors = FormErrors()
    for error in exc.errors():
        loc = error.get("loc") or ()
        name = str(loc[0]) if loc else ""
        if name in labels:
            text = problem_text(error, lang, (hints or {}).get(name))
            errors.add(name, field_message(labels, name, text, lang))
        else:
            errors.general.append(problem_text(error, lang))
    return errors


def from_hemis(
    exc: HemisError,
    labels: Labels,
    lang: str,
    constraints: Mapping[str, str] | None = None,
) -> FormErrors:
    """A service's refusal: details naming a field go next to it, the rest on top.
    `constraints` maps database constraint names (a duplicate code, …) to their fields."""
    errors = FormErrors()
    details = exc.details
    items = details if isinstance(details, list) else [details] if details else []
    for item in items:
        if not isinstance(item, dict):
            continue
        name = item.get("field")
        if name is None and constraints:
            name = constraints.get(str(item.get("constraint")))
        if name not in labels:
            continue
        text = item.get("message_en" if lang == "en" else "message") or exc.message(lang)
        errors.add(str(name), field_message(labels, str(name), str(text), lang))
    if not errors.fields:
        errors.general.append(exc.message(lang))
    return errors


# --- values of form fields ------------------------------------------------------------------------


def local_input(moment: dt.datetime | None) -> str:
    """A UTC moment as the value of a datetime-local input (Vietnam time, to the minute)."""
    if moment is None:
        return ""
    return moment.astimezone(VN_TZ).strftime("%Y-%m-%dT%H:%M")


def parse_local(value: str) -> dt.datetime | None:
    """A datetime-local input (Vietnam time) as an aware moment; None when blank; ValueError
    when it is not a date and time."""
    value = value.strip()
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN_TZ)
    return moment


def blank_none(value: str) -> str | None:
    value = value.strip()
    return value or None


# --- reading a posted form -----------------------------------------------------------------------

MAX_VALUE = 4000  # characters kept of one posted value (the schemas refuse what is longer)


async def read_form(request: Request) -> FormData:
    """The posted form (already parsed, and cached, by the CSRF check)."""
    return await request.form()


PageForm = Annotated[FormData, Depends(read_form)]


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip()[:MAX_VALUE] if isinstance(value, str) else ""


def texts_of(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The posted text of each field (blank when absent), trimmed: what the form shows again."""
    return {name: text_of(form, name) for name in names}


def choices_of(form: FormData, name: str) -> list[str]:
    """Every value of a multi-valued field (checkboxes), blanks dropped."""
    return [v.strip()[:MAX_VALUE] for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def validation_messages(request: Request, exc: ValidationError, labels: Labels) -> list[str]:
    """A refusal as lines to show above a form (one per field, labelled in the page's
    language), for the pages that show their problems on top rather than next to each field."""
    errors = from_validation(exc, labels, get_lang(request))
    return [*errors.fields.values(), *errors.general]


def error_messages(request: Request, exc: HemisError) -> list[str]:
    return [exc.message(get_lang(request))]
