"""Pure rules of the submission lifecycle (no Session, no HTTP).

    draft ──validate──▶ validated ──sign_off──▶ submitted ──accept──▶ accepted
      ▲                    │                        │
      └──── import ────────┘                        └──return──▶ returned ──validate──▶ validated

An import into a validated or returned submission puts it back to draft; an import into an
accepted one opens a new version (a correction), compared with the accepted one at sign-off; an
import while the ministry reviews a submitted one is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from hemis.errors import Conflict


class SubmissionStatus(StrEnum):
    draft = "draft"
    validated = "validated"
    submitted = "submitted"
    accepted = "accepted"
    returned = "returned"


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    applied = "applied"  # written to the registry (no errors)
    checked = "checked"  # dry run without errors: nothing written
    rejected = "rejected"  # errors: nothing written
    failed = "failed"  # unreadable file or an unexpected failure: nothing written


FINISHED = frozenset({JobStatus.applied, JobStatus.checked, JobStatus.rejected, JobStatus.failed})


class AnswerKind(StrEnum):
    explanation = "explanation"  # the institution explains the warning; reviewed with the rest
    override = "override"  # the institution asks the ministry to accept the warning


class AnswerStatus(StrEnum):
    noted = "noted"  # an explanation
    pending = "pending"  # an override request awaiting the ministry
    approved = "approved"
    rejected = "rejected"


class ReviewEvent(StrEnum):
    """An entry of a submission's thread: who did what to which version."""

    submitted = "submitted"  # the head signed the version off
    returned = "returned"  # the ministry sent it back, with why
    accepted = "accepted"


REVIEW_EVENT_LABELS: dict[str, tuple[str, str]] = {
    "submitted": ("Cơ sở ký xác nhận và nộp", "Signed off and submitted"),
    "returned": ("Bộ trả lại", "Returned by the ministry"),
    "accepted": ("Bộ chấp nhận", "Accepted by the ministry"),
}


STATUS_LABELS: dict[str, tuple[str, str]] = {
    "draft": ("Bản nháp", "Draft"),
    "validated": ("Đã kiểm tra", "Validated"),
    "submitted": ("Đã nộp, chờ Bộ duyệt", "Submitted"),
    "accepted": ("Đã được chấp nhận", "Accepted"),
    "returned": ("Bị trả lại", "Returned"),
    "queued": ("Đang chờ", "Queued"),
    "running": ("Đang xử lý", "Running"),
    "applied": ("Đã ghi vào cơ sở dữ liệu", "Applied"),
    "checked": ("Kiểm tra thử: đạt", "Dry run passed"),
    "rejected": ("Có lỗi, chưa ghi gì", "Rejected: nothing written"),
    "failed": ("Thất bại, chưa ghi gì", "Failed: nothing written"),
    "explanation": ("Giải trình", "Explanation"),
    "override": ("Đề nghị chấp nhận", "Override request"),
    "noted": ("Đã ghi nhận", "Noted"),
    "pending": ("Chờ Bộ quyết định", "Awaiting the ministry"),
    "approved": ("Được chấp thuận", "Approved"),
}

# action → (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[SubmissionStatus], SubmissionStatus]] = {
    "validate": (
        frozenset({SubmissionStatus.draft, SubmissionStatus.validated, SubmissionStatus.returned}),
        SubmissionStatus.validated,
    ),
    "sign_off": (frozenset({SubmissionStatus.validated}), SubmissionStatus.submitted),
    "accept": (frozenset({SubmissionStatus.submitted}), SubmissionStatus.accepted),
    "return": (frozenset({SubmissionStatus.submitted}), SubmissionStatus.returned),
}
ACTION_LABELS = {
    "validate": ("kiểm tra", "validate"),
    "sign_off": ("ký xác nhận và nộp", "sign off and submit"),
    "accept": ("chấp nhận", "accept"),
    "return": ("trả lại", "return"),
}


class LifecycleError(Conflict):
    code = "submission.transition"


def next_status(action: str, current: str) -> SubmissionStatus:
    """The status `action` leads to from `current`; LifecycleError if it may not be done."""
    sources, target = TRANSITIONS[action]
    if current in sources:
        return target
    vi_action, en_action = ACTION_LABELS[action]
    vi_now, en_now = STATUS_LABELS.get(current, (current, current))
    allowed = sorted(s.value for s in sources)
    raise LifecycleError(
        f"Không thể {vi_action} bản nộp đang ở trạng thái '{vi_now}'.",
        f"Cannot {en_action} a submission that is '{en_now}' (allowed from: {', '.join(allowed)}).",
        details={"action": action, "status": current, "allowed_from": allowed},
    )


class ImportEffect(StrEnum):
    same = "same"  # the import joins the current version
    new_version = "new_version"  # a correction of an accepted version


def import_effect(current: str) -> ImportEffect:
    """What an import does to the submission it lands in; refused while the ministry reviews."""
    if current == SubmissionStatus.submitted:
        raise LifecycleError(
            "Bản nộp đang chờ Bộ duyệt: chưa thể nhập thêm dữ liệu. Hãy chờ Bộ chấp nhận hoặc "
            "trả lại.",
            "The submission is awaiting the ministry's review: no import until it is accepted or "
            "returned.",
            details={"status": current},
        )
    if current == SubmissionStatus.accepted:
        return ImportEffect.new_version
    return ImportEffect.same


@dataclass(frozen=True)
class WarningHit:
    """A warning rule hit by the data of a submission: per entity and rule, with its row count."""

    entity: str
    rule: str
    rows: int
    message: str
    message_en: str


def unanswered(
    warnings: Iterable[WarningHit], answers: Mapping[tuple[str, str], str]
) -> list[WarningHit]:
    """Warnings without an explanation or an override request that still stands."""
    return [
        w
        for w in warnings
        if answers.get((w.entity, w.rule)) in (None, AnswerStatus.rejected.value)
    ]


def blocking_answers(answers: Mapping[tuple[str, str], str]) -> dict[str, list[str]]:
    """Override requests that stop an acceptance: pending or rejected ones."""
    out: dict[str, list[str]] = {"pending": [], "rejected": []}
    for (entity, rule), status in sorted(answers.items()):
        if status in out:
            out[status].append(f"{entity}:{rule}")
    return {k: v for k, v in out.items() if v}


def is_late(closes_on: dt.date, submitted_at: dt.datetime | None, today: dt.date) -> bool:
    """Late: submitted after the period closed, or not submitted and the period has closed."""
    if submitted_at is not None:
        return submitted_at.date() > closes_on
    return today > closes_on
