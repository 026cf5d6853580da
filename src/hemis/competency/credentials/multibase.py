"""Multibase base58-btc ('z…') and Ed25519 public keys as Multikeys (the 0xed01 multicodec
prefix): how eddsa-jcs-2022 proofs carry their signature and name their key."""

from __future__ import annotations

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}
ED25519_PUB = b"\xed\x01"


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        if ch not in _INDEX:
            raise ValueError("not base58-btc")
        number = number * 58 + _INDEX[ch]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode(data: bytes) -> str:
    return "z" + b58encode(data)


def decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("not a base58-btc multibase value")
    return b58decode(text[1:])


def multikey(public_key: bytes) -> str:
    """The Multikey of a raw 32-byte Ed25519 public key ('z6Mk…')."""
    return encode(ED25519_PUB + public_key)


def public_key_of(multikey_value: str) -> bytes:
    raw = decode(multikey_value)
    if not raw.startswith(ED25519_PUB) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return raw[2:]
