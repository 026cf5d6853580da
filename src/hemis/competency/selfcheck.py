"""The self-assessment questionnaire (written for this project: data/selfcheck_items.csv) and
how its answers score to a level band. Pure; the learner's pages store the result
(CompetencySelfAssessment), always marked "self-assessed": it is never an assessed level, never
enters a profile, an indicator or a credential.

Each competency has four statements, one per tier (basic, intermediate, advanced, specialised).
The learner answers each 0 (not yet), 1 (sometimes, or with help) or 2 (yes, regularly). The
answers are read upwards while they hold: tier k is reached if it and every tier below it were
answered 1 or 2. With k the highest tier reached and a its answer, the estimate is level
2(k−1)+a (tier 2 answered "sometimes" is level 3, TC1; answered "yes", level 4, TC2), and the
band is that level and the one below it — a questionnaire cannot tell two adjacent levels
apart. No tier reached: band 1–1. A tier answered above a tier left at 0 does not count (the
tiers build on each other).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from hemis.competency.framework import read_rows
from hemis.errors import ValidationFailed

TIERS = 4
ANSWERS = (0, 1, 2)
ANSWER_LABELS = {
    0: ("Chưa", "Not yet"),
    1: ("Đôi khi, hoặc cần trợ giúp", "Sometimes, or with help"),
    2: ("Có, thường xuyên", "Yes, regularly"),
}


@dataclass(frozen=True)
class Statement:
    tier: int
    text_vi: str
    text_en: str

    def text(self, lang: str) -> str:
        return self.text_en if lang == "en" else self.text_vi


@dataclass(frozen=True)
class Band:
    score: int  # sum of the answers, 0–8 (shown, not used for the band)
    low: int
    high: int


@cache
def _items() -> dict[str, tuple[Statement, ...]]:
    out: dict[str, list[Statement]] = {}
    for row in read_rows("selfcheck_items.csv"):
        out.setdefault(row["competency_code"], []).append(
            Statement(int(row["tier"]), row["statement_vi"], row["statement_en"])
        )
    return {code: tuple(sorted(items, key=lambda s: s.tier)) for code, items in out.items()}


def statements(code: str) -> tuple[Statement, ...]:
    """The four statements of a competency, tier 1 first (KeyError for an unknown code)."""
    return _items()[code]


def band(answers: Sequence[int]) -> Band:
    """The level band four answers (tier 1 first, each 0, 1 or 2) score to."""
    if len(answers) != TIERS or any(a not in ANSWERS for a in answers):
        raise ValidationFailed(
            "Cần trả lời cả 4 câu, mỗi câu 0, 1 hoặc 2.",
            "Answer all 4 statements, each 0, 1 or 2.",
            details=[{"field": "answers", "problem": "four answers of 0, 1 or 2"}],
        )
    reached, answer = 0, 0
    for tier, given in enumerate(answers, start=1):
        if given == 0:
            break
        reached, answer = tier, given
    estimate = 2 * (reached - 1) + answer if reached else 1
    return Band(sum(answers), max(1, estimate - 1), estimate)
