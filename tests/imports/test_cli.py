"""`hemis template`, `hemis validate` (exit 0 / 1 / 2) and `hemis rules list`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hemis.cli.app import app

from . import hostile
from .samples import BASE, SECOND

runner = CliRunner()
HEADER = ",".join(BASE["learners"])


def learner_csv(path: Path, *overrides: dict[str, str]) -> Path:
    rows = [",".join((BASE["learners"] | o).values()) for o in overrides or ({},)]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_template_writes_xlsx_and_csv(tmp_path: Path) -> None:
    code, out = run("template", "learners", "--out", str(tmp_path / "l.xlsx"))
    assert code == 0, out
    assert (tmp_path / "l.xlsx").stat().st_size > 0
    code, _ = run("template", "staff", "--format", "csv", "--out", str(tmp_path / "s.csv"))
    assert code == 0
    header = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith('"staff_code","national_id"')


def test_template_refuses_unknown_entity_and_format(tmp_path: Path) -> None:
    code, out = run("template", "students")
    assert code == 2
    assert "Unknown entity" in out
    assert "Không có loại dữ liệu" in out
    code, out = run("template", "learners", "--format", "pdf", "--out", str(tmp_path / "x"))
    assert code == 2


def test_validate_passes_with_exit_0(tmp_path: Path) -> None:
    path = learner_csv(tmp_path / "l.csv", {}, SECOND)
    code, out = run("validate", "learners", str(path), "--as-of", "2025-12-31")
    assert code == 0, out
    assert "the file passes" in out
    assert "Tệp đạt" in out


def test_validate_with_errors_exits_1_and_writes_the_report(tmp_path: Path) -> None:
    path = learner_csv(tmp_path / "l.csv", {}, {"gpa": "9"})
    report = tmp_path / "report.json"
    code, out = run(
        "validate",
        "learners",
        str(path),
        "--institution",
        "BKA",
        "--report",
        str(report),
        "--as-of",
        "2025-12-31",
    )
    assert code == 1
    assert "LRN.gpa.range" in out
    assert "LRN.student_code.duplicate" in out
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["institution"] == "BKA"
    assert data["errors"] == 2


def test_validate_unreadable_input_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "l.xlsx"
    path.write_bytes(b"%PDF-1.7 not a workbook")
    code, out = run("validate", "learners", str(path))
    assert code == 2
    assert "is not XLSX" in out
    assert "không phải là XLSX" in out
    code, out = run("validate", "learners", str(tmp_path / "missing.csv"))
    assert code == 2


def test_validate_only_warnings_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    code, out = run("validate", "learners", str(path))
    assert code == 0, out
    assert "FILE.no_rows" in out


def test_rules_list(tmp_path: Path) -> None:
    code, out = run("rules", "list", "--entity", "staff")
    assert code == 0
    assert "STF.fte.range" in out
    assert "FILE.header.missing" in out
    assert "LRN.gpa.range" not in out
    code, out = run("rules", "list")
    assert code == 0
    assert "LRN.national_id.format" in out


def test_validate_reads_in_the_reader_process_and_refuses_a_hostile_file(tmp_path: Path) -> None:
    """Read in this very process, either file would abort it (a 512 GiB allocation)."""
    code, out = run("validate", "learners", str(hostile.dimension_lie(tmp_path / "a.xlsx")))
    assert code == 2, out
    assert "16,384 columns" in " ".join(out.split())
    code, out = run("validate", "learners", str(hostile.far_cell(tmp_path / "b.xlsx")))
    assert code == 2, out
    assert "more memory than allowed" in " ".join(out.split())
