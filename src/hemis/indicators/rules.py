"""Pure rules of the indicators: judging a value against its threshold, with the reason when it
cannot be judged. No Session, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, replace

from hemis.indicators.definitions import Definition

EPSILON = 1e-9


@dataclass(frozen=True)
class Outcome:
    numerator: float | None
    denominator: float | None
    value: float | None
    threshold: float | None
    status: str  # pass, fail, unknown, na (threshold not in force), info (no threshold)
    reason_vi: str | None = None
    reason_en: str | None = None


def unknown(
    reason_vi: str, reason_en: str, numerator: float | None = None, denominator: float | None = None
) -> Outcome:
    return Outcome(numerator, denominator, None, None, "unknown", reason_vi, reason_en)


def judge(
    d: Definition,
    year: int,
    numerator: float | None,
    denominator: float | None,
    empty: tuple[str, str],
    *,
    doctoral: bool = False,
    specialised: bool = False,
) -> Outcome:
    """Pass or fail against the threshold in force; unknown (never zero) with `empty` as the
    reason when the denominator is missing or zero, and when the numerator is missing."""
    if numerator is None or denominator is None or denominator <= 0:
        return unknown(empty[0], empty[1], numerator, denominator)
    note: tuple[str, str] | None = None
    if d.share and numerator > denominator:
        # A share cannot exceed 100 % (SHARE_RULE): count the denominator, keep what was said.
        note = (
            f"Số khai báo ({numerator:g}) lớn hơn mẫu số ({denominator:g}): tính bằng mẫu số, "
            "tỉ lệ không vượt 100%.",
            f"The number reported ({numerator:g}) exceeds the denominator ({denominator:g}): "
            "counted as the denominator; a share cannot exceed 100 %.",
        )
        numerator = denominator
    outcome = _judged(d, year, numerator, denominator, doctoral, specialised)
    if note is None:
        return outcome
    return replace(
        outcome,
        reason_vi=" ".join(filter(None, (note[0], outcome.reason_vi))),
        reason_en=" ".join(filter(None, (note[1], outcome.reason_en))),
    )


def _judged(
    d: Definition,
    year: int,
    numerator: float,
    denominator: float,
    doctoral: bool,
    specialised: bool,
) -> Outcome:
    value = numerator / denominator
    threshold = d.threshold(year, doctoral, specialised)
    if d.direction == "none":
        return Outcome(numerator, denominator, value, None, "info")
    if threshold is None:
        first = d.first_year()
        if first is not None and first > year:
            return Outcome(
                numerator,
                denominator,
                value,
                None,
                "na",
                f"Ngưỡng áp dụng từ năm {first}.",
                f"The threshold applies from {first}.",
            )
        return Outcome(
            numerator,
            denominator,
            value,
            None,
            "unknown",
            "Chưa có ngưỡng đã xác minh.",
            "No verified threshold.",
        )
    ok = value <= threshold + EPSILON if d.direction == "max" else value >= threshold - EPSILON
    return Outcome(numerator, denominator, value, threshold, "pass" if ok else "fail")


def undergraduate(level: str) -> bool:
    return level in ("college", "bachelor")
