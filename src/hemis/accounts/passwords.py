"""Password hashing with argon2id."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# One-time passwords are random (about 69 bits) and replaced at the first login, so they are
# hashed at OWASP's minimum argon2id cost: a school's list of 500 pupils takes seconds, not
# minutes. `verify_password` reads the cost from the hash, so both kinds verify alike.
_otp_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Letters and digits a person cannot misread on paper (no 0/O, 1/l/I).
OTP_ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
# Stored for accounts that never log in with a password (national e-ID): no password matches.
NO_PASSWORD = "!eid"  # noqa: S105 - not a password: a hash nothing verifies against


def new_one_time_password() -> str:
    groups = ("".join(secrets.choice(OTP_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def hash_one_time_password(password: str) -> str:
    return _otp_hasher.hash(password)
