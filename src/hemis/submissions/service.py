"""Submission use cases: the lifecycle (validate, sign off, accept, return), answers to warnings
(explanations and override requests, decided by the ministry), and import jobs.

Sessions are scoped to the caller (db/tenancy.py): an officer only ever finds their own
institution's submissions and jobs, so another institution's id answers 404. The lifecycle's
pure rules are in rules.py; the snapshot and diff in snapshot.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.access import require_institution, require_ministry_admin
from hemis.accounts import service as accounts
from hemis.db.rows import commit, get_row
from hemis.db.tenancy import get_scope
from hemis.errors import Forbidden, ValidationFailed
from hemis.submissions import snapshot
from hemis.submissions.models import (
    Submission,
    SubmissionAnswer,
    SubmissionJob,
    SubmissionReview,
    SubmissionSnapshot,
)
from hemis.submissions.rules import (
    AnswerKind,
    AnswerStatus,
    JobStatus,
    LifecycleError,
    ReviewEvent,
    WarningHit,
    blocking_answers,
    next_status,
    unanswered,
)
from hemis.submissions.schemas import AnswerCreate, Decision, ReviewBody, SignOffBody
from hemis.submissions.stats import learner_stats


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def may_sign_off(session: Session, sub: Submission) -> bool:
    """Whether the caller is the signatory of the submission's institution."""
    return accounts.is_signatory(session, get_scope(session).actor, sub.institution_id)


def require_signatory(session: Session, institution_id: int) -> None:
    """Only the institution's accountable officer (a user marked signatory) signs off."""
    if not accounts.is_signatory(session, get_scope(session).actor, institution_id):
        raise Forbidden(
            "Chỉ người đứng đầu cơ sở (hoặc người được ủy quyền ký) được ký báo cáo.",
            "Only the head of the institution (or their authorised delegate) may sign off.",
        )


# Lifecycle steps only the ministry's administrators take.
DECIDED_BY_MINISTRY = (
    "Chỉ quản trị của Bộ GD&ĐT được quyết định bước này.",
    "Only a ministry administrator may decide this.",
)


def get_submission(session: Session, submission_id: int) -> Submission:
    return get_row(session, Submission, submission_id)


def get_job(session: Session, job_id: int) -> SubmissionJob:
    return get_row(session, SubmissionJob, job_id)


def jobs_of(session: Session, submission_id: int) -> list[SubmissionJob]:
    stmt = (
        select(SubmissionJob)
        .where(SubmissionJob.submission_id == submission_id)
        .order_by(SubmissionJob.created_at, SubmissionJob.id)
    )
    return list(session.scalars(stmt))


def warnings_of(session: Session, submission: Submission) -> list[WarningHit]:
    """Warning rules of the data applied in this submission, per entity: from its applied jobs,
    an entity's full-replacement file superseding what came before it."""
    found: dict[tuple[str, str], WarningHit] = {}
    for job in jobs_of(session, submission.id):
        if job.status != JobStatus.applied or not job.result:
            continue
        if job.full_replacement:
            found = {k: v for k, v in found.items() if k[0] != job.entity}
        for rule in job.result.get("rules", []):
            if rule.get("severity") == "warning":
                found[(job.entity, rule["rule"])] = WarningHit(
                    job.entity,
                    rule["rule"],
                    int(rule["count"]),
                    rule["message"],
                    rule["message_en"],
                )
    return list(found.values())


def answers_of(session: Session, submission_id: int) -> list[SubmissionAnswer]:
    stmt = (
        select(SubmissionAnswer)
        .where(SubmissionAnswer.submission_id == submission_id)
        .order_by(SubmissionAnswer.entity, SubmissionAnswer.rule)
    )
    return list(session.scalars(stmt))


def _answer_map(answers: Sequence[SubmissionAnswer]) -> dict[tuple[str, str], str]:
    return {(a.entity, a.rule): a.status for a in answers}


def validate_submission(session: Session, submission_id: int) -> Submission:
    """draft/returned → validated: data was applied, no file is left with errors, and every
    warning has an explanation or an override request that was not rejected."""
    require_institution(session)
    sub = get_submission(session, submission_id)
    target = next_status("validate", sub.status)
    jobs = [j for j in jobs_of(session, sub.id) if not j.dry_run]
    if not any(j.status == JobStatus.applied for j in jobs):
        raise LifecycleError(
            "Bản nộp chưa có dữ liệu nào được ghi.",
            "Nothing has been applied to this submission yet.",
            code="submission.empty",
        )
    missing = unanswered(warnings_of(session, sub), _answer_map(answers_of(session, sub.id)))
    if missing:
        raise LifecycleError(
            "Còn cảnh báo chưa được giải trình hoặc đề nghị chấp nhận.",
            "Some warnings have neither an explanation nor an override request.",
            code="submission.unanswered_warnings",
            details=[{"entity": w.entity, "rule": w.rule, "rows": w.rows} for w in missing],
        )
    sub.status = target.value
    sub.validated_at = now()
    commit(session)
    return sub


def answer_warning(session: Session, submission_id: int, body: AnswerCreate) -> SubmissionAnswer:
    """An explanation (noted) or an override request (pending) for a warning rule; replaces the
    previous answer to the same rule."""
    require_institution(session)
    sub = get_submission(session, submission_id)
    if sub.status in ("submitted", "accepted"):
        raise LifecycleError(
            "Bản nộp đã nộp hoặc đã được chấp nhận: không sửa được giải trình.",
            "The submission is submitted or accepted: answers can no longer change.",
            details={"status": sub.status},
        )
    hits = {(w.entity, w.rule): w for w in warnings_of(session, sub)}
    hit = hits.get((body.entity, body.rule))
    if hit is None:
        raise ValidationFailed(
            "Bản nộp không có cảnh báo này.",
            "The submission has no such warning.",
            details=[
                {"field": "rule", "code": "answer.rule", "entity": body.entity, "rule": body.rule}
            ],
        )
    found = session.scalars(
        select(SubmissionAnswer).where(
            SubmissionAnswer.submission_id == sub.id,
            SubmissionAnswer.entity == body.entity,
            SubmissionAnswer.rule == body.rule,
        )
    ).one_or_none()
    answer = found or SubmissionAnswer(
        institution_id=sub.institution_id,
        submission_id=sub.id,
        entity=body.entity,
        rule=body.rule,
    )
    answer.kind = body.kind.value
    answer.text = body.text
    answer.row_count = hit.rows
    answer.status = (
        AnswerStatus.pending if body.kind is AnswerKind.override else AnswerStatus.noted
    ).value
    answer.requested_by = get_scope(session).actor
    answer.decided_by = answer.decided_at = answer.decision_comment = None
    session.add(answer)
    commit(session)
    return answer


def decide(session: Session, answer_id: int, body: Decision) -> SubmissionAnswer:
    """The ministry approves or rejects a pending override request."""
    require_ministry_admin(session, DECIDED_BY_MINISTRY)
    answer = get_row(session, SubmissionAnswer, answer_id)
    if answer.status != AnswerStatus.pending:
        raise LifecycleError(
            "Chỉ quyết định được đề nghị đang chờ.",
            "Only a pending override request can be decided.",
            details={"status": answer.status},
        )
    answer.status = (AnswerStatus.approved if body.approve else AnswerStatus.rejected).value
    answer.decided_by = get_scope(session).actor
    answer.decided_at = now()
    answer.decision_comment = body.comment
    commit(session)
    return answer


def sign_off(session: Session, submission_id: int, body: SignOffBody) -> Submission:
    """validated → submitted: the head of the institution signs; the data is frozen as a hashed
    snapshot, compared with the previous version when this one is a correction."""
    institution_id = require_institution(session)
    sub = get_submission(session, submission_id)
    target = next_status("sign_off", sub.status)
    require_signatory(session, institution_id)
    if not body.confirm:
        raise ValidationFailed(
            "Người đứng đầu cơ sở cần xác nhận số liệu đầy đủ và chính xác.",
            "The head of the institution must confirm that the data is complete and correct.",
            details=[{"field": "confirm", "code": "sign_off.confirm"}],
        )
    overall, frozen = snapshot.freeze(session)
    for stale in snapshots_of(session, sub.id):  # signed before, then returned: replaced
        session.delete(stale)
    session.flush()
    for item in frozen:
        session.add(
            SubmissionSnapshot(
                institution_id=sub.institution_id,
                submission_id=sub.id,
                entity=item.entity,
                row_count=item.rows,
                sha256=item.sha256,
                fingerprints=item.fingerprints,
            )
        )
    if sub.previous_id is not None:
        before = {s.entity: s.fingerprints for s in snapshots_of(session, sub.previous_id)}
        sub.diff = snapshot.diff(before, {f.entity: f.fingerprints for f in frozen})
    sub.stats = {
        "rows": {f.entity: f.rows for f in frozen},
        "learners": learner_stats(session, sub),
    }
    if sub.reviewed_by is not None:
        # reviewed before and still signable: it was returned. Signed off again, it is the next
        # version, with its own part of the thread (the returned version's comment stays there)
        sub.version = _next_version(session, sub)
        sub.review_comment = None
        sub.reviewed_by = sub.reviewed_at = None
    sub.snapshot_sha256 = overall
    sub.signed_by_name = body.head_name
    sub.signed_by_title = body.head_title
    sub.signed_off_by = get_scope(session).actor
    sub.submitted_at = now()
    sub.status = target.value
    _record(session, sub, ReviewEvent.submitted, f"{body.head_name}, {body.head_title}")
    commit(session)
    return sub


def _next_version(session: Session, sub: Submission) -> int:
    """One above every version of the institution's submissions for the period."""
    highest = session.scalar(
        select(func.max(Submission.version)).where(
            Submission.institution_id == sub.institution_id,
            Submission.period_id == sub.period_id,
        )
    )
    return int(highest or sub.version) + 1


def _record(session: Session, sub: Submission, event: ReviewEvent, comment: str | None) -> None:
    session.add(
        SubmissionReview(
            institution_id=sub.institution_id,
            submission_id=sub.id,
            version=sub.version,
            event=event.value,
            comment=comment,
            actor=get_scope(session).actor,
            at=now(),
        )
    )


def thread_of(session: Session, submission_id: int) -> list[SubmissionReview]:
    """The submission's sign-offs, returns and acceptances, oldest first."""
    stmt = (
        select(SubmissionReview)
        .where(SubmissionReview.submission_id == submission_id)
        .order_by(SubmissionReview.at, SubmissionReview.id)
    )
    return list(session.scalars(stmt))


def snapshots_of(session: Session, submission_id: int) -> list[SubmissionSnapshot]:
    stmt = select(SubmissionSnapshot).where(SubmissionSnapshot.submission_id == submission_id)
    return list(session.scalars(stmt))


def accept(session: Session, submission_id: int, body: ReviewBody) -> Submission:
    """submitted → accepted, once no override request is pending or rejected."""
    require_ministry_admin(session, DECIDED_BY_MINISTRY)
    sub = get_submission(session, submission_id)
    target = next_status("accept", sub.status)
    blocking = blocking_answers(_answer_map(answers_of(session, sub.id)))
    if blocking:
        raise LifecycleError(
            "Còn đề nghị chấp nhận cảnh báo đang chờ hoặc đã bị từ chối: hãy quyết định hoặc trả "
            "lại bản nộp.",
            "Override requests are pending or were rejected: decide them, or return the "
            "submission.",
            code="submission.open_overrides",
            details=blocking,
        )
    return _review(session, sub, target.value, body.comment)


def return_submission(session: Session, submission_id: int, body: ReviewBody) -> Submission:
    """submitted → returned, with the ministry's comments (required)."""
    require_ministry_admin(session, DECIDED_BY_MINISTRY)
    sub = get_submission(session, submission_id)
    target = next_status("return", sub.status)
    if not (body.comment or "").strip():
        raise ValidationFailed(
            "Cần ghi rõ lý do trả lại.",
            "Say why the submission is returned.",
            details=[{"field": "comment", "code": "review.comment"}],
        )
    return _review(session, sub, target.value, body.comment)


def _review(session: Session, sub: Submission, status: str, comment: str | None) -> Submission:
    sub.status = status
    sub.reviewed_by = get_scope(session).actor
    sub.reviewed_at = now()
    sub.review_comment = comment
    _record(session, sub, ReviewEvent(status), comment)
    commit(session)
    return sub
