"""Persons of a file, found by the blind index of their national ID; new ones encrypted.

A person is national: one row per human, found by the HMAC blind index of the national ID (the
same as `IdCipher.blind_index`) and never by the ID itself. A file's persons are matched in one
set-based query against a staging table of their blind indexes; the same query says whether the
person studies full-time or teaches full-time/permanently at another institution (tier e), so
the national tables are read once. Only new persons are encrypted (AES-GCM, the same format as
`IdCipher.encrypt`), with one cipher object and one buffer of random nonces, because this is
per-row Python work on millions of IDs.

A person already registered is linked, never rewritten by a file: a different birth date or sex
is an error (tier d), a different name a warning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hemis.common.crypto import IdCipher
from hemis.submissions.apply import TableResult, digest_soon, unless_server_default
from hemis.submissions.workspace import Workspace

_VERSION = b"\x01"  # hemis.common.crypto's ciphertext version
IDX = "_idx"
CHUNK = 100_000  # rows of per-row Python work (hashing, encrypting) at a time
MATCH_SCHEMA = {
    IDX: pl.Binary,
    "person_id": pl.Int64,
    "p_dob": pl.Date,
    "p_sex": pl.String,
    "p_name": pl.String,
}
# Who counts twice: enrolled full-time (learners), teaching full-time or permanently (staff).
ELSEWHERE = {
    "learners": "SELECT DISTINCT person_id FROM learner WHERE institution_id <> :iid "
    "AND status = 'enrolled' AND study_mode = 'full_time' AND person_id IN ({matched})",
    "staff": "SELECT DISTINCT person_id FROM staff WHERE institution_id <> :iid "
    "AND position = 'lecturer' AND (full_time OR permanent) AND person_id IN ({matched})",
}


def blind_indexes(cipher: IdCipher, ids: Sequence[str]) -> list[bytes]:
    """HMAC-SHA256 of every ID under the blind-index key (equal to `cipher.blind_index`), with
    the key's inner and outer pads hashed once."""
    key = cipher.index_key
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner_copy = hashlib.sha256(bytes(b ^ 0x36 for b in key)).copy
    outer_copy = hashlib.sha256(bytes(b ^ 0x5C for b in key)).copy
    out = []
    for value in ids:
        inner = inner_copy()
        inner.update(value.encode())
        outer = outer_copy()
        outer.update(inner.digest())
        out.append(outer.digest())
    return out


def encrypt_all(cipher: IdCipher, ids: Sequence[str]) -> list[bytes]:
    """AES-GCM ciphertexts of every ID in `IdCipher.encrypt`'s format (version, nonce, sealed)."""
    seal = AESGCM(cipher.encryption_key).encrypt
    nonces = os.urandom(12 * len(ids))
    out = []
    for i, value in enumerate(ids):
        nonce = nonces[12 * i : 12 * i + 12]
        out.append(_VERSION + nonce + seal(nonce, value.encode(), _VERSION))
    return out


def _index_series(cipher: IdCipher, national_ids: pl.Series) -> pl.Series:
    """The blind indexes of a column, a slice at a time: the Python strings and digests of one
    slice exist at once, not those of millions of rows (hundreds of MB)."""
    parts = []
    for offset in range(0, max(len(national_ids), 1), CHUNK):
        ids = national_ids.slice(offset, CHUNK).to_list()
        digests = iter(blind_indexes(cipher, [v for v in ids if v is not None]))
        parts.append(pl.Series(IDX, [None if v is None else next(digests) for v in ids], pl.Binary))
    return pl.concat(parts, rechunk=False)


_EARLY = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hemis-blind-index")


def start_blind_index(ws: Workspace, national_ids: pl.Series) -> None:
    """Begin the blind indexes of the file's national IDs on a thread, while tiers a–c run
    (mostly in polars, which leaves the interpreter free); `with_blind_index` takes them if the
    IDs it is given are these same IDs, in the same order, and computes its own otherwise."""
    ids = national_ids.drop_nulls()
    ws.cache["blind_index_early"] = (ids, _EARLY.submit(_index_series, ws.cipher, ids))


def with_blind_index(ws: Workspace, data: pl.DataFrame) -> pl.DataFrame:
    """`data` with IDX, the blind index of its national_id (null where there is none).

    `data` is the checked file (or a column selection of it, in its row order): the index is
    computed once per import, row by row, and attached without a join.
    """
    cached = ws.cache.get("blind_index")
    if cached is None:
        early = ws.cache.pop("blind_index_early", None)
        if early is not None and early[0].equals(data["national_id"], check_names=False):
            cached = early[1].result()
        else:
            cached = _index_series(ws.cipher, data["national_id"])
        ws.cache["blind_index"] = cached
    assert isinstance(cached, pl.Series)
    assert len(cached) == data.height, "the blind index belongs to the checked file's rows"
    return data.with_columns(cached)


def match_persons(ws: Workspace, data: pl.DataFrame, entity: str) -> pl.DataFrame:
    """`data` (with IDX) joined with the registered persons: person_id (null for a new person),
    their birth date, sex and name, and `elsewhere`: whether they study full-time (learners) or
    teach full-time or permanently (staff) at another institution."""
    return data.join(registered(ws, data, entity), on=IDX, how="left")


def registered(ws: Workspace, data: pl.DataFrame, entity: str) -> pl.DataFrame:
    """The registered persons among `data`'s (IDX → person_id, p_dob, p_sex, p_name,
    elsewhere), read once per import."""
    cached = ws.cache.get("persons")
    if cached is None:
        # Keys are numbered so that the answer carries a small number, not the 32-byte index.
        keys = data.select(pl.col(IDX).drop_nulls().unique()).with_row_index("_k")
        ws.stage("stg_person_key", keys.select(pl.col("_k").cast(pl.Int64), IDX))
        matched = "SELECT p.id FROM stg_person_key s JOIN person p ON p.national_id_index = s._idx"
        found = ws.fetch(
            "SELECT s._k, p.id, p.date_of_birth, p.sex, p.full_name "
            "FROM stg_person_key s JOIN person p ON p.national_id_index = s._idx",
            {},
            {"_k": pl.Int64, **{k: v for k, v in MATCH_SCHEMA.items() if k != IDX}},
        )
        cached = found.join(
            keys.select(pl.col("_k").cast(pl.Int64), IDX), on="_k", how="left"
        ).select(list(MATCH_SCHEMA))
        elsewhere = pl.Series("person_id", [], pl.Int64)
        if entity in ELSEWHERE and not cached.is_empty():
            elsewhere = ws.fetch(
                ELSEWHERE[entity].format(matched=matched),
                {"iid": ws.institution_id},
                {"person_id": pl.Int64},
            )["person_id"]
        cached = cached.with_columns(
            pl.col("person_id").is_in(elsewhere.implode()).alias("elsewhere")
        )
        ws.cache["persons"] = cached
    assert isinstance(cached, pl.DataFrame)
    return cached


PERSON_COLUMNS = (
    "id",
    "national_id_enc",
    "national_id_index",
    "full_name",
    "name_folded",
    "date_of_birth",
    "sex",
    "ethnicity_code",
    "nationality",
)


def _new_persons(ws: Workspace, data: pl.DataFrame, known: pl.DataFrame) -> pl.DataFrame:
    """One row per person of `data` not registered yet (the first row that names them), in
    blind-index order so that the unique index grows at its right edge; ids assigned."""
    from hemis.common.text import fold
    from hemis.db.ids import allocate_ids

    new = (
        data.select(
            IDX, "national_id", "full_name", "date_of_birth", "sex", "ethnicity", "nationality"
        )
        .filter(pl.col(IDX).is_not_null())
        .join(known, on=IDX, how="anti")
        .unique(IDX, keep="first", maintain_order=True)
        .sort(IDX)
    )
    if new.is_empty():
        return new
    first = allocate_ids(ws.conn, "person", new.height)
    ws.cache["new_person_ids"] = (first, first + new.height - 1)
    names = new["full_name"].unique()
    folded = pl.Series([fold(n) for n in names.to_list()], dtype=pl.String)
    return new.select(
        pl.int_range(first, first + new.height, dtype=pl.Int64).alias("id"),
        "national_id",
        pl.col(IDX).alias("national_id_index"),
        "full_name",
        pl.col("full_name").replace_strict(names, folded).alias("name_folded"),
        "date_of_birth",
        "sex",
        pl.col("ethnicity").fill_null("01").alias("ethnicity_code"),
        pl.col("nationality").fill_null("VN"),
    )


def _sealed(ws: Workspace, new: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """The new persons in chunks with their national IDs encrypted (and the clear IDs gone):
    on PostgreSQL each chunk is encrypted while the server writes the one before."""
    for offset in range(0, new.height, CHUNK):
        chunk = new.slice(offset, CHUNK)
        sealed = pl.Series(
            "national_id_enc", encrypt_all(ws.cipher, chunk["national_id"].to_list()), pl.Binary
        )
        yield chunk.with_columns(sealed).select(PERSON_COLUMNS)


def create_persons(
    ws: Workspace, data: pl.DataFrame, entity: str, now: dt.datetime
) -> tuple[pl.DataFrame, TableResult]:
    """Insert the persons of `data` (with IDX) that are not registered yet; returns IDX →
    person_id for every person of the file, and what was written (for the audit log: the
    digest leaves the ciphertext out)."""
    matched = registered(ws, data, entity).select(IDX, "person_id")
    new = _new_persons(ws, data, matched)
    if new.is_empty():
        return matched, TableResult("person")
    result = TableResult(
        "person",
        rows=new.height,
        inserted=new.height,
        written=new.height,
        sha256_pending=digest_soon(new.drop("id", "national_id")),
    )
    created = new.select(pl.col("national_id_index").alias(IDX), pl.col("id").alias("person_id"))
    stamps = unless_server_default("person", {"created_at": now, "updated_at": now})
    if ws.postgres and ws.copy_rows("person", PERSON_COLUMNS, _sealed(ws, new), stamps):
        return pl.concat([matched, created]), result
    # SQLite, or someone registered some of these persons meanwhile: stage them and insert
    # what is still missing, then read every id back.
    ws.stage("stg_person", pl.concat(_sealed(ws, new)))
    columns = ", ".join(PERSON_COLUMNS)
    result.written = result.inserted = ws.execute(
        f"INSERT INTO person ({columns}, created_at, updated_at) "  # noqa: S608
        f"SELECT {columns}, :now, :now FROM stg_person WHERE true "
        "ON CONFLICT (national_id_index) DO NOTHING",
        {"now": now},
    )
    if result.inserted == new.height:
        return pl.concat([matched, created]), result
    mapping = ws.fetch(
        "SELECT s.national_id_index, p.id FROM stg_person s "
        "JOIN person p ON p.national_id_index = s.national_id_index",
        {},
        {IDX: pl.Binary, "person_id": pl.Int64},
    )
    return pl.concat([matched, mapping]), result
