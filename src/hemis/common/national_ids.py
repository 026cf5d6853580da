"""Text that may hold a national ID, made safe to show or to log (ADR 0003).

A national ID is a run of exactly 12 (CCCD) or 9 (CMND) digits standing alone: no digit right
before or after it. Anything shaped like one is treated as one — a 9-digit number in free text is
masked too, which costs little and leaves no judgement to the caller.

- `mask_text` / `mask_values` / `mask_expr`: what a person may be shown (reports, error messages,
  downloads) — every such run keeps only its last three digits (`001203012345` → `*********345`),
  the same as `crypto.mask` on pages and in the API.
- `redact_text`: what a log may hold — the whole run replaced by `[national-id]`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # polars is not needed to mask a message: errors import this module
    import polars as pl

SHOWN_DIGITS = 3
NATIONAL_ID = re.compile(r"(?<![0-9])([0-9]{12}|[0-9]{9})(?![0-9])")
REDACTED = "[national-id]"


def _masked(match: re.Match[str]) -> str:
    digits = match.group(1)
    return "*" * (len(digits) - SHOWN_DIGITS) + digits[-SHOWN_DIGITS:]


def mask_text(text: str) -> str:
    """Every standalone 12- or 9-digit run with all but its last 3 digits replaced by '*'."""
    return NATIONAL_ID.sub(_masked, text) if len(text) >= 9 else text


def redact_text(text: str) -> str:
    return NATIONAL_ID.sub(REDACTED, text) if len(text) >= 9 else text


def mask_values(value: Any) -> Any:
    """`mask_text` over the strings in a JSON-like value (dicts, lists, tuples); others as is."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_values(v) for v in value]
    return value


def redact_values(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_values(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_values(v) for v in value]
    return value


# polars' regex engine has no look-behind: the run's neighbours are matched (and put back), and
# each pattern runs twice so that a run whose left neighbour was taken by the match before it
# ("…345,001…") is caught on the second pass.
_EXPR_PATTERNS = (
    (r"(^|[^0-9])[0-9]{9}([0-9]{3})([^0-9]|$)", "*" * 9),
    (r"(^|[^0-9])[0-9]{6}([0-9]{3})([^0-9]|$)", "*" * 6),
)


def mask_expr(value: pl.Expr) -> pl.Expr:
    """`mask_text` as a polars expression over a String column (vectorised)."""
    for pattern, stars in _EXPR_PATTERNS:
        for _ in range(2):
            value = value.str.replace_all(pattern, "${1}" + stars + "${2}${3}")
    return value


def mask_series(values: pl.Series, where: pl.Series | None = None) -> pl.Series:
    """`mask_text` over a String series (only where `where` holds, if given). A cheap scan finds
    the values with 9 digits in a row; only those go through the masking patterns."""
    import polars as pl

    hit = values.str.contains("[0-9]{9}").fill_null(False)
    if where is not None:
        hit = hit & where.fill_null(False)
    if not hit.any():
        return values
    at = hit.arg_true()
    masked = pl.select(mask_expr(pl.lit(values.gather(at)))).to_series()
    return values.scatter(at, masked)
