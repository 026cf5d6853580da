"""Shared CLI plumbing: settings, console, and turning errors into clear messages."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable
from typing import Any, NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console

from hemis.common.national_ids import mask_text
from hemis.config import Settings, get_settings
from hemis.errors import HemisError

console = Console()
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            err_console.print(f"[red]Cấu hình sai / bad setting[/red] {where}: {err['msg']}")
        raise typer.Exit(2) from None


def fail(message_vi: str, message_en: str, code: int = 2) -> NoReturn:
    err_console.print(f"[red]Lỗi:[/red] {message_vi}\n[red]Error:[/red] {message_en}")
    raise typer.Exit(code)


def clear_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Commands print HemisError and validation errors plainly, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except HemisError as exc:
            details = f" ({exc.details})" if exc.details else ""
            err_console.print(
                f"[red]Lỗi:[/red] {exc.message_vi}\n[red]Error:[/red] {exc.message_en}{details}"
            )
            raise typer.Exit(2) from None
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                problem = mask_text(err["msg"])  # a validator's message may quote the value
                err_console.print(f"[red]Không hợp lệ / invalid[/red] {where}: {problem}")
            raise typer.Exit(2) from None

    return wrapper


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()


__all__: list[Any] = ["clear_errors", "console", "err_console", "fail", "settings"]


def reference_date(as_of: str | None) -> dt.date | None:
    """The --as-of option: an ISO date, or None for today."""
    if not as_of:
        return None
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        fail(f"Ngày đối chiếu sai: {as_of}.", f"Bad reference date: {as_of}.")
