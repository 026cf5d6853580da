"""Rules for people: the CCCD (tiers a–b, the vectorised twin of
`hemis.registry.rules.national_id_problems`), learners and staff (tier b), and persons within
the file (tier c)."""

from __future__ import annotations

import polars as pl

from hemis.imports.catalogue import Check, Context, Rule, Severity
from hemis.imports.entities import Entity, reference_codes
from hemis.imports.entities_people import LEARNERS, STAFF
from hemis.imports.rules_columns import (
    age,
    const,
    duplicate_rule,
    first_row,
    key_rule,
    possibly_duplicated,
)
from hemis.registry.codes import AcademicTitle, ContractType, Degree, LearnerStatus

E, W = Severity.error, Severity.warning
# Birth-registration codes: the same file hemis.registry.rules.cccd_province_codes reads.
CCCD_PROVINCES = reference_codes("provinces_cccd.csv")
NID, SEX, DOB = pl.col("national_id"), pl.col("sex"), pl.col("date_of_birth")


def _well_formed() -> pl.Expr:
    return NID.str.contains("^[0-9]{12}$")


def _century_digit() -> pl.Expr:
    return NID.str.slice(3, 1).cast(pl.Int32, strict=False)


def _century_ok() -> pl.Expr:
    return _century_digit() // 2 + 19 == DOB.dt.year().cast(pl.Int32) // 100


def province_problem(ctx: Context) -> pl.Expr:
    return _well_formed() & ~NID.str.slice(0, 3).is_in(list(CCCD_PROVINCES.codes))


def sex_problem(ctx: Context) -> pl.Expr:
    return _well_formed() & ((_century_digit() % 2 == 1) != (SEX == "female"))


def century_problem(ctx: Context) -> pl.Expr:
    return _well_formed() & ~_century_ok()


def birth_year_problem(ctx: Context) -> pl.Expr:
    two_digits = NID.str.slice(4, 2).cast(pl.Int32, strict=False)
    return _well_formed() & _century_ok() & (two_digits != DOB.dt.year().cast(pl.Int32) % 100)


def national_id_rules(entity: Entity) -> list[Rule]:
    """Same codes and messages as hemis.registry.rules.national_id_problems."""
    p, n = entity.prefix, entity.name
    col = "national_id"
    return [
        Rule(
            f"{p}.national_id.province",
            n,
            "a",
            E,
            col,
            "Mã nơi đăng ký khai sinh (3 chữ số đầu) không có trong danh mục.",
            "Birth-registration code (first 3 digits) is not a known province code.",
            province_problem,
        ),
        Rule(
            f"{p}.national_id.sex",
            n,
            "b",
            E,
            col,
            "Chữ số thứ 4 của số định danh không khớp với giới tính.",
            "The 4th digit of the national ID does not match the sex.",
            sex_problem,
        ),
        Rule(
            f"{p}.national_id.century",
            n,
            "b",
            E,
            col,
            "Chữ số thứ 4 của số định danh không khớp với thế kỷ của năm sinh.",
            "The 4th digit of the national ID does not match the century of birth.",
            century_problem,
        ),
        Rule(
            f"{p}.national_id.birth_year",
            n,
            "b",
            E,
            col,
            "Chữ số thứ 5–6 của số định danh không khớp với năm sinh.",
            "Digits 5–6 of the national ID do not match the year of birth.",
            birth_year_problem,
        ),
    ]


def _check(expr: pl.Expr) -> Check:
    return const(expr)


def _first_row_text(ctx: Context) -> pl.Expr:
    return first_row(["national_id"]).cast(pl.String)


def _conflict(ctx: Context) -> pl.Expr:
    differs = pl.lit(False)
    for name in ("date_of_birth", "sex"):
        value = pl.col(name)
        differs = differs | (value.min().over("national_id") != value.max().over("national_id"))
    return differs & (pl.col("__row__") != first_row(["national_id"]))


def _same_person(ctx: Context) -> pl.Expr:
    return NID.is_not_null() & possibly_duplicated(["national_id"])


def _age_at_admission(ctx: Context) -> pl.Expr:
    return ~age(DOB, pl.col("admitted_on")).is_between(15, 80)


def _staff_age(ctx: Context) -> pl.Expr:
    return ~age(DOB, pl.lit(ctx.as_of)).is_between(18, 85)


def _degree_year(ctx: Context) -> pl.Expr:
    year = pl.col("degree_year")
    return (year < DOB.dt.year().cast(pl.Int64) + 16) | (year > ctx.as_of.year)


GRADUATED = pl.col("status") == LearnerStatus.graduated.value

LEARNER_RULES = [
    *national_id_rules(LEARNERS),
    Rule(
        "LRN.admitted_on.order",
        "learners",
        "b",
        E,
        "admitted_on",
        "Ngày nhập học phải sau ngày sinh.",
        "The admission date must be after the birth date.",
        _check(pl.col("admitted_on") <= DOB),
    ),
    Rule(
        "LRN.admitted_on.age",
        "learners",
        "b",
        W,
        "admitted_on",
        "Tuổi khi nhập học ngoài khoảng 15–80.",
        "Age at admission outside 15–80.",
        _age_at_admission,
    ),
    Rule(
        "LRN.status_date.order",
        "learners",
        "b",
        E,
        "status_date",
        "Ngày trạng thái không được trước ngày nhập học.",
        "The status date may not be before the admission date.",
        _check(pl.col("status_date") < pl.col("admitted_on")),
    ),
    Rule(
        "LRN.graduated_on.order",
        "learners",
        "b",
        E,
        "graduated_on",
        "Ngày tốt nghiệp không được trước ngày nhập học hay ngày trạng thái.",
        "The graduation date may not be before the admission or the status date.",
        _check(
            (pl.col("graduated_on") < pl.col("admitted_on"))
            | (pl.col("graduated_on") < pl.col("status_date"))
        ),
    ),
    Rule(
        "LRN.graduated_on.status",
        "learners",
        "b",
        E,
        "graduated_on",
        "Trạng thái graduated cần ngày tốt nghiệp, và chỉ khi đó mới có ngày tốt nghiệp.",
        "Status graduated needs a graduation date, and only it may have one.",
        _check(
            pl.col("status").is_not_null() & (pl.col("graduated_on").is_not_null() != GRADUATED)
        ),
    ),
    Rule(
        "LRN.diploma_number.status",
        "learners",
        "b",
        E,
        "diploma_number",
        "Chỉ người học đã tốt nghiệp mới có số hiệu văn bằng.",
        "Only a graduated learner may have a diploma number.",
        _check(
            pl.col("diploma_number").is_not_null() & pl.col("status").is_not_null() & ~GRADUATED
        ),
    ),
    Rule(
        "LRN.cohort_year.admitted",
        "learners",
        "b",
        W,
        "cohort_year",
        "Khóa lệch quá 1 năm so với năm nhập học.",
        "The cohort year differs from the admission year by more than 1.",
        _check((pl.col("cohort_year") - pl.col("admitted_on").dt.year().cast(pl.Int64)).abs() > 1),
    ),
    key_rule(LEARNERS),
    duplicate_rule(
        LEARNERS,
        "national_id",
        ["national_id"],
        W,
        "Cùng một người (số định danh) đã có ở dòng {detail}: hai lần nhập học?",
        "The same person (national ID) is already on row {detail}: two enrolments?",
    ),
    Rule(
        "LRN.national_id.conflict",
        "learners",
        "c",
        E,
        "national_id",
        "Cùng số định danh với dòng {detail} nhưng khác ngày sinh hoặc giới tính.",
        "Same national ID as row {detail} but a different birth date or sex.",
        _conflict,
        _first_row_text,
        scope=_same_person,
    ),
    duplicate_rule(
        LEARNERS,
        "diploma_number",
        ["diploma_number"],
        E,
        "Số hiệu văn bằng trùng với dòng {detail}.",
        "Diploma number already used on row {detail}.",
    ),
]

TITLED = pl.col("academic_title").is_in(
    [AcademicTitle.professor.value, AcademicTitle.associate_professor.value]
)
PERMANENT_CONTRACTS = [ContractType.civil_servant.value, ContractType.indefinite.value]

STAFF_RULES = [
    *national_id_rules(STAFF),
    Rule(
        "STF.date_of_birth.age",
        "staff",
        "b",
        W,
        "date_of_birth",
        "Tuổi tại ngày đối chiếu ngoài khoảng 18–85.",
        "Age on the reference date outside 18–85.",
        _staff_age,
    ),
    Rule(
        "STF.academic_title.degree",
        "staff",
        "b",
        E,
        "academic_title",
        "Giáo sư, phó giáo sư phải có bằng tiến sĩ.",
        "A professor or associate professor must hold a doctorate.",
        _check(
            TITLED
            & pl.col("highest_degree").is_not_null()
            & (pl.col("highest_degree") != Degree.doctor.value)
        ),
    ),
    Rule(
        "STF.degree_year.order",
        "staff",
        "b",
        E,
        "degree_year",
        "Năm cấp bằng trước tuổi 16 hoặc sau năm đối chiếu.",
        "The degree year is before age 16 or after the reference year.",
        _degree_year,
    ),
    Rule(
        "STF.degree_country.missing",
        "staff",
        "b",
        W,
        "degree_country",
        "Có văn bằng nhưng thiếu nước cấp bằng.",
        "A degree is given without the country that awarded it.",
        _check(
            pl.col("highest_degree").is_not_null()
            & (pl.col("highest_degree") != Degree.none.value)
            & pl.col("degree_country").is_null()
        ),
    ),
    Rule(
        "STF.fte.full_time",
        "staff",
        "b",
        W,
        "fte",
        "Làm toàn thời gian nhưng quy đổi dưới 1.",
        "Full-time but a full-time equivalent below 1.",
        _check(pl.col("full_time") & (pl.col("fte") < 1)),
    ),
    Rule(
        "STF.permanent.contract",
        "staff",
        "b",
        E,
        "permanent",
        "Cơ hữu cần hợp đồng không xác định thời hạn hoặc là viên chức.",
        "Permanent staff need an indefinite contract or civil-servant status.",
        _check(
            pl.col("permanent")
            & pl.col("contract_type").is_not_null()
            & ~pl.col("contract_type").is_in(PERMANENT_CONTRACTS)
        ),
    ),
    Rule(
        "STF.hired_on.order",
        "staff",
        "b",
        E,
        "hired_on",
        "Ngày tuyển dụng trước tuổi 16.",
        "Hired before the age of 16.",
        _check(age(DOB, pl.col("hired_on")) < 16),
    ),
    key_rule(STAFF),
    duplicate_rule(
        STAFF,
        "national_id",
        ["national_id"],
        E,
        "Cùng một người (số định danh) đã có ở dòng {detail}.",
        "The same person (national ID) is already on row {detail}.",
    ),
]

PEOPLE_RULES = [*LEARNER_RULES, *STAFF_RULES]
