"""Ed25519 signatures over every message exchanged with a registry (X-Road style).

What is signed is `message id \\n timestamp \\n in-reply-to \\n SHA-256 of the body`: the body's
hash rather than the body, so the exchange log can re-check a signature from the stored hash
after the national IDs in the stored body were replaced by blind-index tokens.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

H_ID = "X-Hemis-Message-Id"
H_TS = "X-Hemis-Timestamp"
H_REPLY = "X-Hemis-In-Reply-To"
H_SIG = "X-Hemis-Signature"
MAX_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Envelope:
    """The signed headers of one message."""

    message_id: str
    timestamp: str
    in_reply_to: str
    signature: str

    def headers(self) -> dict[str, str]:
        return {
            H_ID: self.message_id,
            H_TS: self.timestamp,
            H_REPLY: self.in_reply_to,
            H_SIG: self.signature,
        }


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def signed_text(message_id: str, timestamp: str, in_reply_to: str, digest: str) -> bytes:
    return f"{message_id}\n{timestamp}\n{in_reply_to}\n{digest}".encode()


def private_key(seed_b64: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed_b64))


def public_key(public_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64))


def public_of(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def sign(key: Ed25519PrivateKey, body: bytes, in_reply_to: str = "") -> Envelope:
    message_id = str(uuid.uuid4())
    timestamp = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    text = signed_text(message_id, timestamp, in_reply_to, body_sha256(body))
    return Envelope(message_id, timestamp, in_reply_to, base64.b64encode(key.sign(text)).decode())


def check(
    key: Ed25519PublicKey,
    message_id: str,
    timestamp: str,
    in_reply_to: str,
    digest: str,
    signature: str,
) -> bool:
    """Whether `signature` is the signer's over these fields (no clock check: see `fresh`)."""
    try:
        key.verify(
            base64.b64decode(signature, validate=True),
            signed_text(message_id, timestamp, in_reply_to, digest),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def fresh(timestamp: str, now: dt.datetime | None = None) -> bool:
    """Whether a message's timestamp is within the allowed clock skew (replays are refused)."""
    try:
        at = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return False
    if at.tzinfo is None:
        return False
    return abs((now or dt.datetime.now(dt.UTC)) - at) <= MAX_SKEW


def check_headers(key: Ed25519PublicKey, headers: Mapping[str, str], body: bytes) -> str | None:
    """None when the headers carry a valid, fresh signature over `body`; else the reason."""
    needed = (H_ID, H_TS, H_SIG)
    if any(not headers.get(h) for h in needed):
        return "unsigned"
    if not fresh(headers[H_TS]):
        return "stale"
    ok = check(
        key,
        headers[H_ID],
        headers[H_TS],
        headers.get(H_REPLY, ""),
        body_sha256(body),
        headers[H_SIG],
    )
    return None if ok else "bad_signature"
