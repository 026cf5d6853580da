"""CSV files of the audit CLI: PROGRAMS.csv and WISHES.csv in, assignments.csv and cutoffs.csv
out. Everything is validated, vectorised, before anything is written; an error names the file,
the line (the header is line 1) and the problem, in Vietnamese and English.

Candidates are numbered in order of first appearance in WISHES.csv, and assignments.csv lists
them in that order. Line numbers assume one record per line (no line breaks inside quotes).
Candidate and program ids are normalised to Unicode NFC as read, so a name typed in NFC in one
row and NFD in another (as different editors save Vietnamese) is one id; the output carries the
NFC form. Under the `strict` policy ids are compared as text (see hemis.matching).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from hemis.common.spreadsheet import write_csv
from hemis.errors import ValidationFailed
from hemis.matching.kernels import I32, I64, jit
from hemis.matching.problem import Problem
from hemis.matching.result import Result

PROGRAM_COLUMNS = ("program_id", "quota")
WISH_COLUMNS = ("candidate_id", "rank", "program_id", "score")
TIEBREAK = re.compile(r"tiebreak([1-9][0-9]*)")
SHOWN = 20  # errors listed in full; the rest are counted
MAX_RANK = 2**31 - 1  # ranks are stored as int32


@dataclass(frozen=True, order=True)
class LineError:
    file: str
    line: int
    vi: str
    en: str

    def __str__(self) -> str:
        where = f", dòng/line {self.line}" if self.line else ""  # line 0: the file as a whole
        return f"{self.file}{where}: {self.vi} / {self.en}"


class BadInput(ValidationFailed):
    """The CSV files break the contract; ``errors`` lists the first ones, ``total`` counts all."""

    code = "bad_matching_input"

    def __init__(self, errors: list[LineError], total: int) -> None:
        errors = sorted(errors)[:SHOWN]
        super().__init__(
            f"Dữ liệu đầu vào có {total} lỗi.",
            f"The input has {total} errors.",
            details=[str(error) for error in errors],
        )
        self.errors = errors
        self.total = total


class _Collector:
    def __init__(self) -> None:
        self.errors: list[LineError] = []
        self.total = 0

    def rows(self, file: Path, bad: pl.Series, vi: str, en: str, values: pl.Series | None) -> None:
        """One error per data row where ``bad`` holds, quoting ``values`` there if given."""
        rows = np.flatnonzero(bad.fill_null(False).to_numpy())
        self.total += len(rows)
        shown = rows[:SHOWN].tolist()
        quoted = [""] * len(shown) if values is None else [f": {v!r}" for v in values.gather(shown)]
        for row, quote in zip(shown, quoted, strict=True):
            self.errors.append(LineError(file.name, row + 2, vi + quote, en + quote))

    def pairs(self, file: Path, pairs: I64, vi: str, en: str) -> None:
        """One error per (later row, earlier row) pair, at the later line."""
        self.total += len(pairs)
        for later, earlier in pairs[:SHOWN].tolist():
            see_vi, see_en = f" (xem dòng {earlier + 2})", f" (see line {earlier + 2})"
            self.errors.append(LineError(file.name, later + 2, vi + see_vi, en + see_en))

    def line(self, file: Path, line: int, vi: str, en: str) -> None:
        self.total += 1
        self.errors.append(LineError(file.name, line, vi, en))

    def check(self) -> None:
        if self.total:
            raise BadInput(self.errors, self.total)


@dataclass(frozen=True)
class Loaded:
    """The problem plus the id columns the output needs, kept in polars."""

    problem: Problem
    candidate_ids: pl.Series
    program_ids: pl.Series


def read_problem(programs_csv: Path, wishes_csv: Path) -> Loaded:
    """Read and validate both files; raise :class:`BadInput` listing what is wrong."""
    errors = _Collector()
    programs = _read_programs(programs_csv, errors)
    errors.check()
    wishes, tiebreaks = _read_wishes(wishes_csv, programs["program_id"], errors)
    errors.check()
    return _build(wishes_csv, programs, wishes, tiebreaks, errors)


def write_result(loaded: Loaded, result: Result, out: Path) -> tuple[Path, Path]:
    """Write assignments.csv and cutoffs.csv into ``out``; both appear, or neither does."""
    program = pl.Series(result.assigned_program, dtype=pl.Int64)
    assigned = program >= 0
    assignments = pl.DataFrame(
        {
            "candidate_id": loaded.candidate_ids,
            "program_id": loaded.program_ids.gather(program.set(~assigned, None)),
            "rank": pl.Series(result.assigned_rank, dtype=pl.Int64).set(~assigned, None),
        }
    )
    cutoffs = pl.DataFrame(
        {
            "program_id": loaded.program_ids,
            "quota": result.quota,
            "admitted": result.admitted,
            "cutoff": pl.Series(result.cutoff).fill_nan(None),
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    targets = (out / "assignments.csv", out / "cutoffs.csv")
    temps = [target.with_name(f".{target.name}.{os.getpid()}.tmp") for target in targets]
    try:
        write_csv(assignments, temps[0])
        write_csv(cutoffs, temps[1])
        for temp, target in zip(temps, targets, strict=True):
            temp.replace(target)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
    return targets


def _header(path: Path, errors: _Collector) -> list[str] | None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return next(csv.reader(handle), None) or None
    except FileNotFoundError:
        errors.line(path, 0, "không tìm thấy tệp", "file not found")
    except (OSError, UnicodeDecodeError) as exc:
        errors.line(path, 1, f"không đọc được tệp ({exc})", f"cannot read the file ({exc})")
    return None


def _columns(path: Path, required: tuple[str, ...], errors: _Collector) -> list[str] | None:
    header = _header(path, errors)
    if header is None:
        if not errors.total:
            errors.line(path, 1, "tệp rỗng, thiếu dòng tiêu đề", "empty file: no header line")
        return None
    for name in required:
        if name not in header:
            errors.line(path, 1, f"thiếu cột {name}", f"missing column {name}")
    if len(set(header)) != len(header):
        errors.line(path, 1, "tên cột bị trùng", "a column name appears twice")
    return header


def _read_programs(path: Path, errors: _Collector) -> pl.DataFrame:
    header = _columns(path, PROGRAM_COLUMNS, errors)
    if header is None or errors.total:
        return pl.DataFrame()
    for name in header:
        if name not in PROGRAM_COLUMNS:
            errors.line(path, 1, f"cột không hợp lệ {name}", f"unexpected column {name}")
    frame = _read_strings(path, errors)
    if frame is None or errors.total:
        return pl.DataFrame()
    pid, text = nfc(frame["program_id"]), frame["quota"]  # a few thousand: always
    quota = text.str.strip_chars().cast(pl.Int64, strict=False)
    errors.rows(path, pid.is_null(), "thiếu program_id", "missing program_id", None)
    errors.rows(path, text.is_null(), "thiếu quota", "missing quota", None)
    bad = quota.is_null() & text.is_not_null()
    errors.rows(path, bad, "quota không phải số nguyên", "quota is not an integer", text)
    errors.rows(path, quota < 0, "quota âm", "negative quota", text)
    dup = pid.is_not_null() & ~pid.is_first_distinct()
    errors.rows(path, dup, "program_id bị trùng", "duplicate program_id", pid)
    return pl.DataFrame({"program_id": pid, "quota": quota})


def _read_wishes(
    path: Path, program_ids: pl.Series, errors: _Collector
) -> tuple[pl.DataFrame, list[str]]:
    header = _columns(path, WISH_COLUMNS, errors)
    if header is None or errors.total:
        return pl.DataFrame(), []
    tiebreaks = [name for name in header if name not in WISH_COLUMNS]
    numbers = sorted(int(m.group(1)) for name in tiebreaks if (m := TIEBREAK.fullmatch(name)))
    if numbers != list(range(1, len(tiebreaks) + 1)):
        errors.line(
            path,
            1,
            f"cột không hợp lệ: {', '.join(tiebreaks)} (chỉ chấp nhận tiebreak1, tiebreak2, …)",
            f"unexpected columns: {', '.join(tiebreaks)} (only tiebreak1, tiebreak2, …)",
        )
        return pl.DataFrame(), []
    tiebreaks = [f"tiebreak{k}" for k in numbers]
    numeric: dict[str, Any] = {"rank": pl.Int64, "score": pl.Float64}
    numeric |= dict.fromkeys(tiebreaks, pl.Float64)
    schema: dict[str, Any] = {"candidate_id": pl.String, "program_id": pl.String} | numeric
    try:  # fast path: typed parse; only a file with a bad cell pays for the string read
        frame = pl.read_csv(path, schema_overrides=schema)
    except pl.exceptions.PolarsError:
        strings = _read_strings(path, errors)
        if strings is None:
            return pl.DataFrame(), []
        frame = strings
        for name, dtype in numeric.items():
            text = frame[name]
            parsed = text.str.strip_chars().cast(dtype, strict=False)
            vi, en = ("số nguyên", "an integer") if dtype == pl.Int64 else ("số", "a number")
            bad = parsed.is_null() & text.is_not_null()
            errors.rows(path, bad, f"{name} không phải {vi}", f"{name} is not {en}", text)
            frame = frame.with_columns(parsed.alias(name))
    for name in WISH_COLUMNS + tuple(tiebreaks):
        errors.rows(path, frame[name].is_null(), f"thiếu {name}", f"missing {name}", None)
    for name in ("score", *tiebreaks):
        bad = frame[name].is_not_null() & ~frame[name].is_finite()
        vi, en = f"{name} không phải số hữu hạn", f"{name} is not a finite number"
        errors.rows(path, bad, vi, en, frame[name])
    rank = frame["rank"]
    vi, en = f"rank phải từ 1 đến {MAX_RANK}", f"rank must be from 1 to {MAX_RANK}"
    errors.rows(path, (rank < 1) | (rank > MAX_RANK), vi, en, rank)
    program = frame["program_id"].cast(pl.Enum(program_ids), strict=False)
    unknown = program.is_null() & frame["program_id"].is_not_null()
    if unknown.any():  # perhaps only written in another normal form: look again in NFC
        frame = frame.with_columns(nfc(frame["program_id"]))
        program = frame["program_id"].cast(pl.Enum(program_ids), strict=False)
        unknown = program.is_null() & frame["program_id"].is_not_null()
    vi, en = "program_id không có trong tệp chương trình", "program_id not in the programs file"
    errors.rows(path, unknown, vi, en, frame["program_id"])
    return frame.with_columns(program.to_physical().cast(pl.Int32).alias("program")), tiebreaks


def nfc(ids: pl.Series) -> pl.Series:
    """Ids in Unicode NFC."""
    return ids.str.normalize("NFC") if ids.dtype == pl.String else ids


def is_ascii(ids: pl.Series) -> bool:
    """ASCII only (hence NFC already): the checks below run it on distinct ids, not rows."""
    return ids.dtype != pl.String or bool((ids.str.len_bytes() == ids.str.len_chars()).all())


def _read_strings(path: Path, errors: _Collector) -> pl.DataFrame | None:
    try:
        return pl.read_csv(path, infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        line = _ragged_line(path)
        vi, en = ("nhiều trường hơn dòng tiêu đề", "more fields than the header")
        if line is None:
            vi, en = (f"không đọc được CSV ({exc})", f"unreadable CSV ({exc})")
        errors.line(path, line or 1, vi, en)
        return None


def _ragged_line(path: Path) -> int | None:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        for row in reader:
            if len(row) > width:
                return reader.line_num
    return None


def _build(
    path: Path,
    programs: pl.DataFrame,
    wishes: pl.DataFrame,
    tiebreaks: list[str],
    errors: _Collector,
) -> Loaded:
    # Columns are taken out of the frame as they are converted, to keep the peak memory low.
    candidate_ids, code = _candidate_codes(wishes.drop_in_place("candidate_id"))
    wishes.drop_in_place("program_id")
    rank = wishes.drop_in_place("rank").cast(pl.Int32).to_numpy()
    program = wishes.drop_in_place("program").to_numpy()
    perm, offsets, in_order = group_wishes(code, rank, len(candidate_ids))
    del code
    conflicts = wish_conflicts(perm, offsets, rank, program, len(programs))
    vi, en = "thí sinh có hai nguyện vọng cùng rank", "the candidate has two wishes with this rank"
    errors.pairs(path, conflicts[0], vi, en)
    vi, en = "thí sinh đăng ký một chương trình hai lần", "the candidate lists this program twice"
    errors.pairs(path, conflicts[1], vi, en)
    errors.check()

    def arranged(values: NDArray[Any]) -> NDArray[Any]:
        return values if in_order else values[perm]  # a file in candidate, rank order: no copy

    tb = np.empty((len(tiebreaks), len(perm)), dtype=np.float64)
    for j, name in enumerate(tiebreaks):
        tb[j] = arranged(wishes.drop_in_place(name).to_numpy())
    problem = Problem(
        offsets=offsets,
        program=arranged(program),
        score=arranged(wishes.drop_in_place("score").to_numpy()),
        rank=arranged(rank),
        quota=programs["quota"].to_numpy(),
        tiebreaks=tb,
        candidate_ids=candidate_ids.to_numpy(),
        program_ids=programs["program_id"].to_numpy(),
    )
    return Loaded(problem, candidate_ids, programs["program_id"])


def _candidate_codes(ids: pl.Series) -> tuple[pl.Series, NDArray[np.uint32]]:
    """Distinct ids (NFC) in order of first appearance, and each row's index into them. Only
    when a distinct id is not ASCII are the rows normalised (the same name saved in NFC and NFD
    is one candidate): an all-ASCII file pays a check of its distinct ids, not of every row."""
    first, codes = _distinct_codes(ids)
    if is_ascii(first):
        return first, codes
    return _distinct_codes(nfc(ids))


def _distinct_codes(ids: pl.Series) -> tuple[pl.Series, NDArray[np.uint32]]:
    runs = ids.rle_id().to_numpy()
    starts = np.ones(len(runs), dtype=np.bool_)
    np.not_equal(runs[1:], runs[:-1], out=starts[1:])
    first = ids.filter(pl.Series(starts))
    if first.n_unique() == len(first):  # each candidate's rows are contiguous, as usual
        return first, runs
    distinct = ids.unique(maintain_order=True)  # slower: a hash lookup per row
    return distinct, ids.cast(pl.Enum(distinct)).to_physical().cast(pl.UInt32).to_numpy()


@jit
def group_wishes(code: NDArray[np.uint32], rank: I32, n_candidates: int) -> tuple[I64, I64, bool]:
    """Rows grouped by candidate, each group in rank order: (row permutation, offsets, whether
    the permutation is the identity)."""
    offsets = np.zeros(n_candidates + 1, np.int64)
    for i in range(code.shape[0]):
        offsets[code[i] + 1] += 1
    for c in range(n_candidates):
        offsets[c + 1] += offsets[c]
    fill = offsets[:-1].copy()
    perm = np.empty(code.shape[0], np.int64)
    for i in range(code.shape[0]):  # stable counting sort: file order within a candidate
        perm[fill[code[i]]] = i
        fill[code[i]] += 1
    for c in range(n_candidates):  # insertion sort: wishes are usually already in rank order
        for i in range(offsets[c] + 1, offsets[c + 1]):
            row = perm[i]
            j = i
            while j > offsets[c] and rank[perm[j - 1]] > rank[row]:
                perm[j] = perm[j - 1]
                j -= 1
            perm[j] = row
    in_order = True
    for i in range(perm.shape[0]):
        in_order = in_order and perm[i] == i
    return perm, offsets, in_order


@jit
def wish_conflicts(
    perm: I64, offsets: I64, rank: I32, program: I32, n_programs: int
) -> tuple[I64, I64]:
    """(later row, earlier row) pairs of one candidate's wishes sharing a rank, or a program."""
    counts = _conflicts(perm, offsets, rank, program, n_programs, None, None)
    same_rank = np.empty((counts[0], 2), np.int64)  # two passes: exact sizes, little memory
    same_program = np.empty((counts[1], 2), np.int64)
    _conflicts(perm, offsets, rank, program, n_programs, same_rank, same_program)
    return same_rank, same_program


@jit
def _conflicts(
    perm: I64,
    offsets: I64,
    rank: I32,
    program: I32,
    n_programs: int,
    same_rank: I64 | None,
    same_program: I64 | None,
) -> tuple[int, int]:
    n_rank = n_program = 0
    seen = np.full(n_programs, -1, np.int64)  # row of the candidate's wish for each program
    owner = np.full(n_programs, -1, np.int64)
    for c in range(offsets.shape[0] - 1):
        for i in range(offsets[c], offsets[c + 1]):
            row = perm[i]
            if i > offsets[c] and rank[perm[i - 1]] == rank[row]:
                if same_rank is not None:
                    prev = perm[i - 1]
                    same_rank[n_rank, 0], same_rank[n_rank, 1] = max(row, prev), min(row, prev)
                n_rank += 1
            p = program[row]
            if owner[p] == c:
                if same_program is not None:
                    first = seen[p]
                    same_program[n_program, 0] = max(row, first)
                    same_program[n_program, 1] = min(row, first)
                n_program += 1
            owner[p], seen[p] = c, row
    return n_rank, n_program
