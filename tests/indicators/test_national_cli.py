"""National indicators from the cube and the `hemis indicators` commands: compute, export in
every format, the open-data tables, and loading the population table (all or nothing)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from hemis.cli import indicators as cli
from hemis.cli.app import app
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.indicators import overview
from hemis.indicators.models import PopulationByAge
from tests.conftest import TestDB
from tests.indicators import world as w

runner = CliRunner()


@pytest.fixture(autouse=True)
def configured(db: TestDB, built: w.Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "settings", lambda: db.settings())


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["indicators", *args])
    return result.exit_code, " ".join(result.output.split())


def population_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("year,age,sex,population\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_compute_then_national_overview_and_enrolment_ratio(
    tmp_path: Path, sessions: sessionmaker[HemisSession]
) -> None:
    code, out = invoke("compute", "--year", "2025")
    assert code == 0, out
    assert "2 cơ sở / institutions" in out
    rows = [f"2025,{age},{sex},100" for age in range(18, 23) for sex in ("male", "female")]
    rows.append("2025,30,male,999")  # outside 18–22: not in the denominator
    code, out = invoke(
        "load-population", str(population_csv(tmp_path / "p.csv", rows)), "--source", "test"
    )
    assert code == 0, out
    with scoped_session(sessions, Scope.system("test")) as s:
        view = overview.national(s, 2025)
    assert view["enrolled"] == w.STUDENTS
    assert view["graduates"] == 5 + 2 + 1  # awards dated in 2025
    assert view["enrolled_by_level"] == {"bachelor": 20 + 5 + 3, "master": 10}
    assert view["lecturers"] == 3
    assert view["staff"] == 4
    assert view["lecturers_by_degree"] == {"doctor": 2, "master": 1}
    assert view["ger"]["total"].value == pytest.approx(100 * w.STUDENTS / 1000)
    assert view["ger"]["female"].value == pytest.approx(100 * w.STUDENTS / 500)
    # Every test learner is a woman: the parity index of counts cannot divide by zero men.
    assert view["parity"].value is None
    assert view["parity"].reason_en == "No male learners."


def test_gross_enrolment_ratio_is_unknown_without_population(
    sessions: sessionmaker[HemisSession],
) -> None:
    assert invoke("compute", "--year", "2025")[0] == 0
    with scoped_session(sessions, Scope.system("test")) as s:
        ratio = overview.national(s, 2025)["ger"]["total"]
    assert ratio.value is None
    assert ratio.reason_en == "No population aged 18–22 loaded for 2025."


def test_parity_index_of_counts() -> None:
    assert overview.parity({"male": 40, "female": 50}).value == pytest.approx(1.25)


def test_a_bad_population_file_changes_nothing(
    tmp_path: Path, sessions: sessionmaker[HemisSession]
) -> None:
    good = population_csv(tmp_path / "g.csv", ["2024,18,total,500"])
    assert invoke("load-population", str(good), "--source", "test")[0] == 0
    bad = population_csv(
        tmp_path / "b.csv", ["2024,18,total,700", "2024,19,unknown,5", "2024,-1,male,3"]
    )
    code, out = invoke("load-population", str(bad), "--source", "test")
    assert code == 2
    assert "Invalid or duplicate lines: [3, 4]" in out
    with scoped_session(sessions, Scope.system("test")) as s:
        assert s.scalar(select(func.sum(PopulationByAge.population))) == 500


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "parquet", "json"])
def test_export_every_format(tmp_path: Path, fmt: str) -> None:
    assert invoke("compute", "--year", "2025")[0] == 0
    out = tmp_path / f"compliance.{fmt}"
    code, text = invoke("export", "--year", "2025", "--format", fmt, "--out", str(out))
    assert code == 0, text
    content = out.read_bytes()
    if fmt == "xlsx":
        sheets = pl.read_excel(io.BytesIO(content), sheet_id=0)
        matrix = sheets["Tuân thủ chuẩn"]
        assert "Tên cơ sở đào tạo" in matrix.columns
        assert any("(ngưỡng chưa xác minh)" in c for c in matrix.columns)
        assert set(matrix["Tên cơ sở đào tạo"]) == {
            "Trường Đại học Đủ Số Liệu",
            "Trường Đại học Chưa Có Gì",
        }
        assert "Định nghĩa" in sheets
    elif fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")
        frame = pl.read_csv(io.BytesIO(content[3:]))
        assert {"Mã chỉ số", "Tử số", "Mẫu số", "Kết quả", "Lý do"} <= set(frame.columns)
    elif fmt == "parquet":
        frame = pl.read_parquet(io.BytesIO(content))
        ratio = frame.filter(
            (pl.col("moet_code") != "") & (pl.col("indicator_id") == "lecturer_ratio")
        ).sort("value", nulls_last=True)
        assert ratio["value"][0] == pytest.approx(w.CONVERTED / 2)
        assert ratio["status"].to_list() == ["pass", "unknown"]
    else:
        body = json.loads(content)
        assert body["year"] == 2025
        assert len(body["items"]) > 20


def test_open_data_export_suppresses_small_cells(tmp_path: Path) -> None:
    assert invoke("compute", "--year", "2025")[0] == 0
    out = tmp_path / "open.json"
    assert (
        invoke("export", "--year", "2025", "--open-data", "--format", "json", "--out", str(out))[0]
        == 0
    )
    tables = {t["id"]: t for t in json.loads(out.read_text())["tables"]}
    lecturers = tables["lecturers_degree_sex"]
    # 3 lecturers (2 doctors, 1 master): every figure is under 5 persons, so nothing is shown.
    assert lecturers["grand_total"] is None
    assert all(v is None for row in lecturers["cells"] for v in row)
    enrolled = tables["enrolled_province_level"]
    assert enrolled["grand_total"] == w.STUDENTS
    published = [v for row in enrolled["cells"] for v in row] + enrolled["row_totals"]
    assert all(v is None or v == 0 or v >= 5 for v in published)
    assert "Trường" not in out.read_text()  # no institution in the public tables


def test_export_before_compute_says_so(tmp_path: Path) -> None:
    code, out = invoke("export", "--year", "2019", "--out", str(tmp_path / "x.xlsx"))
    assert code == 2
    assert "No results for 2019" in out
