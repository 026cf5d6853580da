"""Use cases of the demo calendar: build the demo year, move it to a phase, re-lay its dates.

The phase the year is in is the latest `demo_calendar` entry of the audit log (who moved it,
when, from which phase, with which seed), so every move is on the record. Moving forward runs the
steps in between (steps.py). Moving back rewinds the year's records in place — invoices and
payment intents, then results, conversion tables and wishes — as long as none of them is a record
the database refuses to delete: a round's snapshot (immutable) or a refund (append-only). A year
whose rounds have begun starts over only with a new demo database (`hemis demo --reset`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from hemis import access
from hemis.admissions import rounds
from hemis.admissions.models import (
    AdmissionRound,
    AdmissionYear,
    ConversionTable,
    ResultBatch,
    ResultScore,
    Wish,
)
from hemis.audit.chain import Change, append
from hemis.audit.models import AuditEntry
from hemis.db.base import table_of
from hemis.db.tenancy import get_scope
from hemis.db.types import utcnow
from hemis.demo import steps
from hemis.demo.context import DemoContext
from hemis.demo.rules import DEFAULT_PHASE, DEMO_YEAR, PHASES, Phase, layout, phase_index
from hemis.demo.setup import create_year, lay_out, open_reporting_period
from hemis.errors import Conflict, NotFound
from hemis.payments.models import Invoice, PaymentIntent, PaymentRefund

ENTITY = "demo_calendar"


# --- the phase on record --------------------------------------------------------------------------


def _last_entry(s: Session) -> dict[str, Any] | None:
    after = s.scalar(
        select(AuditEntry.after)
        .where(AuditEntry.entity == ENTITY, AuditEntry.entity_id == str(DEMO_YEAR))
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    )
    return after if isinstance(after, dict) else None


def _count(s: Session, stmt: Select[Any]) -> int:
    return int(s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def inferred_phase(s: Session) -> Phase:
    """The phase the year's records show (for a year no calendar move has recorded)."""
    if rounds.final_round(s, DEMO_YEAR) is not None:
        return Phase.confirmation
    if _count(s, select(Invoice.id).where(Invoice.year == DEMO_YEAR)):
        return Phase.rounds
    if _count(s, select(ResultBatch.id).where(ResultBatch.year == DEMO_YEAR)):
        return Phase.wishes
    return Phase.registration


def has_demo_year(s: Session) -> bool:
    return s.get(AdmissionYear, DEMO_YEAR) is not None


def current_phase(s: Session) -> Phase:
    if not has_demo_year(s):
        raise NotFound("admission_year", DEMO_YEAR)
    entry = _last_entry(s)
    if entry is not None and entry.get("phase") in {p.value for p in PHASES}:
        return Phase(entry["phase"])
    return inferred_phase(s)


def stored_seed(s: Session, default: int) -> int:
    entry = _last_entry(s)
    seed = entry.get("seed") if entry else None
    return seed if isinstance(seed, int) else default


def _record(s: Session, before: Phase | None, after: Phase, seed: int) -> None:
    scope = get_scope(s)
    append(
        s.connection(),
        [
            Change(
                actor=scope.actor,
                institution_id=None,
                action="update" if before else "create",
                entity=ENTITY,
                entity_id=str(DEMO_YEAR),
                before={"phase": before.value} if before else None,
                after={"phase": after.value, "seed": seed},
            )
        ],
    )
    s.commit()


# --- use cases ------------------------------------------------------------------------------------


def build_year(
    ctx: DemoContext,
    candidates: int,
    username: str | None,
    phase: Phase = DEFAULT_PHASE,
    now: dt.datetime | None = None,
) -> Phase:
    """Create the demo year (registration phase) with `candidates` candidates, the account
    `username` linked to the demo candidate, and move it to `phase`."""
    now = now or utcnow()
    with ctx.session() as s:
        access.require_ministry(s)
        if has_demo_year(s):
            raise Conflict(
                f"Năm tuyển sinh {DEMO_YEAR} đã có.",
                f"Admission year {DEMO_YEAR} exists.",
                code="demo.exists",
            )
    open_reporting_period(ctx, now.date())
    create_year(ctx, candidates, username, now)
    with ctx.session() as s:
        _record(s, None, Phase.registration, ctx.seed)
    return move_to(ctx, phase)


def move_to(ctx: DemoContext, target: Phase) -> Phase:
    """Bring the demo year to `target`: steps forward, or a rewind back; the dates of the
    phase are laid out around now either way."""
    with ctx.session() as s:
        access.require_ministry(s)
        current = current_phase(s)
        ctx = ctx.with_seed(stored_seed(s, ctx.seed))
        if phase_index(target) < phase_index(current):
            rewind(s, target)
    for phase in PHASES[phase_index(current) + 1 : phase_index(target) + 1]:
        steps.STEPS[phase](ctx)
    with ctx.session() as s:
        if target is not Phase.enrolled:  # the enrolled step laid its deadline out itself
            lay_out(s, layout(target, utcnow()))
        if target is not current:
            _record(s, current, target, ctx.seed)
    return target


def reanchor(ctx: DemoContext, today: dt.date | None = None) -> Phase:
    """Keep the year in its phase and the reporting period open, with dates around today (a
    demo left for weeks still shows its phase)."""
    with ctx.session() as s:
        access.require_ministry(s)
        phase = current_phase(s)
        if phase is not Phase.enrolled:  # its deadline is the moment the year was enrolled
            lay_out(s, layout(phase, utcnow()))
    open_reporting_period(ctx, today or dt.date.today())
    return phase


# --- rewinding ------------------------------------------------------------------------------------


def rewind_blocker(s: Session) -> Conflict | None:
    """Why the year cannot be rewound, if it cannot: a round's snapshot and a refund are
    records the database refuses to delete."""
    snapshots = select(AdmissionRound.id).where(
        AdmissionRound.year == DEMO_YEAR, AdmissionRound.snapshot_sha256.is_not(None)
    )
    if _count(s, snapshots):
        return Conflict(
            "Các đợt xét tuyển đã chốt dữ liệu không thể xóa; muốn quay lại giai đoạn trước, "
            "hãy tạo lại bản demo: hemis demo --reset",
            "A round's snapshot cannot be deleted; to go back to an earlier phase, start the "
            "demo over: hemis demo --reset",
            code="demo.rounds_immutable",
        )
    refunds = select(PaymentRefund.id).where(PaymentRefund.intent_id.in_(_intents()))
    if _count(s, refunds):
        return Conflict(
            "Đã có khoản hoàn tiền, không thể xóa; muốn quay lại giai đoạn trước, hãy tạo lại "
            "bản demo: hemis demo --reset",
            "A refund cannot be deleted; to go back to an earlier phase, start the demo over: "
            "hemis demo --reset",
            code="demo.refunds_immutable",
        )
    return None


def _intents() -> Select[Any]:
    invoices = select(Invoice.id).where(Invoice.year == DEMO_YEAR)
    return select(PaymentIntent.id).where(PaymentIntent.invoice_id.in_(invoices))


def rewind(s: Session, target: Phase) -> None:
    """Remove the year's records of the phases after `target` (audited as bulk deletions).
    The gateway's notifications stay: that ledger is append-only, and they keep the word the
    gateway sent about intents that no longer exist."""
    blocker = rewind_blocker(s)
    if blocker is not None:
        raise blocker
    removals: list[tuple[type[Any], Any]] = [
        (AdmissionRound, AdmissionRound.year == DEMO_YEAR),
        (PaymentIntent, PaymentIntent.id.in_(_intents())),
        (Invoice, Invoice.year == DEMO_YEAR),
    ]
    if phase_index(target) < phase_index(Phase.wishes):
        removals += [
            (Wish, Wish.year == DEMO_YEAR),
            (ConversionTable, ConversionTable.year == DEMO_YEAR),
            (ResultScore, ResultScore.year == DEMO_YEAR),
            (ResultBatch, ResultBatch.year == DEMO_YEAR),
        ]
    scope = get_scope(s)
    changes = []
    for model, where in removals:
        removed = s.execute(delete(model).where(where).execution_options(synchronize_session=False))
        rows = int(getattr(removed, "rowcount", 0) or 0)
        if rows:
            changes.append(
                Change(
                    actor=scope.actor,
                    institution_id=None,
                    action="bulk_delete",
                    entity=table_of(model).name,
                    entity_id=None,
                    before={"rows": rows, "year": DEMO_YEAR},
                    after={"reason": f"{ENTITY}: {target.value}"},
                )
            )
    append(s.connection(), changes)
    s.commit()
