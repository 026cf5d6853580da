"""Persons: names, sex, birth dates, ethnicity and a unique, structurally valid CCCD each.

CCCD = 3-digit province of birth registration (the 63 codes of provinces_cccd.csv) + century/sex
digit (hemis.registry.rules.century_sex_digit) + 2 digits of the birth year + a 6-digit serial.
Serials are unique per (province, digit, year) by construction: a running counter per key, passed
through an affine bijection of 0..999,999 so they do not look sequential. National IDs are
encrypted (AES-GCM, the IdCipher format) and blind-indexed inside `build_persons`; the
plaintext is neither returned nor logged.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hemis.common.crypto import IdCipher
from hemis.registry.codes import Sex
from hemis.registry.reference import read_rows
from hemis.registry.rules import century_sex_digit
from hemis.synth.common import (
    BoolArray,
    Counters,
    IntArray,
    as_dates,
    pick,
    stamps,
    weighted,
    year_start,
)
from hemis.synth.names import sample_names

_SERIALS = 1_000_000
_MULTIPLIER = 741_457  # coprime with 10**6: k -> (a*k + b) mod 10**6 is a bijection
_VERSION = b"\x01"  # the IdCipher ciphertext format: version + 12-byte nonce + AES-GCM output

# Where births were registered: every province, the most populous ones weighted up.
_PROVINCE_WEIGHT = {"001": 4.0, "079": 4.0, "038": 2.2, "040": 2.0, "031": 1.5, "048": 1.2}


@lru_cache(maxsize=1)
def cccd_provinces() -> tuple[str, ...]:
    return tuple(sorted(row["code"] for row in read_rows("provinces_cccd.csv")))


def province_weights() -> np.ndarray:
    return np.array([_PROVINCE_WEIGHT.get(c, 1.0) for c in cccd_provinces()], dtype=np.float64)


def province_index(code3: str) -> int:
    return cccd_provinces().index(code3)


class SerialPool:
    """Hands out CCCD serials, unique per (province, century/sex digit, two-digit year)."""

    def __init__(self) -> None:
        self._counters = Counters(len(cccd_provinces()) * 10 * 100)

    def national_ids(self, province: IntArray, digit: IntArray, yy: IntArray) -> pl.Series:
        key = (province * 10 + digit) * 100 + yy
        k = self._counters.take(key)
        if len(k) and int(k.max()) >= _SERIALS:
            raise ValueError("more than a million people for one province, sex and birth year")
        offset = (key * 2_654_435_761) % _SERIALS
        serial = (_MULTIPLIER * k + offset) % _SERIALS
        codes = np.array([int(c) for c in cccd_provinces()], dtype=np.int64)[province]
        value = codes * 1_000_000_000 + digit * 100_000_000 + yy * 1_000_000 + serial
        return pl.Series("national_id", value).cast(pl.String).str.zfill(12)


def digits_for(female: BoolArray, birth_year: IntArray) -> IntArray:
    """The CCCD 4th digit of every person, from hemis.registry.rules.century_sex_digit."""
    century = birth_year // 100
    out = np.zeros(len(female), dtype=np.int64)
    for c in np.unique(century):
        for is_female in (False, True):
            mask = (century == c) & (female == is_female)
            out[mask] = century_sex_digit(Sex.female if is_female else Sex.male, int(c) * 100)
    return out


def seal(cipher: IdCipher, national_ids: pl.Series) -> tuple[list[bytes], list[bytes]]:
    """(ciphertexts, blind indexes) — the same bytes IdCipher.encrypt / blind_index produce."""
    aes = AESGCM(cipher.encryption_key)
    encrypt = aes.encrypt
    key = cipher.index_key
    digest = hmac.digest
    plain = [s.encode() for s in national_ids.to_list()]
    nonces = os.urandom(12 * len(plain))
    enc = [
        _VERSION + nonces[12 * i : 12 * i + 12] + encrypt(nonces[12 * i : 12 * i + 12], p, _VERSION)
        for i, p in enumerate(plain)
    ]
    index = [digest(key, p, "sha256") for p in plain]
    return enc, index


@dataclass(frozen=True)
class PersonDraw:
    """What the caller decides about a batch of people."""

    female: BoolArray
    birth_year: IntArray
    province: IntArray  # index into cccd_provinces()


def ethnicity_weights(codes: tuple[str, ...]) -> np.ndarray:
    """Kinh ("01") ~ 88% of learners and staff; the others by a rank-decaying share."""
    weights = np.array([1.0 / (i + 1) ** 1.3 if c != "01" else 0.0 for i, c in enumerate(codes)])
    if weights.sum() > 0:
        weights = weights / weights.sum() * 0.12
    weights[[i for i, c in enumerate(codes) if c == "01"]] = 0.88
    return weights


def build_persons(
    rng: np.random.Generator,
    draw: PersonDraw,
    serials: SerialPool,
    cipher: IdCipher,
    ethnicities: tuple[str, ...],
) -> pl.DataFrame:
    """The person rows (without ids); plaintext national IDs exist only inside this call."""
    n = len(draw.female)
    full_name, folded = sample_names(rng, draw.female)
    start = year_start(draw.birth_year)
    length = year_start(draw.birth_year + 1) - start
    dob = start + np.floor(rng.random(n) * length).astype(np.int64)
    digit = digits_for(draw.female, draw.birth_year)
    national_ids = serials.national_ids(draw.province, digit, draw.birth_year % 100)
    enc, index = seal(cipher, national_ids)
    ethnicity = weighted(rng, ethnicity_weights(ethnicities), n)
    frame = pl.DataFrame(
        {
            "national_id_enc": pl.Series(enc, dtype=pl.Binary),
            "national_id_index": pl.Series(index, dtype=pl.Binary),
            "full_name": full_name,
            "name_folded": folded,
            "date_of_birth": as_dates(dob),
            "sex": pick(["male", "female"], draw.female.astype(np.int64)),
            "ethnicity_code": pick(ethnicities, ethnicity),
            "nationality": pl.Series(["VN"] * n, dtype=pl.String),
        }
    )
    return stamps(frame)
