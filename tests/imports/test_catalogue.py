"""Every rule of the catalogue has a passing and a failing fixture, and behaves on both.

Generic column rules (required, type, code, format, length, range, future) get their fixtures
from the column spec; every other rule has an explicit entry in FIXTURES. A new rule without
fixtures makes `test_rule_has_fixtures_and_behaves` fail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hemis.imports import Report, Rule, catalogue, get_entity, validate
from hemis.imports.entities import ColumnType

from .samples import (
    AS_OF,
    BASE,
    SECOND,
    check,
    check_file,
    learner_rows,
    rows_frame,
    rules_hit,
    write_xlsx,
)

Build = Callable[[Path], Report]
L = "learners"
S = "staff"


def rows(entity: str, *overrides: dict[str, str]) -> Build:
    return lambda _tmp: check(entity, overrides or ({},))


def frame_of(entity: str, transform: Callable[..., object]) -> Build:
    from hemis.imports import validate

    return lambda _tmp: validate(entity, transform(rows_frame(entity)), as_of=AS_OF)  # type: ignore[arg-type]


def workbook(setup: Callable[..., None] | None, sheet: str = L, **kwargs: str) -> Build:
    def build(tmp: Path) -> Report:
        path = write_xlsx(tmp / "f.xlsx", learner_rows(), sheet=sheet, setup=setup)
        return check_file(path, **kwargs)

    return build


def _sheets(*names: str, hidden: str | None = None) -> Callable[..., None]:
    def setup(book: object, _ws: object) -> None:
        for name in names:
            extra = book.add_worksheet(name)  # type: ignore[attr-defined]
            extra.write_row(0, 0, learner_rows()[0])
            if name == hidden:
                extra.hide()

    return setup


def _merge(_book: object, ws: object) -> None:
    ws.merge_range(1, 4, 2, 4, "male")  # type: ignore[attr-defined]


def _formula(_book: object, ws: object) -> None:
    ws.write_formula(1, 8, "=2020+2", None, 2022)  # type: ignore[attr-defined]


GRAD = {
    "status": "graduated",
    "graduated_on": "2025-06-30",
    "status_date": "2025-06-30",
    "diploma_number": "D1",
}

# rule id → (passing, failing)
FIXTURES: dict[str, tuple[Build, Build]] = {
    "FILE.header.missing": (rows(L), frame_of(L, lambda f: f.drop("full_name"))),
    "FILE.header.renamed": (rows(L), frame_of(L, lambda f: f.rename({"full_name": "Họ và tên"}))),
    "FILE.header.unknown": (rows(L), frame_of(L, lambda f: f.with_columns(note=f["full_name"]))),
    "FILE.header.duplicate": (
        rows(L),
        frame_of(L, lambda f: f.with_columns(f["full_name"].alias("Full Name"))),
    ),
    "FILE.no_rows": (rows(L), frame_of(L, lambda f: f.clear())),
    "FILE.entity.other": (rows(L), lambda _tmp: validate(L, rows_frame(S), as_of=AS_OF)),
    "FILE.sheet.choice": (workbook(_sheets("Sheet2")), workbook(_sheets("Sheet2"), sheet="Sheet1")),
    "FILE.sheet.hidden": (
        workbook(_sheets("_lists", hidden="_lists")),
        workbook(_sheets("learners", hidden="learners"), sheet="Sheet1"),
    ),
    "FILE.cell.merged": (workbook(None), workbook(_merge)),
    "FILE.cell.formula": (workbook(None), workbook(_formula)),
    # learners, tier a–c
    "LRN.national_id.province": (rows(L), rows(L, {"national_id": "000204000001"})),
    "LRN.national_id.sex": (rows(L), rows(L, {"sex": "female"})),
    "LRN.national_id.century": (rows(L), rows(L, {"national_id": "001004000001"})),
    "LRN.national_id.birth_year": (rows(L), rows(L, {"national_id": "001205000001"})),
    "LRN.admitted_on.order": (rows(L), rows(L, {"admitted_on": "2004-03-01"})),
    "LRN.admitted_on.age": (
        rows(L, {"date_of_birth": "2007-09-05", "national_id": "001207000001"}),
        rows(L, {"date_of_birth": "2007-09-06", "national_id": "001207000001"}),
    ),
    "LRN.status_date.order": (rows(L), rows(L, {"status_date": "2022-09-04"})),
    "LRN.graduated_on.order": (rows(L, GRAD), rows(L, GRAD | {"graduated_on": "2025-06-29"})),
    "LRN.graduated_on.status": (rows(L, GRAD), rows(L, GRAD | {"graduated_on": ""})),
    "LRN.diploma_number.status": (rows(L, GRAD), rows(L, {"diploma_number": "D1"})),
    "LRN.cohort_year.admitted": (
        rows(L, {"cohort_year": "2021"}),
        rows(L, {"cohort_year": "2020"}),
    ),
    "LRN.student_code.duplicate": (
        rows(L, {}, SECOND),
        rows(L, {}, SECOND | {"student_code": "SV1"}),
    ),
    "LRN.national_id.duplicate": (rows(L, {}, SECOND), rows(L, {}, {"student_code": "SV2"})),
    "LRN.national_id.conflict": (
        rows(L, {}, {"student_code": "SV2"}),
        rows(L, {}, {"student_code": "SV2", "date_of_birth": "2004-03-02"}),
    ),
    "LRN.diploma_number.duplicate": (
        rows(L, GRAD, SECOND | GRAD | {"diploma_number": "D2"}),
        rows(L, GRAD, SECOND | GRAD),
    ),
    # staff
    "STF.national_id.province": (rows(S), rows(S, {"national_id": "999080000123"})),
    "STF.national_id.sex": (rows(S), rows(S, {"sex": "female"})),
    "STF.national_id.century": (rows(S), rows(S, {"national_id": "001280000123"})),
    "STF.national_id.birth_year": (rows(S), rows(S, {"national_id": "001081000123"})),
    "STF.date_of_birth.age": (
        rows(
            S,
            {
                "date_of_birth": "1940-12-31",
                "national_id": "001040000123",
                "degree_year": "1970",
                "hired_on": "1970-01-01",
            },
        ),
        rows(
            S,
            {
                "date_of_birth": "2008-01-01",
                "national_id": "001208000123",
                "degree_year": "2025",
                "hired_on": "2025-01-01",
            },
        ),
    ),
    "STF.academic_title.degree": (
        rows(S, {"academic_title": "professor"}),
        rows(S, {"academic_title": "professor", "highest_degree": "master"}),
    ),
    "STF.degree_year.order": (rows(S), rows(S, {"degree_year": "1990"})),
    "STF.degree_country.missing": (
        rows(S, {"highest_degree": "none", "degree_country": ""}),
        rows(S, {"degree_country": ""}),
    ),
    "STF.fte.full_time": (rows(S, {"full_time": "false", "fte": "0.5"}), rows(S, {"fte": "0.5"})),
    "STF.permanent.contract": (
        rows(S, {"permanent": "false", "contract_type": "visiting"}),
        rows(S, {"contract_type": "fixed_term"}),
    ),
    "STF.hired_on.order": (rows(S), rows(S, {"hired_on": "1995-01-01"})),
    "STF.staff_code.duplicate": (
        rows(S, {}, {"staff_code": "S2", "national_id": "001080000124"}),
        rows(S, {}, {"national_id": "001080000124"}),
    ),
    "STF.national_id.duplicate": (
        rows(S, {}, {"staff_code": "S2", "national_id": "001080000124"}),
        rows(S, {}, {"staff_code": "S2"}),
    ),
    # organisation
    "CMP.code.duplicate": (
        rows("campuses", {}, {"code": "C2", "is_main": "false"}),
        rows("campuses", {}, {"is_main": "false"}),
    ),
    "CMP.is_main.unique": (
        rows("campuses", {}, {"code": "C2", "is_main": "false"}),
        rows("campuses", {}, {"code": "C2"}),
    ),
    "FAC.room_count.area": (rows("facilities"), rows("facilities", {"room_count": "0"})),
    "FAC.key.duplicate": (
        rows("facilities", {}, {"kind": "library"}),
        rows("facilities", {}, {"kind": "Classroom"}),
    ),
    "PRG.discipline_code.known": (
        rows("programs", {"level": "college", "discipline_code": "5140201"}),
        rows("programs", {"discipline_code": "7999999"}),
    ),
    "PRG.discipline_code.level": (rows("programs"), rows("programs", {"level": "master"})),
    "PRG.accredited_on.status": (
        rows("programs", {"accreditation_status": "none", "accredited_on": ""}),
        rows("programs", {"accredited_on": ""}),
    ),
    "PRG.accredited_on.order": (
        rows("programs"),
        rows("programs", {"accredited_on": "2009-01-01"}),
    ),
    "PRG.code.duplicate": (rows("programs", {}, {"code": "P2"}), rows("programs", {}, {})),
    "FIN.kind.fields": (
        rows(
            "finances",
            {},
            {"kind": "expenditure", "source": "", "activity": "", "category": "salaries"},
        ),
        rows("finances", {"category": "salaries"}),
    ),
    "FIN.key.duplicate": (
        rows("finances", {}, {"activity": "other"}),
        rows("finances", {}, {"amount_vnd": "5"}),
    ),
    "AST.asset_code.duplicate": (rows("assets", {}, {"asset_code": "A2"}), rows("assets", {}, {})),
    "EVT.key.duplicate": (
        rows("learner_status_events", {}, {"status": "suspended", "effective_on": "2023-01-01"}),
        rows("learner_status_events", {}, {"reason": "again"}),
    ),
    "AWD.diploma_number.duplicate": (
        rows("awards", {}, {"student_code": "SV2", "diploma_number": "D2"}),
        rows("awards", {}, {"student_code": "SV2"}),
    ),
    "CTG.key.duplicate": (
        rows("competency_targets", {}, {"competency_code": "1.2"}),
        rows("competency_targets", {}, {"target_level": "4"}),
    ),
    "DCP.key.duplicate": (
        rows("digital_competencies", {}, {"assessed_on": "2024-07-01"}),
        rows("digital_competencies", {}, {"method": "coursework", "level": "5"}),
    ),
    "DCW.key.duplicate": (
        rows("digital_competencies_wide", {}, {"assessed_on": "2024-07-01"}),
        rows("digital_competencies_wide", {}, {"method": "exam"}),
    ),
    "DCW.student_code.no_level": (
        rows("digital_competencies_wide", {"level_1_1": "", "level_6_3": "2"}),
        rows("digital_competencies_wide", {"level_1_1": ""}),
    ),
    "AWD.student_code.duplicate": (
        rows("awards", {}, {"student_code": "SV2", "diploma_number": "D2"}),
        rows("awards", {}, {"diploma_number": "D2"}),
    ),
}


def generic_fixture(rule: Rule) -> tuple[Build, Build] | None:
    """Fixtures for the rules derived from a column spec."""
    entity = get_entity(rule.entity)
    if rule.column is None or not rule.kind:
        return None
    column = entity.column(rule.column)
    bad: str
    match rule.kind:
        case "required":
            bad = ""
        case "type" | "code":
            bad = "not-a-value"
        case "format":
            bad = "x1"
        case "length":
            bad = "x" * ((column.max_length or 0) + 1)
        case "range":
            if column.maximum is not None:
                bad = f"{column.maximum + 1:g}"
            else:
                bad = f"{(column.minimum or 0) - (0 if column.min_exclusive else 1):g}"
        case "future":
            bad = "2030-01-01"
        case "formula":
            bad = '=HYPERLINK("http://x.invalid","a")'
        case _:
            return None
    if column.type is ColumnType.code and rule.kind == "required":
        bad = ""
    return rows(entity.name), rows(entity.name, {rule.column: bad})


@pytest.mark.parametrize("rule_id", list(catalogue()))
def test_rule_has_fixtures_and_behaves(rule_id: str, tmp_path: Path) -> None:
    rule = catalogue()[rule_id]
    pair = FIXTURES.get(rule_id) or generic_fixture(rule)
    assert pair is not None, f"rule {rule_id} has no passing/failing fixture"
    passing, failing = pair
    (tmp_path / "pass").mkdir()
    (tmp_path / "fail").mkdir()
    assert rule_id not in rules_hit(passing(tmp_path / "pass"))
    failed = failing(tmp_path / "fail")
    assert rule_id in rules_hit(failed), failed.issues
    hit = failed.issues.filter(failed.issues["rule"] == rule_id).row(0, named=True)
    assert hit["severity"] == rule.severity.value
    assert hit["message"]
    assert hit["message_en"]
    assert "{detail}" not in hit["message"]


def test_no_stray_fixtures() -> None:
    assert set(FIXTURES) <= set(catalogue())


@pytest.mark.parametrize("entity", list(BASE))
def test_sample_rows_are_clean(entity: str) -> None:
    report = check(entity)
    assert report.issues.is_empty(), report.issues.to_dicts()
    assert report.rows == 1


def test_rule_ids_are_unique_and_well_formed() -> None:
    for rule_id, rule in catalogue().items():
        prefix = "FILE" if rule.entity == "*" else get_entity(rule.entity).prefix
        assert rule_id.startswith(prefix + ".")
        assert rule.tier in "abc"
        assert rule.message_vi != rule.message_en


def test_details_point_at_the_first_row() -> None:
    campuses = check(
        "campuses",
        [{"is_main": "false"}, {"code": "C2"}, {"code": "C3", "is_main": "0"}, {"code": "C4"}],
    )
    hits = campuses.issues.filter(campuses.issues["rule"] == "CMP.is_main.unique")
    assert hits.select("row", "message_en").rows() == [
        (5, "Only one campus may be the main site; row 3 already is.")
    ]
    learners = check("learners", [{}, SECOND, {"full_name": "Ai đó"}])
    dup = learners.issues.filter(learners.issues["rule"] == "LRN.student_code.duplicate")
    assert dup.select("row", "message_en").rows() == [(4, "Same key (student_code) as row 2.")]
