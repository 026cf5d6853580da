"""Generic rules derived from the column specs: required, type, code, format, length (tier a),
range and dates not in the future (tier b). One rule per column and check, so each has its own
stable ID (`LRN.gpa.range`)."""

from __future__ import annotations

import polars as pl

from hemis.imports.cast import raw_name
from hemis.imports.catalogue import Check, Context, Rule, Severity
from hemis.imports.entities import Column, ColumnType, Entity

TYPE_MESSAGES = {
    ColumnType.integer: ("Không phải số nguyên.", "Not a whole number."),
    ColumnType.decimal: ("Không phải số.", "Not a number."),
    ColumnType.date: (
        "Không phải ngày hợp lệ (dùng yyyy-mm-dd hoặc dd/mm/yyyy, năm 1900–2100).",
        "Not a valid date (use yyyy-mm-dd or dd/mm/yyyy, years 1900–2100).",
    ),
    ColumnType.boolean: (
        "Không phải giá trị đúng/sai (true/false, có/không, 1/0).",
        "Not a yes/no value (true/false, có/không, 1/0).",
    ),
}
LISTED_CODES = 12  # code lists up to this long are spelled out in the message
# What a spreadsheet reads as a formula when a value is opened in it (CSV injection): free text
# starting so is refused rather than stored and exported back out.
FORMULA_START = "^[=+@-]"


def raw(column: str, ctx: Context) -> pl.Expr:
    return pl.col(raw_name(ctx.entity.column(column)))


def typed(column: str) -> pl.Expr:
    return pl.col(column)


def _number(value: float) -> str:
    return f"{value:g}"


def _range_text(c: Column) -> tuple[str, str]:
    low = "" if c.minimum is None else ("(" if c.min_exclusive else "[") + _number(c.minimum)
    high = "" if c.maximum is None else _number(c.maximum) + "]"
    if c.minimum is not None and c.maximum is not None:
        return f"{low}; {high}", f"{low}, {high}"
    if c.minimum is not None:
        op = ">" if c.min_exclusive else "≥"
        return f"{op} {_number(c.minimum)}", f"{op} {_number(c.minimum)}"
    return f"≤ {high[:-1]}", f"≤ {high[:-1]}"


def _required(c: Column) -> pl.Expr:
    return pl.col(c.name if c.type is ColumnType.string else raw_name(c)).is_null()


def _unparsed(c: Column) -> pl.Expr:
    return pl.col(raw_name(c)).is_not_null() & pl.col(c.name).is_null()


def _pattern(c: Column) -> pl.Expr:
    return pl.col(c.name).is_not_null() & ~pl.col(c.name).str.contains(c.pattern or "")


def _formula(c: Column) -> pl.Expr:
    return pl.col(c.name).is_not_null() & pl.col(c.name).str.contains(FORMULA_START)


def _length(c: Column) -> pl.Expr:
    return pl.col(c.name).str.len_chars() > (c.max_length or 0)


def _out_of_range(c: Column) -> pl.Expr:
    value = pl.col(c.name)
    bad = pl.lit(False)
    if c.minimum is not None:
        bad = bad | ((value <= c.minimum) if c.min_exclusive else (value < c.minimum))
    if c.maximum is not None:
        bad = bad | (value > c.maximum)
    return bad


def const(expr: pl.Expr) -> Check:
    def check(ctx: Context) -> pl.Expr:
        return expr

    return check


def _after_as_of(name: str) -> Check:
    def check(ctx: Context) -> pl.Expr:
        return pl.col(name) > pl.lit(ctx.as_of)

    return check


def _as_of(ctx: Context) -> pl.Expr:
    return pl.lit(ctx.as_of.isoformat())


def column_rules(entity: Entity) -> list[Rule]:
    rules: list[Rule] = []

    def add(
        c: Column, kind: str, tier: str, vi: str, en: str, check: Check, detail: Check | None = None
    ) -> None:
        rule_id = f"{entity.prefix}.{c.name}.{kind}"
        rules.append(
            Rule(rule_id, entity.name, tier, Severity.error, c.name, vi, en, check, detail, kind)
        )

    for c in entity.columns:
        if c.required:
            add(
                c,
                "required",
                "a",
                "Thiếu giá trị bắt buộc.",
                "Required value missing.",
                const(_required(c)),
            )
        if c.type in TYPE_MESSAGES:
            vi, en = TYPE_MESSAGES[c.type]
            add(c, "type", "a", vi, en, const(_unparsed(c)))
        if c.type is ColumnType.code:
            codes = c.allowed
            listed = ", ".join(codes) if len(codes) <= LISTED_CODES else ""
            vi = "Mã không có trong danh mục" + (f" ({listed})." if listed else " (xem từ điển).")
            en = "Code not in the list" + (f" ({listed})." if listed else " (see the dictionary).")
            add(c, "code", "a", vi, en, const(_unparsed(c)))
        if c.pattern:
            add(
                c,
                "format",
                "a",
                f"Sai định dạng: cần {c.pattern_vi}.",
                f"Wrong format: expected {c.pattern_en}.",
                const(_pattern(c)),
            )
        if c.type is ColumnType.string and not c.pattern:
            add(
                c,
                "formula",
                "a",
                "Giá trị bắt đầu bằng =, +, - hoặc @ như một công thức bảng tính; không được nhận "
                "(có thể chạy thành công thức khi mở bằng Excel).",
                "The value starts with =, +, - or @ like a spreadsheet formula; it is refused (it "
                "could run as a formula when opened in a spreadsheet).",
                const(_formula(c)),
            )
        if c.max_length:
            add(
                c,
                "length",
                "a",
                f"Dài quá {c.max_length} ký tự.",
                f"Longer than {c.max_length} characters.",
                const(_length(c)),
            )
        if c.minimum is not None or c.maximum is not None:
            vi, en = _range_text(c)
            add(
                c,
                "range",
                "b",
                f"Ngoài khoảng cho phép {vi}.",
                f"Outside the allowed range {en}.",
                const(_out_of_range(c)),
            )
        if c.not_future:
            add(
                c,
                "future",
                "b",
                "Ngày ở sau ngày đối chiếu {detail}.",
                "Date after the reference date {detail}.",
                _after_as_of(c.name),
                _as_of,
            )
    return rules


def possibly_duplicated(keys: list[str]) -> pl.Expr:
    """True for every row whose key occurs more than once (and, rarely, for a 64-bit hash
    collision: scopes may be wider than needed, the check inside them is exact). Hashing first
    makes the duplicate search ~2.5x cheaper than on the strings."""
    key = pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys)
    return key.hash().is_duplicated()


def first_row(keys: list[str]) -> pl.Expr:
    return pl.col("__row__").min().over(keys)


def duplicate_rule(
    entity: Entity,
    name: str,
    keys: list[str],
    severity: Severity,
    vi: str,
    en: str,
    guard: list[str] | None = None,
) -> Rule:
    """Rows whose key (all of `guard` filled in) already appeared on an earlier row; the
    message's {detail} is that first row."""

    def scope(ctx: Context) -> pl.Expr:
        filled = pl.all_horizontal(pl.col(k).is_not_null() for k in (guard or keys))
        return filled & possibly_duplicated(keys)

    def check(ctx: Context) -> pl.Expr:
        return pl.col("__row__") != first_row(keys)

    def detail(ctx: Context) -> pl.Expr:
        return first_row(keys).cast(pl.String)

    return Rule(
        f"{entity.prefix}.{name}.duplicate",
        entity.name,
        "c",
        severity,
        keys[0],
        vi,
        en,
        check,
        detail,
        scope=scope,
    )


def key_rule(entity: Entity) -> Rule:
    keys = list(entity.natural_key)
    name = keys[0] if len(keys) == 1 else "key"
    required = [k for k in keys if entity.column(k).required]
    listed = ", ".join(keys)
    return duplicate_rule(
        entity,
        name,
        keys,
        Severity.error,
        f"Trùng khóa ({listed}) với dòng {{detail}}.",
        f"Same key ({listed}) as row {{detail}}.",
        guard=required,
    )


def age(born: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years between two dates."""
    before_birthday = (on.dt.month() * 100 + on.dt.day()) < (born.dt.month() * 100 + born.dt.day())
    return (
        on.dt.year().cast(pl.Int32) - born.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)
    )
