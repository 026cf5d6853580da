"""`hemis import` (exit 0 / 1 / 2, dry run, report) and `hemis validate --institution` (tiers
d–f against the database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from hemis.cli import submissions as cli
from hemis.cli.app import app
from tests.conftest import TestDB
from tests.imports import hostile
from tests.submissions.world import World, learner

runner = CliRunner()


@pytest.fixture(autouse=True)
def configured(db: TestDB, scene: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "settings", lambda: db.settings())


def write_csv(path: Path, *rows: dict[str, str]) -> Path:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(r[c] for c in header) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def learners_count(engine: Engine) -> int:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        return int(conn.execute(text("SELECT count(*) FROM learner")).scalar_one())


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())  # rich wraps long lines


def test_import_applies_once_then_writes_nothing(tmp_path: Path, engine: Engine) -> None:
    path = write_csv(tmp_path / "l.csv", learner(1), learner(2))
    common = ("--institution", "SUB01", "--as-of", "2025-12-31", "--period", "2025")
    code, out = invoke("import", "learners", str(path), *common)
    assert code == 0, out
    assert "Đã ghi / applied" in out
    assert learners_count(engine) == 3  # and B's one
    code, out = invoke("import", "learners", str(path), *common, "--full-replacement")
    assert code == 0, out
    assert "0 dòng đã ghi / rows" in out


def test_import_with_errors_exits_1_writes_nothing_and_reports(
    tmp_path: Path, engine: Engine
) -> None:
    path = write_csv(tmp_path / "l.csv", learner(1), learner(2, program_code="NOPE"))
    report = tmp_path / "report.json"
    code, out = invoke(
        "import", "learners", str(path), "--institution", "SUB01", "--report", str(report)
    )
    assert code == 1, out
    assert learners_count(engine) == 1
    issues = json.loads(report.read_text(encoding="utf-8"))["issues"]
    assert [(i["row"], i["rule"]) for i in issues] == [(3, "LRN.program_code.exists")]


def test_dry_run_and_refusals(tmp_path: Path, engine: Engine) -> None:
    path = write_csv(tmp_path / "l.csv", learner(1))
    code, out = invoke("import", "learners", str(path), "--institution", "SUB01", "--dry-run")
    assert code == 0, out
    assert "dry run" in out
    assert learners_count(engine) == 1
    code, out = invoke("import", "learners", str(path), "--institution", "NOPE")
    assert code == 2
    assert "No institution with code NOPE" in out
    code, out = invoke("import", "assets", str(path), "--institution", "SUB01")
    assert code == 2
    assert "cannot be applied yet" in out


def test_validate_with_an_institution_runs_the_database_tiers(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "l.csv", learner(1, program_code="NOPE"))
    report = tmp_path / "r.json"
    code, _ = invoke("validate", "learners", str(path), "--report", str(report))
    assert code == 0  # tiers a–c know nothing of programs
    code, out = invoke(
        "validate", "learners", str(path), "--institution", "SUB01", "--report", str(report)
    )
    assert code == 1, out
    rules = {i["rule"] for i in json.loads(report.read_text(encoding="utf-8"))["issues"]}
    assert rules == {"LRN.program_code.exists"}


def test_import_of_a_file_that_kills_its_reader_exits_2_and_writes_nothing(
    tmp_path: Path, engine: Engine
) -> None:
    path = hostile.far_cell(tmp_path / "l.xlsx")
    before = learners_count(engine)
    code, out = invoke("import", "learners", str(path), "--institution", "SUB01")
    assert code == 2, out
    assert "more memory than allowed" in out
    assert learners_count(engine) == before
