"""Logging: one path for every line, with national IDs and SQL parameters taken out.

structlog events and the standard library's records (uvicorn, SQLAlchemy, huey, …) meet in one
handler on the root logger and go through the same processors — exception text rendered, SQL
parameters dropped, national IDs redacted — before they are written as JSON lines to stderr.
No library keeps a handler of its own, so nothing reaches the output by another road.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from hemis.common.national_ids import redact_values

# SQLAlchemy appends the statement's parameters to its errors ("[parameters: (...)]"); the
# engines hide them (db/session.py), and this catches an error raised by any other engine.
_SQL_PARAMETERS = re.compile(r"\[parameters: [^\n]*")
SQL_PARAMETERS_HIDDEN = "[parameters: hidden]"
# Loggers that libraries give handlers of their own; theirs are removed so that what they do
# log comes here. uvicorn.access keeps the propagation `hemis serve` gives it (off).
_LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.asgi", "huey")


def redact(value: Any) -> Any:
    """National IDs replaced by [national-id] in a string or a JSON-like value."""
    return redact_values(value)


def _hide_parameters(value: Any) -> Any:
    if isinstance(value, str) and "[parameters: " in value:
        return _SQL_PARAMETERS.sub(SQL_PARAMETERS_HIDDEN, value)
    return value


def redact_processor(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.startswith("_"):  # the formatter's own bookkeeping (the stdlib record)
            continue
        event[key] = redact(_hide_parameters(event[key]))
    return event


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at the time (a test's capture, a redirected stream)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # logging must never break the caller
            self.handleError(record)


def configure(level: str = "INFO") -> None:
    """Route structlog and the standard library's loggers through the redacting processors."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_processor,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    # HEMIS's own events at the level asked for; libraries (httpx, alembic, …) from WARNING up,
    # unless DEBUG is asked for. uvicorn sets its loggers' levels itself.
    root.setLevel(numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING))
    logging.getLogger("hemis").setLevel(numeric)
    for name in _LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.handlers = []
        library.propagate = True
    logging.getLogger("uvicorn.access").handlers = []
