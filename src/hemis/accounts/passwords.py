"""Password hashing with argon2id."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError


@dataclass(frozen=True)
class HashParameters:
    """argon2id cost: memory in KiB, iterations, lanes."""

    memory_kib: int
    iterations: int
    parallelism: int


# OWASP Password Storage Cheat Sheet's argon2id option m=7168 (7 MiB), t=5, p=1: as strong as
# its other four options and the cheapest of them measured on our servers (about 14 ms of CPU
# per login against 140 ms for the library default). Why, and the numbers: docs/adr/0024.
PASSWORD_HASH_PARAMETERS = HashParameters(memory_kib=7168, iterations=5, parallelism=1)

_hasher = PasswordHasher(
    time_cost=PASSWORD_HASH_PARAMETERS.iterations,
    memory_cost=PASSWORD_HASH_PARAMETERS.memory_kib,
    parallelism=PASSWORD_HASH_PARAMETERS.parallelism,
)
# Verified against when the username is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; the cost is read from the stored hash, so hashes made with
    older parameters still verify (and `needs_rehash` says to replace them)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than PASSWORD_HASH_PARAMETERS."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return False  # not an argon2 hash (e.g. NO_PASSWORD): nothing a login could verify


def parameters_of(password_hash: str) -> HashParameters:
    """The parameters a stored argon2 hash was made with (for audit entries and tests)."""
    found = extract_parameters(password_hash)
    return HashParameters(found.memory_cost, found.time_cost, found.parallelism)


# Letters and digits a person cannot misread on paper (no 0/O, 1/l/I).
OTP_ALPHABET = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRSTUVWXYZ23456789"
# Stored for accounts that never log in with a password (national e-ID): no password matches.
NO_PASSWORD = "!eid"  # noqa: S105 - not a password: a hash nothing verifies against


def new_one_time_password() -> str:
    groups = ("".join(secrets.choice(OTP_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def hash_one_time_password(password: str) -> str:
    """One-time passwords (random, about 69 bits, replaced at the first login) are hashed like
    any password: PASSWORD_HASH_PARAMETERS is already OWASP's minimum cost, so a school's list of
    500 pupils takes seconds, and their first login has nothing to rehash."""
    return _hasher.hash(password)
