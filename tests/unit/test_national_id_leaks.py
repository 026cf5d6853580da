"""National IDs never in clear in what people are shown or what is logged (ADR 0003): reports
(JSON, CSV, the annotated copy), errors (a CSV parse error quotes the row), the CLI's output, and
every log line — the standard library's records (uvicorn, SQLAlchemy) included, with a failing
statement's parameters left out. The end-to-end search is tests/web/test_national_id_visit.py."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
import structlog
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from typer.testing import CliRunner

from hemis.cli.app import app as cli
from hemis.db.session import make_engine
from hemis.errors import HemisError
from hemis.imports.readers import UnreadableFile, read_table
from hemis.registry.rules import make_national_id
from hemis.web.app import create_app
from tests.conftest import TestDB
from tests.imports.samples import BASE, check
from tests.readback import csv_cells, xlsx_text

IDS = [make_national_id("001", "male", 2004, 123_456 + n) for n in range(4)]
CMND = "123456789"
MASKED = re.compile(r"\*{9}[0-9]{3}")
HEADER = ",".join(BASE["learners"])
PERSON = "Trần Văn Lỗi"  # a name a failing statement carries


def _row(**overrides: str) -> str:
    return ",".join((BASE["learners"] | overrides).values())


def test_a_csv_parse_error_does_not_quote_the_id(tmp_path: Path) -> None:
    """Polars' message quotes the broken field; the error keeps its last 3 digits only."""
    path = tmp_path / "learners.csv"
    path.write_text(f'{HEADER}\n{_row(national_id=IDS[0])}\n"{IDS[1]}"x,A\n', encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        read_table(path, "learners")
    shown = json.dumps(caught.value.to_dict("en")) + caught.value.message_vi + str(caught.value)
    assert IDS[1] not in shown
    assert "*********" + IDS[1][-3:] in shown  # the officer can still tell which row


def test_the_cli_prints_no_id_and_its_reports_hold_none(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text(f'{HEADER}\n{_row(national_id=IDS[0])}\n"{IDS[1]},B\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "learners", str(broken)])
    assert result.exit_code == 2
    assert "CSV" in result.output
    # An ID where it does not belong (a shifted row) and one that breaks a rule.
    bad = tmp_path / f"{IDS[2]}.csv"
    rows = [_row(national_id=IDS[0], full_name=IDS[3], sex="female"), _row(national_id=IDS[2])]
    bad.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    outputs = [result.output]
    for suffix in ("json", "csv", "xlsx"):
        report = tmp_path / f"report.{suffix}"
        done = runner.invoke(cli, ["validate", "learners", str(bad), "--report", str(report)])
        assert done.exit_code == 1, done.output
        outputs.append(done.output)
        content = report.read_bytes()
        outputs.append((xlsx_text(content) if suffix == "xlsx" else content).decode())
    everything = "\n".join(outputs)
    for national_id in IDS:
        assert national_id not in everything
    assert len(MASKED.findall(everything)) >= 6  # masked, not dropped


def test_the_annotated_copy_masks_the_national_id_column(tmp_path: Path) -> None:
    report = check("learners", [{"national_id": IDS[0], "gpa": "9"}, {"national_id": IDS[1]}])
    report.write(tmp_path / "r.xlsx")
    content = xlsx_text((tmp_path / "r.xlsx").read_bytes()).decode()
    assert IDS[0] not in content
    assert IDS[1] not in content
    assert "*********" + IDS[0][-3:] in content
    report.write(tmp_path / "r.csv")
    assert all(IDS[0] not in c for row in csv_cells((tmp_path / "r.csv").read_bytes()) for c in row)


_SURROUNDINGS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Nd")), max_size=8)


@given(
    national_id=st.one_of(st.from_regex(r"[0-9]{12}", fullmatch=True), st.just(CMND)),
    before=_SURROUNDINGS,
    after=_SURROUNDINGS,
)
def test_no_error_carries_an_id_in_clear(national_id: str, before: str, after: str) -> None:
    quoted = f"{before}{national_id}{after}"
    error = HemisError(
        f"Không đọc được {quoted}",
        f"Cannot read {quoted}",
        details={"error": quoted, "rows": [quoted, {"value": (quoted,)}]},
    )
    for lang in ("vi", "en"):
        assert national_id not in json.dumps(error.to_dict(lang), ensure_ascii=False)
    assert national_id not in str(error)
    assert national_id[-3:] in error.message_en  # masked, the last digits kept


def _failed_statement(parameter: str) -> SQLAlchemyError:
    """A real SQLAlchemy error whose statement carried a person's data."""
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT * FROM no_such_table WHERE name = :p"), {"p": parameter})
    except SQLAlchemyError as exc:
        return exc
    finally:
        engine.dispose()
    raise AssertionError("the statement should have failed")


@pytest.mark.usefixtures("app_logging")
def test_every_logger_goes_through_the_redacting_path(capsys: pytest.CaptureFixture[str]) -> None:
    secret = f"Nguyễn Bí Mật {IDS[0]}"
    error = _failed_statement(secret)
    try:
        raise error
    except SQLAlchemyError:
        # How uvicorn reports an exception that reached it, and a library's own log line.
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("sqlalchemy.engine").warning("parameters %s", IDS[1])
    structlog.get_logger("hemis.test").error("lookup", national_id=CMND, exc_info=error)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one JSON event
    assert [e["event"] for e in events] == [
        "Exception in ASGI application",
        "parameters [national-id]",
        "lookup",
    ]
    for leaked in (*IDS[:2], CMND, "Bí Mật"):
        assert leaked not in captured.err + captured.out
    assert "no_such_table" in events[0]["exception"]  # the error itself is still there


@pytest.mark.usefixtures("app_logging")
def test_an_unexpected_error_is_answered_500_and_not_raised_again(
    sqlite_db: TestDB, capsys: pytest.CaptureFixture[str]
) -> None:
    """Re-raised, the exception reached the server, which logged it a second time (unredacted,
    with the statement's parameters); it now ends where it is logged."""
    application: FastAPI = create_app(sqlite_db.settings())

    @application.get("/api/v1/test-only/fails")  # a route of this test's app only
    def fails() -> None:
        raise _failed_statement(f"{PERSON} {IDS[2]}")  # (a traceback quotes this line)

    capsys.readouterr()
    with TestClient(application) as client:  # raises what the app lets escape
        response = client.get("/api/v1/test-only/fails")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    logged = capsys.readouterr().err
    errors = [e for e in map(json.loads, logged.splitlines()) if e["level"] == "error"]
    assert [e["event"] for e in errors] == ["unhandled_error"]  # once
    assert IDS[2] not in logged
    assert PERSON not in logged


@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(st.sampled_from("0123456789 ,x*"), max_size=40),
            st.from_regex(r"[a-z ]{0,3}([0-9]{9}|[0-9]{12})([,;.][0-9]{9,12})*", fullmatch=True),
        ),
        max_size=12,
    )
)
def test_the_vectorised_masking_agrees_with_the_one_for_a_message(values: list[str | None]) -> None:
    """Issue tables and the annotated copy mask in polars; errors in Python: the same rule."""
    import polars as pl

    from hemis.common.national_ids import NATIONAL_ID, mask_series, mask_text

    masked = mask_series(pl.Series(values, dtype=pl.String)).to_list()
    assert masked == [None if v is None else mask_text(v) for v in values]
    assert not any(NATIONAL_ID.search(m) for m in masked if m)
