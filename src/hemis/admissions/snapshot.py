"""The immutable input of a round: every wish with its admission score, every program with its
quota, the policies; serialised canonically and hashed.

Canonical bytes: a magic line, the length (8 bytes, little endian) and text of a JSON header
(sorted keys, no spaces) naming the policies and each array's dtype and shape, then the arrays'
bytes in the header's order (little endian, C order). The SHA-256 of those bytes identifies the
snapshot; the database keeps them zlib-compressed. A round is reproducible from its snapshot
alone: `to_problem` rebuilds the matching problem, and solving it again gives the same result.

Programs are offers, or an offer's method buckets when it splits its quota by method (a wish goes
to the bucket of the method that gave the candidate's best score). Every wish is kept, with the
reason it cannot count (`flag`) when it does not. The header names each program's tie-break
criteria (`criteria`, in the order of the `tiebreaks` rows) so that the explanation of a tie lost
— which criterion decided — is derived from the snapshot alone.

Only the criteria an offer chose break ties: the wish rank separates candidates only where the
offer put `wish_rank` among its criteria (Circular 08/2022 as amended, Art. 20(3): the
institution chooses its secondary criteria), never by default and never under `group` otherwise.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hemis.admissions.codes import TiePolicy
from hemis.matching import Problem

MAGIC = b"HEMIS-ADMISSIONS-SNAPSHOT/1\n"
# Why a wish does not count (flag per wish).
FLAG_OK, FLAG_NO_RESULT, FLAG_BELOW_FLOOR, FLAG_TEACHER_RANK, FLAG_CLOSED = 0, 1, 2, 3, 4
FLAG_UNPAID = 5  # the wish fee is not paid and the year lets no unpaid wish in
FLAG_NAMES = {
    FLAG_OK: "ok",
    FLAG_NO_RESULT: "no_result",
    FLAG_BELOW_FLOOR: "below_floor",
    FLAG_TEACHER_RANK: "teacher_rank",
    FLAG_CLOSED: "offer_closed",
    FLAG_UNPAID: "unpaid",
}
ARRAYS: tuple[tuple[str, str], ...] = (
    ("program_institution", "<i8"),
    ("program_offer", "<i8"),
    ("program_bucket", "<i1"),  # index in METHOD_ORDER, -1: every method
    ("quota", "<i8"),
    ("person", "<i8"),
    ("offsets", "<i8"),
    ("wish_program", "<i4"),
    ("wish_rank", "<i4"),
    ("wish_score", "<i4"),  # hundredths, -1: does not count
    ("wish_flag", "<i1"),
    ("tiebreaks", "<i4"),  # (n_tiebreaks, n_wishes)
    # admitted outside the matching (direct / priority admission): their seats are already out
    # of `quota`, and these candidates are not in `person`
    ("direct_person", "<i8"),
    ("direct_program", "<i4"),
    ("direct_path", "<i1"),  # 1 direct, 2 priority
    ("direct_score", "<i4"),  # hundredths, -1: none
)


@dataclass(frozen=True, eq=False)
class Snapshot:
    header: dict[str, Any]
    arrays: dict[str, NDArray[Any]]
    sha256: str = field(default="")

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.arrays[name]

    @property
    def n_candidates(self) -> int:
        return int(self.arrays["person"].shape[0])

    @property
    def n_wishes(self) -> int:
        return int(self.arrays["wish_program"].shape[0])

    @property
    def n_programs(self) -> int:
        return int(self.arrays["quota"].shape[0])

    @property
    def tie_policy(self) -> str:
        return str(self.header["tie_policy"])

    def criteria(self, program: int) -> list[str]:
        """The tie-break criteria of a program, in row order (older snapshots: none named)."""
        named = self.header.get("criteria")
        return list(named[program]) if named else []

    def direct(self, name: str) -> NDArray[Any]:
        """One of the direct_* arrays (empty in a snapshot taken before they existed)."""
        found = self.arrays.get(f"direct_{name}")
        return np.zeros(0, dtype=np.int64) if found is None else found

    def candidate_of_wish(self) -> NDArray[np.int64]:
        offsets = self.arrays["offsets"]
        return np.repeat(np.arange(self.n_candidates, dtype=np.int64), np.diff(offsets))


def make(header: dict[str, Any], arrays: dict[str, NDArray[Any]]) -> Snapshot:
    """A snapshot with its arrays coerced to the canonical dtypes and its hash computed."""
    fixed = {
        name: np.ascontiguousarray(arrays.get(name, np.zeros(0)), dtype=dtype)
        for name, dtype in ARRAYS
    }
    snap = Snapshot(dict(header), fixed)
    return Snapshot(snap.header, fixed, hashlib.sha256(canonical_bytes(snap)).hexdigest())


def canonical_bytes(snap: Snapshot) -> bytes:
    header = dict(snap.header)
    header["arrays"] = [[name, dtype, list(snap.arrays[name].shape)] for name, dtype in ARRAYS]
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
    parts = [MAGIC, struct.pack("<Q", len(text)), text]
    parts += [snap.arrays[name].tobytes(order="C") for name, _ in ARRAYS]
    return b"".join(parts)


def pack(snap: Snapshot) -> bytes:
    """What the database stores: the canonical bytes, zlib-compressed (level 1)."""
    return zlib.compress(canonical_bytes(snap), 1)


class SnapshotCorrupt(ValueError):
    pass


def unpack(payload: bytes, expected_sha256: str | None = None) -> Snapshot:
    """The snapshot stored in `payload`; refused if its hash is not `expected_sha256`."""
    raw = zlib.decompress(payload)
    digest = hashlib.sha256(raw).hexdigest()
    if expected_sha256 is not None and digest != expected_sha256:
        raise SnapshotCorrupt(f"snapshot hash {digest} differs from the recorded {expected_sha256}")
    if not raw.startswith(MAGIC):
        raise SnapshotCorrupt("not an admissions snapshot")
    at = len(MAGIC)
    (length,) = struct.unpack("<Q", raw[at : at + 8])
    at += 8
    header = json.loads(raw[at : at + length])
    at += length
    arrays: dict[str, NDArray[Any]] = {}
    for name, dtype, shape in header.pop("arrays"):
        count = int(np.prod(shape)) if shape else 1
        size = np.dtype(dtype).itemsize * count
        arrays[name] = np.frombuffer(raw, dtype=dtype, count=count, offset=at).reshape(shape)
        at += size
    return Snapshot(header, arrays, digest)


@dataclass(frozen=True, eq=False)
class MatchInput:
    problem: Problem
    wish_index: NDArray[np.int64]  # problem wish → snapshot wish


def to_problem(snap: Snapshot) -> MatchInput:
    """The matching problem of a snapshot: the wishes that count, in candidate and rank order."""
    score = snap["wish_score"]
    keep = np.flatnonzero(score >= 0)
    cand = snap.candidate_of_wish()[keep]
    counts = np.bincount(cand, minlength=snap.n_candidates)
    offsets = np.zeros(snap.n_candidates + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    candidate_ids = None
    if snap.tie_policy == TiePolicy.strict.value:
        candidate_ids = np.char.zfill(snap["person"].astype(str), 19)
    problem = Problem(
        offsets=offsets,
        program=snap["wish_program"][keep],
        score=score[keep].astype(np.float64),
        rank=snap["wish_rank"][keep],
        quota=snap["quota"],
        tiebreaks=snap["tiebreaks"][:, keep].astype(np.float64),
        candidate_ids=candidate_ids,
        rank_breaks_ties=False,  # the wish order counts only as a chosen criterion (Art. 20(3))
    )
    return MatchInput(problem, keep.astype(np.int64))
