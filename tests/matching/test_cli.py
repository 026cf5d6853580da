"""`hemis admissions match` end to end: the CSV contract and every bad input.

The first test runs the real command in a subprocess; the rest invoke the same Typer app
in-process (a subprocess per case would spend most of its time importing).
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from hemis.cli.app import app
from hemis.matching import Problem, solve

PROGRAMS = "program_id,quota\nA,2\nB,1\nC,0\n"


def cells(text: str) -> list[list[str]]:
    """A CSV's cells (the written files quote their text fields)."""
    return list(csv.reader(io.StringIO(text)))


def written(path: Path) -> list[list[str]]:
    return cells(path.read_text(encoding="utf-8"))


def run(
    tmp_path: Path, programs: str, wishes: str, *extra: str, in_process: bool = True
) -> tuple[subprocess.CompletedProcess[str], Path]:
    (tmp_path / "PROGRAMS.csv").write_text(programs, encoding="utf-8")
    (tmp_path / "WISHES.csv").write_text(wishes, encoding="utf-8")
    out = tmp_path / "out"
    args = ["admissions", "match", "--programs", str(tmp_path / "PROGRAMS.csv"), "--wishes"]
    args += [str(tmp_path / "WISHES.csv"), "--out", str(out), *extra]
    if in_process:
        result = CliRunner().invoke(app, args)
        done = subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)
        return done, out
    command = [sys.executable, "-m", "hemis", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    return done, out


def test_group_policy_writes_assignments_and_cutoffs(tmp_path: Path) -> None:
    wishes = (
        "candidate_id,rank,program_id,score\n"
        "an,1,A,27\n"
        "binh,1,A,26.5\n"
        "binh,2,B,20\n"
        "chi,2,B,19\n"  # ranks need not start at 1 nor be contiguous
        "chi,1,A,26.5\n"
        "dung,1,C,29\n"
        "dung,3,B,18\n"
    )
    done, out = run(tmp_path, PROGRAMS, wishes, in_process=False)
    assert done.returncode == 0, done.stderr
    # Binh and Chi tie at A's cutoff: both are admitted (A is one over quota).
    assert written(out / "assignments.csv") == cells(
        "candidate_id,program_id,rank\nan,A,1\nbinh,A,1\nchi,A,1\ndung,B,3\n"
    )
    assert written(out / "cutoffs.csv") == cells(
        "program_id,quota,admitted,cutoff\nA,2,3,26.5\nB,1,1,18.0\nC,0,0,\n"
    )
    assert "over quota by ties" in done.stderr


def test_strict_policy_and_tiebreak_columns(tmp_path: Path) -> None:
    wishes = (
        "candidate_id,rank,program_id,score,tiebreak1,tiebreak2\n"
        "an,1,A,27,0,0\n"
        "binh,1,A,26.5,8,1\n"
        "binh,2,B,20,0,0\n"
        "chi,1,A,26.5,8,1\n"
        "chi,2,B,19,0,0\n"
        "dung,1,B,20,0,0.5\n"
    )
    done, out = run(tmp_path, PROGRAMS, wishes, "--tie-policy", "strict")
    assert done.returncode == 0, done.stderr
    # Binh and Chi tie on everything at A: "binh" < "chi"; at B Binh's tiebreak2 loses to Dung's.
    assert written(out / "assignments.csv") == cells(
        "candidate_id,program_id,rank\nan,A,1\nbinh,A,1\nchi,,\ndung,B,1\n"
    )
    assert written(out / "cutoffs.csv") == cells(
        "program_id,quota,admitted,cutoff\nA,2,2,26.5\nB,1,1,20.0\nC,0,0,\n"
    )


@pytest.mark.parametrize("policy", ["group", "strict"])
def test_a_random_instance_matches_the_engine(tmp_path: Path, policy: str) -> None:
    rng = np.random.default_rng(7)
    n_candidates, n_programs = 300, 12
    counts = rng.integers(1, 6, n_candidates)
    cand = np.repeat(np.arange(n_candidates), counts)
    program = np.concatenate([rng.permutation(n_programs)[:k] for k in counts])
    rank = np.concatenate([np.sort(rng.choice(9, k, replace=False)) + 1 for k in counts])
    score = rng.choice([18.0, 20.25, 21.5, 24.0], len(cand))
    ids = np.array([f"TS{i}" for i in rng.permutation(n_candidates)])
    problem = Problem.from_arrays(
        cand,
        rank,
        program,
        score,
        rng.integers(0, 30, n_programs),
        candidate_ids=ids,
        program_ids=[f"P{p}" for p in range(n_programs)],
    )
    shuffle = rng.permutation(len(cand))  # rows in any order; ids decide the output order
    pl.DataFrame({"program_id": problem.program_ids, "quota": problem.quota}).write_csv(
        tmp_path / "PROGRAMS.csv"
    )
    wishes = pl.DataFrame(
        {"candidate_id": ids[cand], "rank": rank, "program_id": [f"P{p}" for p in program]}
    ).with_columns(score=pl.Series(score))[shuffle]
    programs = (tmp_path / "PROGRAMS.csv").read_text()
    done, out = run(tmp_path, programs, wishes.write_csv(), "--tie-policy", policy)
    assert done.returncode == 0, done.stderr
    result = solve(problem, policy)  # type: ignore[arg-type]
    expected = {
        problem.candidate_label(c): (problem.program_label(p) if p >= 0 else None)
        for c, p in enumerate(result.assigned_program.tolist())
    }
    got = pl.read_csv(out / "assignments.csv", infer_schema=False)
    in_file_order = wishes["candidate_id"].unique(maintain_order=True).to_list()
    assert got["candidate_id"].to_list() == in_file_order
    assert dict(zip(got["candidate_id"], got["program_id"], strict=True)) == expected
    cutoffs = pl.read_csv(out / "cutoffs.csv")
    assert cutoffs["admitted"].to_list() == result.admitted.tolist()
    cutoff = cutoffs["cutoff"].fill_null(np.nan).to_numpy()
    assert np.allclose(cutoff, result.cutoff, equal_nan=True)


GOOD_WISHES = "candidate_id,rank,program_id,score\nan,1,A,20\n"
# fmt: off
BAD_INPUTS = [
    # (programs, wishes, file, line, words of the message)
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,1,A,20\nan,1,B,21\n", "WISHES.csv", 3,
     "two wishes with this rank (see line 2)"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,1,A,20\nbinh,1,A,2\nan,2,A,21\n",
     "WISHES.csv", 4, "lists this program twice (see line 2)"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,1,A,20\nan,2,Z,21\n", "WISHES.csv", 3,
     "program_id not in the programs file: 'Z'"),
    ("program_id,quota\nA,2\nB,-1\n", GOOD_WISHES, "PROGRAMS.csv", 3, "negative quota"),
    ("program_id,quota\nA,2.5\n", GOOD_WISHES, "PROGRAMS.csv", 2,
     "quota is not an integer: '2.5'"),
    ("program_id,quota\nA,\n", GOOD_WISHES, "PROGRAMS.csv", 2, "missing quota"),
    ("program_id,quota\nA,1\nA,2\n", GOOD_WISHES, "PROGRAMS.csv", 3,
     "duplicate program_id: 'A'"),
    ("program_id\nA\n", GOOD_WISHES, "PROGRAMS.csv", 1, "missing column quota"),
    (PROGRAMS, "candidate_id,rank,program_id\nan,1,A\n", "WISHES.csv", 1, "missing column score"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,1,A,20\nbinh,1,A,abc\n", "WISHES.csv",
     3, "score is not a number: 'abc'"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,1,A,nan\n", "WISHES.csv", 2,
     "score is not a finite number"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,1,A,20\nbinh,1,A,\n", "WISHES.csv", 3,
     "missing score"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,first,A,20\n", "WISHES.csv", 2,
     "rank is not an integer: 'first'"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,0,A,20\n", "WISHES.csv", 2,
     "rank must be from 1"),
    (PROGRAMS, "candidate_id,rank,program_id,score\n,1,A,20\n", "WISHES.csv", 2,
     "missing candidate_id"),
    (PROGRAMS, "candidate_id,rank,program_id,score,tiebreak1\nan,1,A,20,high\n", "WISHES.csv",
     2, "tiebreak1 is not a number: 'high'"),
    (PROGRAMS, "candidate_id,rank,program_id,score,tiebreak_1\nan,1,A,20,1\n", "WISHES.csv", 1,
     "unexpected columns: tiebreak_1"),
    (PROGRAMS, "candidate_id,rank,program_id,score\nan,1,A,20\nbinh,1,A,20,9\n", "WISHES.csv",
     3, "more fields than the header"),
    (PROGRAMS, "", "WISHES.csv", 1, "empty file"),
]
# fmt: on


@pytest.mark.parametrize(("programs", "wishes", "file", "line", "problem"), BAD_INPUTS)
def test_bad_input_is_named_and_nothing_is_written(
    tmp_path: Path, programs: str, wishes: str, file: str, line: int, problem: str
) -> None:
    done, out = run(tmp_path, programs, wishes)
    assert done.returncode != 0
    assert f"{file}, dòng/line {line}: " in done.stderr
    assert problem in done.stderr
    assert "nothing written" in done.stderr
    assert not out.exists()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "hemis", "admissions", "match", "--programs"]
    command += [str(tmp_path / "NOPE.csv"), "--wishes", str(tmp_path / "W.csv"), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode != 0
    assert "NOPE.csv" in done.stderr
    assert "file not found" in done.stderr
    assert not out.exists()


def test_an_id_typed_in_nfc_and_nfd_is_one_candidate(tmp_path: Path) -> None:
    import unicodedata

    # "Nguyễn Thị Ánh" saved by two editors: composed (NFC) in one row, decomposed (NFD) in the
    # next. One candidate with two wishes, not two candidates; the output carries the NFC form.
    name = "Nguyễn Thị Ánh"
    nfc, nfd = unicodedata.normalize("NFC", name), unicodedata.normalize("NFD", name)
    assert nfc != nfd
    program = unicodedata.normalize("NFD", "Kỹ thuật")
    programs = f"program_id,quota\n{unicodedata.normalize('NFC', 'Kỹ thuật')},0\nB,1\n"
    wishes = f"candidate_id,rank,program_id,score\n{nfc},1,{program},25\n{nfd},2,B,20\nan,1,B,19\n"
    done, out = run(tmp_path, programs, wishes)
    assert done.returncode == 0, done.stdout
    rows = written(out / "assignments.csv")
    assert rows[1:] == [[nfc, "B", "2"], ["an", "", ""]]


def test_strict_orders_ids_as_text(tmp_path: Path) -> None:
    # Documented: ids compare as text, so "10" comes before "9" when both tie on everything.
    wishes = "candidate_id,rank,program_id,score\n9,1,B,20\n10,1,B,20\n"
    done, out = run(tmp_path, PROGRAMS, wishes, "--tie-policy", "strict")
    assert done.returncode == 0, done.stdout
    assert written(out / "assignments.csv")[1:] == [["9", "", ""], ["10", "B", "1"]]
