"""Pure rules of registration, wishes and deadlines (no Session, no HTTP).

Each rule returns the problems it finds as `Problem`s (stable code, field, Vietnamese and
English message), so the service can report all of them at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hemis.admissions.codes import (
    LANGUAGE_SUBJECT,
    TECHNOLOGY_SUBJECT,
    Elective,
    ForeignLanguage,
    Subject,
    TechnologyTrack,
)
from hemis.registry.rules import Problem

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
COMPULSORY = (Subject.math, Subject.literature)


# --- exam registration ----------------------------------------------------------------------------


def subject_problems(
    electives: Sequence[str],
    foreign_language: str | None,
    technology_track: str | None,
) -> list[Problem]:
    """Math and Literature are compulsory; exactly two different electives of the nine; the
    foreign-language paper names its language, the technology paper its track."""
    problems: list[Problem] = []
    known = {e.value for e in Elective}
    if len(electives) != 2 or any(e not in known for e in electives):
        problems.append(
            Problem(
                "registration.electives",
                "electives",
                "Phải chọn đúng 2 môn tự chọn trong 9 môn: Ngoại ngữ, Lịch sử, Vật lí, Hóa học, "
                "Sinh học, Địa lí, Giáo dục kinh tế và pháp luật, Tin học, Công nghệ.",
                "Choose exactly 2 of the 9 electives: Foreign language, History, Physics, "
                "Chemistry, Biology, Geography, Economics and law, Informatics, Technology.",
            )
        )
    elif electives[0] == electives[1]:
        problems.append(
            Problem(
                "registration.electives_repeat",
                "electives",
                "Hai môn tự chọn phải khác nhau.",
                "The two electives must differ.",
            )
        )
    wants_language = Elective.foreign_language.value in electives
    if wants_language and foreign_language not in {f.value for f in ForeignLanguage}:
        problems.append(
            Problem(
                "registration.language",
                "foreign_language",
                "Chọn môn Ngoại ngữ thì phải chọn thứ tiếng (N1–N7).",
                "The foreign-language paper needs a language (N1–N7).",
            )
        )
    if not wants_language and foreign_language is not None:
        problems.append(
            Problem(
                "registration.language_unused",
                "foreign_language",
                "Chỉ chọn thứ tiếng khi đăng ký môn Ngoại ngữ.",
                "A language is only chosen with the foreign-language paper.",
            )
        )
    wants_technology = Elective.technology.value in electives
    if wants_technology and technology_track not in {t.value for t in TechnologyTrack}:
        problems.append(
            Problem(
                "registration.technology",
                "technology_track",
                "Chọn môn Công nghệ thì phải chọn định hướng (công nghiệp hoặc nông nghiệp).",
                "The technology paper needs a track (industry or agriculture).",
            )
        )
    if not wants_technology and technology_track is not None:
        problems.append(
            Problem(
                "registration.technology_unused",
                "technology_track",
                "Chỉ chọn định hướng khi đăng ký môn Công nghệ.",
                "A track is only chosen with the technology paper.",
            )
        )
    return problems


def registered_subjects(
    electives: Sequence[str], foreign_language: str | None, technology_track: str | None
) -> set[str]:
    """The scored subjects a (valid) registration sits: Math, Literature and the two electives."""
    out = {s.value for s in COMPULSORY}
    for elective in electives:
        if elective == Elective.foreign_language.value and foreign_language:
            out.add(LANGUAGE_SUBJECT[ForeignLanguage(foreign_language)].value)
        elif elective == Elective.technology.value and technology_track:
            out.add(TECHNOLOGY_SUBJECT[TechnologyTrack(technology_track)].value)
        else:
            out.add(elective)
    return out


def category_problems(category: str | None, known: Collection[str]) -> list[Problem]:
    """A priority category must be one of the year's rules (2026 regrouped them into 01–06)."""
    if category is None or category in known:
        return []
    listed = ", ".join(sorted(known))
    return [
        Problem(
            "registration.category",
            "category",
            f"Đối tượng ưu tiên {category} không có trong quy chế của năm (chỉ {listed}).",
            f"Priority category {category} is not in the year's rules (only {listed}).",
        )
    ]


def graduation_problems(admission_year: int, graduation_year: int) -> list[Problem]:
    if graduation_year > admission_year:
        return [
            Problem(
                "registration.graduation_year",
                "graduation_year",
                "Năm tốt nghiệp THPT không được sau năm tuyển sinh.",
                "The graduation year cannot be after the admission year.",
            )
        ]
    return []


# --- windows and deadlines ------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None

    def is_open(self, now: dt.datetime) -> bool:
        if self.opens_at is None or self.closes_at is None:
            return False
        return self.opens_at <= now < self.closes_at


def local_deadline(day: dt.date, hour: int = 17, minute: int = 0) -> dt.datetime:
    """A Vietnamese deadline (e.g. 17:00 on a day, Asia/Ho_Chi_Minh) as an aware UTC datetime."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ).astimezone(dt.UTC)


def in_vietnam(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(VN_TZ)


# --- wishes ---------------------------------------------------------------------------------------


def is_teacher_training(discipline_code: str, teacher_group: str = "71402") -> bool:
    return discipline_code.startswith(teacher_group)


def wish_count_problems(count: int, cap: int | None) -> list[Problem]:
    if cap is not None and count > cap:
        return [
            Problem(
                "wish.cap",
                "rank",
                f"Mỗi thí sinh được đăng ký tối đa {cap} nguyện vọng.",
                f"A candidate may place at most {cap} wishes.",
            )
        ]
    return []


def teacher_rank_problems(
    ranked_disciplines: Sequence[str], limit: int | None, teacher_group: str = "71402"
) -> list[Problem]:
    """Teacher-training programs are only considered for the first `limit` wishes."""
    if limit is None:
        return []
    late = [
        rank
        for rank, code in enumerate(ranked_disciplines, start=1)
        if rank > limit and is_teacher_training(code, teacher_group)
    ]
    if not late:
        return []
    return [
        Problem(
            "wish.teacher_training_rank",
            "rank",
            f"Ngành đào tạo giáo viên chỉ được xét ở nguyện vọng 1–{limit} "
            f"(đang ở nguyện vọng {', '.join(map(str, late))}).",
            f"Teacher-training programs are only considered as wishes 1–{limit} "
            f"(now at wish {', '.join(map(str, late))}).",
        )
    ]


def reorder_problems(current: Sequence[int], proposed: Sequence[int]) -> list[Problem]:
    """A new order must list every current wish exactly once."""
    if sorted(current) != sorted(proposed) or len(set(proposed)) != len(proposed):
        return [
            Problem(
                "wish.reorder",
                "wish_ids",
                "Thứ tự mới phải gồm đúng mỗi nguyện vọng hiện có một lần.",
                "The new order must list each current wish exactly once.",
            )
        ]
    return []


def risk_hint(score_h: int | None, last_cutoff_h: int | None, margin_h: int = 100) -> str:
    """A simple hint against last year's cutoff: safe (≥ 1 point above), close, risky, unknown."""
    if score_h is None or last_cutoff_h is None:
        return "unknown"
    if score_h >= last_cutoff_h + margin_h:
        return "safe"
    if score_h >= last_cutoff_h - margin_h:
        return "close"
    return "risky"
