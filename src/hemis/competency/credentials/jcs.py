"""JSON Canonicalization Scheme (RFC 8785): the bytes a signature covers.

Object members sorted by their names' UTF-16 code units, no whitespace, strings escaped as
ECMAScript's JSON.stringify does (only '"', '\\' and control characters), numbers written as
ECMAScript's Number.prototype.toString writes the IEEE-754 double (RFC 8785 §3.2.2.3), UTF-8.
Values JSON cannot carry in canonical form (NaN, infinities, lone surrogates, non-string keys)
are refused with ValueError.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def canonicalize(value: Any) -> bytes:
    return _write(value).encode("utf-8")


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError("lone surrogate in a string")
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def number(value: float) -> str:
    """ECMAScript Number::toString of a double (RFC 8785 §3.2.2.3)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError("NaN and infinities have no JSON form")
    if value == 0:
        return "0"
    if value < 0:
        return "-" + number(-value)
    # The shortest digits that round-trip (Python's repr, as ECMAScript chooses them).
    _sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    s = "".join(str(d) for d in digits)
    k = len(s)
    n = exponent + k  # value = 0.s × 10^n
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    mark = "+" if n - 1 >= 0 else "-"
    head = s[0] + ("." + s[1:] if k > 1 else "")
    return f"{head}e{mark}{abs(n - 1)}"


def _write(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        # JSON numbers are doubles: an integer beyond 2^53 is written as its double.
        return str(value) if abs(value) <= 2**53 else number(float(value))
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_write(v) for v in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError("object keys must be strings")
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(_string(k) + ":" + _write(value[k]) for k in keys) + "}"
    raise ValueError(f"not a JSON value: {type(value).__name__}")
