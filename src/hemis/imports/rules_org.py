"""Rules for campuses, facilities, programs, finances, assets, status events and awards."""

from __future__ import annotations

import polars as pl

from hemis.imports.catalogue import Context, Rule, Severity
from hemis.imports.entities import FinanceKind, reference_codes
from hemis.imports.entities_finance import ASSETS, FINANCES
from hemis.imports.entities_org import CAMPUSES, FACILITIES, PROGRAMS
from hemis.imports.entities_records import AWARDS, LEARNER_STATUS_EVENTS
from hemis.imports.rules_columns import const, duplicate_rule, key_rule
from hemis.registry.codes import AccreditationStatus, Level

E, W = Severity.error, Severity.warning
DISCIPLINES = reference_codes("disciplines.csv")
LEVEL_DIGIT = {Level.bachelor.value: "7", Level.master.value: "8", Level.doctor.value: "9"}


def _unknown_discipline(ctx: Context) -> pl.Expr:
    code = pl.col("discipline_code")
    return (
        code.str.contains("^[0-9]{7}$")
        & ~code.is_in(list(DISCIPLINES.codes))
        & (pl.col("level") != Level.college.value)
    )


def _level_digit(ctx: Context) -> pl.Expr:
    expected = pl.col("level").replace_strict(LEVEL_DIGIT, default=None, return_dtype=pl.String)
    code = pl.col("discipline_code")
    return code.str.contains("^[0-9]{7}$") & (code.str.slice(0, 1) != expected)


def _second_main(ctx: Context) -> pl.Expr:
    main = pl.col("is_main").fill_null(False)
    first_main = pl.col("__row__").filter(main).min()
    return main & (pl.col("__row__") != first_main)


def _first_main(ctx: Context) -> pl.Expr:
    return pl.col("__row__").filter(pl.col("is_main").fill_null(False)).min().cast(pl.String)


def _finance_fields(ctx: Context) -> pl.Expr:
    kind = pl.col("kind")
    source, activity, category = (
        pl.col(c).is_not_null() for c in ("source", "activity", "category")
    )
    revenue_bad = (kind == FinanceKind.revenue.value) & (~source | ~activity | category)
    spending_bad = (kind == FinanceKind.expenditure.value) & (source | activity | ~category)
    return revenue_bad | spending_bad


ACCREDITED = pl.col("accreditation_status").is_in(
    [AccreditationStatus.accredited.value, AccreditationStatus.expired.value]
)

ORG_RULES = [
    key_rule(CAMPUSES),
    Rule(
        "CMP.is_main.unique",
        "campuses",
        "c",
        E,
        "is_main",
        "Chỉ một cơ sở là trụ sở chính; dòng {detail} đã là trụ sở chính.",
        "Only one campus may be the main site; row {detail} already is.",
        _second_main,
        _first_main,
    ),
    Rule(
        "FAC.room_count.area",
        "facilities",
        "b",
        W,
        "room_count",
        "Có diện tích sàn nhưng không có phòng nào.",
        "Floor area given but no rooms.",
        const((pl.col("floor_area_m2") > 0) & (pl.col("room_count") == 0)),
    ),
    key_rule(FACILITIES),
    Rule(
        "PRG.discipline_code.known",
        "programs",
        "a",
        W,
        "discipline_code",
        "Mã ngành không có trong danh mục tham chiếu hiện có (Thông tư 09/2022).",
        "Discipline code not in the reference catalogue we hold (Circular 09/2022).",
        _unknown_discipline,
    ),
    Rule(
        "PRG.discipline_code.level",
        "programs",
        "b",
        E,
        "discipline_code",
        "Chữ số đầu của mã ngành không khớp trình độ (7 đại học, 8 thạc sĩ, 9 tiến sĩ).",
        "The discipline code's first digit does not match the level "
        "(7 bachelor, 8 master, 9 doctor).",
        _level_digit,
    ),
    Rule(
        "PRG.accredited_on.status",
        "programs",
        "b",
        E,
        "accredited_on",
        "Đã/hết hạn kiểm định cần ngày kiểm định.",
        "An accredited (or expired) program needs its accreditation date.",
        const(ACCREDITED & pl.col("accredited_on").is_null()),
    ),
    Rule(
        "PRG.accredited_on.order",
        "programs",
        "b",
        E,
        "accredited_on",
        "Ngày kiểm định trước ngày mở ngành.",
        "Accredited before the program was opened.",
        const(pl.col("accredited_on") < pl.col("opened_on")),
    ),
    key_rule(PROGRAMS),
    Rule(
        "FIN.kind.fields",
        "finances",
        "b",
        E,
        "kind",
        "Dòng thu cần source và activity, không có category; dòng chi cần category, không có "
        "source, activity.",
        "A revenue line needs source and activity and no category; an expenditure line needs "
        "category and no source or activity.",
        _finance_fields,
    ),
    key_rule(FINANCES),
    key_rule(ASSETS),
    key_rule(LEARNER_STATUS_EVENTS),
    key_rule(AWARDS),
    duplicate_rule(
        AWARDS,
        "student_code",
        ["student_code"],
        E,
        "Người học đã có văn bằng ở dòng {detail}.",
        "The learner already has an award on row {detail}.",
    ),
]
