"""The pending e-ID login, kept in the browser between the two legs of the flow.

The cookie holds the state, the nonce, the PKCE verifier, where to go afterwards and an expiry,
signed with HMAC-SHA256 of the secret key (a browser cannot forge or alter it). It is HttpOnly
and scoped to /eid, so the callback alone reads it; nothing is written to the database before
the callback has checked everything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import asdict, dataclass

from authlib.common.security import generate_token

COOKIE = "hemis_eid"
COOKIE_PATH = "/eid"
SECONDS = 600
_PURPOSE = b"hemis-eid-login:"


@dataclass(frozen=True)
class Pending:
    state: str
    nonce: str
    verifier: str
    next: str
    expires: int

    @classmethod
    def new(cls, next_path: str) -> Pending:
        # 43–128 characters of the unreserved set for the PKCE verifier (RFC 7636 §4.1).
        return cls(
            state=generate_token(32),
            nonce=generate_token(32),
            verifier=generate_token(64),
            next=next_path,
            expires=int(time.time()) + SECONDS,
        )


def _sign(secret_key: str, body: bytes) -> str:
    return hmac.new(secret_key.encode(), _PURPOSE + body, hashlib.sha256).hexdigest()


def seal(secret_key: str, pending: Pending) -> str:
    body = base64.urlsafe_b64encode(json.dumps(asdict(pending)).encode()).decode()
    return f"{body}.{_sign(secret_key, body.encode())}"


def unseal(secret_key: str, value: str | None) -> Pending | None:
    """The pending login of a cookie this server made and that has not expired, else None."""
    if not value or value.count(".") != 1:
        return None
    body, signature = value.split(".")
    if not hmac.compare_digest(signature.encode(), _sign(secret_key, body.encode()).encode()):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body.encode()))
        pending = Pending(**data)
    except (ValueError, TypeError):
        return None
    if pending.expires < time.time():
        return None
    return pending


def same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())
