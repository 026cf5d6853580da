"""The revocation list (W3C Bitstring Status List v1.0): a credential's place is a bit of a list
of LIST_SIZE bits (131,072: the specification's minimum, for herd privacy), set when revoked.
The list travels GZIP-compressed, base64url without padding, multibase 'u', in a credential the
ministry signs like the others. Bit 0 is the most significant bit of the first byte."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
from collections.abc import Iterable
from typing import Any

from hemis.competency.credentials.proof import stamp

LIST_SIZE = 131_072
CONTEXT = ["https://www.w3.org/ns/credentials/v2"]


def encode_list(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise ValueError(f"status index {index} outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_list(encoded: str) -> bytes:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    body = encoded[1:]
    packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return gzip.decompress(packed)


def bit(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    url: str, issuer_id: str, revoked: Iterable[int], issued: dt.datetime
) -> dict[str, Any]:
    """The unsigned status list credential of one list."""
    return {
        "@context": list(CONTEXT),
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": stamp(issued),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(revoked),
        },
    }
