"""Persons of a file, found by the blind index of their national ID; new ones encrypted.

A person is national: one row per human, found by the HMAC blind index of the national ID (the
same as `IdCipher.blind_index`) and never by the ID itself. A file's persons are matched in one
set-based query against a staging table of their blind indexes, which also says which are the
institution's own; a second, for the IDs registered to someone else, finds the institution's
own claims; a third asks whether the linked persons study full-time or teach full-time or
permanently at another institution (tier e). Only new persons are encrypted (AES-GCM, the same
format as `IdCipher.encrypt`), with one cipher object and one buffer of random nonces, because
this is per-row Python work on millions of IDs.

A person already registered is linked, never rewritten by a file. The institution's own person
is checked against the file (a different birth date or sex is an error, tier d; a different
name a warning); another institution's person is linked only if the file describes them
exactly, and otherwise the file's details become the institution's claim, reviewed by the
ministry (`registered`): nothing the import answers tells whether someone else's record
differs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hemis.common.crypto import IdCipher, claim_key
from hemis.registry.codes import ReviewStatus
from hemis.submissions.apply import TableResult, digest_soon, unless_server_default
from hemis.submissions.workspace import Workspace

_VERSION = b"\x01"  # hemis.common.crypto's ciphertext version
IDX = "_idx"
CHUNK = 100_000  # rows of per-row Python work (hashing, encrypting) at a time
DETAILS = ("full_name", "date_of_birth", "sex", "ethnicity", "nationality")
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
    """`data` (with IDX) joined with the persons its rows will point at (`registered`):
    person_id (null for a new person or a claim), their birth date, sex and name, and
    `elsewhere`: whether they study full-time (learners) or teach full-time or permanently
    (staff) at another institution."""
    return data.join(registered(ws, data, entity), on=IDX, how="left")


def detail_columns(data: pl.DataFrame) -> list[str]:
    """The person details of a file frame that decide whether a registered person is linked."""
    return [c for c in DETAILS if c in data.columns]


def registered(ws: Workspace, data: pl.DataFrame, entity: str) -> pl.DataFrame:
    """For each national ID of `data` (IDX, with the details of its first row), the person the
    institution's rows will point at, seen from the institution (docs/security.md), read once
    per import:

    - its own person (one it enrols or employs, or its own claim): person_id and their
      details, which tier d checks the file against (it sees that person anyway);
    - another institution's person whose details are exactly the file's: linked the same way;
    - another institution's person with other details: person_id null, as for a new person,
      with `claim_of` and `claim_idx`: create_persons records the file's details as the
      institution's claim for the ministry to review — no check, finding or report ever says
      that, or how, someone else's record differs;
    - nobody: person_id null, a new person.
    """
    cached = ws.cache.get("persons")
    if cached is None:
        cached = _match(ws, data, entity)
        ws.cache["persons"] = cached
    assert isinstance(cached, pl.DataFrame)
    return cached


_FOUND = {
    "_k": pl.Int64,
    "person_id": pl.Int64,
    "p_dob": pl.Date,
    "p_sex": pl.String,
    "p_name": pl.String,
    "p_ethnicity": pl.String,
    "p_nationality": pl.String,
    "own": pl.Int64,
}
OURS = (
    "CASE WHEN p.id IN (SELECT person_id FROM learner WHERE institution_id = :iid) "
    "OR p.id IN (SELECT person_id FROM staff WHERE institution_id = :iid) THEN 1 ELSE 0 END"
)


def _same(data: pl.DataFrame) -> pl.Expr:
    """The file's details (first row of the ID) are those of the registered person: every
    field a read would show the institution (the name regardless of letter case)."""

    def given(name: str, default: str) -> pl.Expr:
        return pl.col(name).fill_null(default) if name in data.columns else pl.lit(default)

    return (
        (pl.col("full_name").str.to_lowercase() == pl.col("p_name").str.to_lowercase())
        & (pl.col("date_of_birth") == pl.col("p_dob"))
        & (pl.col("sex") == pl.col("p_sex"))
        & (given("ethnicity", "01") == pl.col("p_ethnicity"))
        & (given("nationality", "VN") == pl.col("p_nationality"))
    ).fill_null(False)


def _match(ws: Workspace, data: pl.DataFrame, entity: str) -> pl.DataFrame:
    # Keys are numbered so that the answer carries a small number, not the 32-byte index.
    keys = data.select(pl.col(IDX).drop_nulls().unique()).with_row_index("_k")
    keys = keys.select(pl.col("_k").cast(pl.Int64), IDX)
    ws.stage("stg_person_key", keys)
    found = ws.fetch(
        "SELECT s._k, p.id, p.date_of_birth, p.sex, p.full_name, p.ethnicity_code, "  # noqa: S608
        f"p.nationality, {OURS} FROM stg_person_key s "
        "JOIN person p ON p.national_id_index = s._idx",
        {"iid": ws.institution_id},
        _FOUND,
    ).join(keys, on="_k")
    first = (
        data.select(IDX, "national_id", *detail_columns(data))
        .filter(pl.col(IDX).is_not_null())
        .unique(IDX, keep="first", maintain_order=True)
    )
    seen = found.join(first, on=IDX).with_columns(
        (pl.col("own") == 1).alias("own"), _same(first).alias("same")
    )
    others = seen.filter(~pl.col("own"))
    claims = _own_claims(ws, others)
    # Own claim first (as registry/service_people.py does); then own, exact, or a new claim.
    out = seen.join(claims, on=IDX, how="left").select(
        IDX,
        pl.coalesce("c_id", pl.when(pl.col("own") | pl.col("same")).then("person_id")).alias(
            "person_id"
        ),
        pl.coalesce("c_dob", "p_dob").alias("p_dob"),
        pl.coalesce("c_sex", "p_sex").alias("p_sex"),
        pl.coalesce("c_name", "p_name").alias("p_name"),
        pl.when(pl.col("c_id").is_null() & ~pl.col("own") & ~pl.col("same"))
        .then("person_id")
        .alias("claim_of"),
        pl.when(pl.col("c_id").is_null() & ~pl.col("own") & ~pl.col("same"))
        .then("_cidx")
        .alias("claim_idx"),
    )
    return out.with_columns(_elsewhere(ws, out, entity).alias("elsewhere"))


def _own_claims(ws: Workspace, others: pl.DataFrame) -> pl.DataFrame:
    """The institution's own claims among IDs registered to someone else (IDX → c_id and the
    claim's details), with the claim index of every such ID (`_cidx`)."""
    ids = others["national_id"].to_list()
    cidx = pl.Series(
        "_cidx",
        blind_indexes(ws.cipher, [claim_key(ws.institution_id, v) for v in ids]),
        pl.Binary,
    )
    keyed = others.select(IDX).with_columns(cidx).with_row_index("_c")
    keyed = keyed.with_columns(pl.col("_c").cast(pl.Int64))
    schema = {"_c": pl.Int64, "c_id": pl.Int64, "c_dob": pl.Date, "c_sex": pl.String}
    if keyed.is_empty():
        found = pl.DataFrame(schema=schema | {"c_name": pl.String})
    else:
        ws.stage("stg_claim_key", keyed.select("_c", "_cidx"))
        found = ws.fetch(
            "SELECT s._c, p.id, p.date_of_birth, p.sex, p.full_name FROM stg_claim_key s "
            "JOIN person p ON p.national_id_index = s._cidx",
            {},
            schema | {"c_name": pl.String},
        )
    return keyed.join(found, on="_c", how="left").drop("_c")


def _elsewhere(ws: Workspace, out: pl.DataFrame, entity: str) -> pl.Series:
    """Whether each linked person is counted at another institution (tier e). Only persons the
    institution holds — its own, or exactly as it described them — are asked about."""
    linked = out.select(pl.col("person_id").drop_nulls().unique())
    counted = pl.Series("person_id", [], pl.Int64)
    if entity in ELSEWHERE and not linked.is_empty():
        ws.stage("stg_person_linked", linked)
        counted = ws.fetch(
            ELSEWHERE[entity].format(matched="SELECT person_id FROM stg_person_linked"),
            {"iid": ws.institution_id},
            {"person_id": pl.Int64},
        )["person_id"]
    return out["person_id"].is_in(counted.implode()).fill_null(False)


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
    "review_of",
    "review_status",
)
KEY = "_key"  # the national blind index of a new person (its claim index is stored instead)


def _new_persons(ws: Workspace, data: pl.DataFrame, registered_: pl.DataFrame) -> pl.DataFrame:
    """One row per person of `data` not linked to a registered one (the first row that names
    them), in blind-index order so that the unique index grows at its right edge; ids
    assigned. A claim (`registered_` gives its claim_of and claim_idx) is stored under its
    claim index, pending review; KEY keeps the national blind index it answers for."""
    from hemis.common.text import fold
    from hemis.db.ids import allocate_ids

    known = registered_.filter(pl.col("person_id").is_not_null()).select(IDX)
    claims = registered_.filter(pl.col("claim_of").is_not_null()).select(
        IDX, "claim_of", "claim_idx"
    )
    new = (
        data.select(
            IDX, "national_id", "full_name", "date_of_birth", "sex", "ethnicity", "nationality"
        )
        .filter(pl.col(IDX).is_not_null())
        .join(known, on=IDX, how="anti")
        .unique(IDX, keep="first", maintain_order=True)
        .sort(IDX)
        .join(claims, on=IDX, how="left", maintain_order="left")
    )
    if new.is_empty():
        return new
    first = allocate_ids(ws.conn, "person", new.height)
    ws.cache["new_person_ids"] = (first, first + new.height - 1)
    names = new["full_name"].unique()
    folded = pl.Series([fold(n) for n in names.to_list()], dtype=pl.String)
    claim = pl.col("claim_of").is_not_null()
    return new.select(
        pl.int_range(first, first + new.height, dtype=pl.Int64).alias("id"),
        "national_id",
        pl.when(claim).then("claim_idx").otherwise(IDX).alias("national_id_index"),
        "full_name",
        pl.col("full_name").replace_strict(names, folded).alias("name_folded"),
        "date_of_birth",
        "sex",
        pl.col("ethnicity").fill_null("01").alias("ethnicity_code"),
        pl.col("nationality").fill_null("VN"),
        pl.col("claim_of").alias("review_of"),
        pl.when(claim).then(pl.lit(ReviewStatus.pending.value)).alias("review_status"),
        pl.col(IDX).alias(KEY),
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
    """Insert the persons of `data` (with IDX) that are not linked to a registered one (new
    persons and claims); returns IDX → person_id for every person of the file, and what was
    written (for the audit log: the digest leaves the ciphertext out)."""
    found = registered(ws, data, entity)
    matched = found.filter(pl.col("person_id").is_not_null()).select(IDX, "person_id")
    new = _new_persons(ws, data, found)
    if new.is_empty():
        return matched, TableResult("person")
    result = TableResult(
        "person",
        rows=new.height,
        inserted=new.height,
        written=new.height,
        sha256_pending=digest_soon(new.drop("id", "national_id", KEY)),
    )
    created = new.select(pl.col(KEY).alias(IDX), pl.col("id").alias("person_id"))
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
    stored = ws.fetch(
        "SELECT s.national_id_index, p.id FROM stg_person s "
        "JOIN person p ON p.national_id_index = s.national_id_index",
        {},
        {"national_id_index": pl.Binary, "person_id": pl.Int64},
    )
    mapping = stored.join(new.select("national_id_index", KEY), on="national_id_index").select(
        pl.col(KEY).alias(IDX), "person_id"
    )
    return pl.concat([matched, mapping]), result
