"""Where the demo year stands: its phase, calendar and counts (the calendar page and the CLI)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hemis import access
from hemis.admissions.codes import RoundStatus
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    AdmissionYear,
    EnrolmentConfirmation,
    ExamRegistration,
    ResultScore,
    RoundCandidate,
    Wish,
)
from hemis.demo.rules import DEMO_YEAR, PHASES, Phase, phase_index
from hemis.demo.service import current_phase, has_demo_year, rewind_blocker
from hemis.payments.models import Invoice, PaymentIntent, PaymentWindow
from hemis.payments.rules import IntentStatus


@dataclass(frozen=True)
class Status:
    year: int
    phase: Phase
    calendar: AdmissionYear
    payment_opens_at: dt.datetime | None
    payment_closes_at: dt.datetime | None
    counts: dict[str, int]
    reachable: dict[Phase, bool] = field(default_factory=dict)  # phases a move can reach


def _count(s: Session, stmt: Select[Any]) -> int:
    return int(s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def status(s: Session) -> Status | None:
    """None when the database has no demo year."""
    access.require_ministry(s, write=False)
    if not has_demo_year(s):
        return None
    phase = current_phase(s)
    calendar = s.get(AdmissionYear, DEMO_YEAR)
    assert calendar is not None
    window = s.scalar(
        select(PaymentWindow)
        .where(PaymentWindow.year == DEMO_YEAR)
        .order_by(PaymentWindow.province_group)
    )
    final = select(AdmissionRound.id).where(
        AdmissionRound.year == DEMO_YEAR,
        AdmissionRound.is_final.is_(True),
        AdmissionRound.status == RoundStatus.published.value,
    )
    paid = select(PaymentIntent.invoice_id).where(PaymentIntent.status == IntentStatus.paid.value)
    counts = {
        "offers": _count(s, select(AdmissionOffer.id).where(AdmissionOffer.year == DEMO_YEAR)),
        "institutions": _count(
            s,
            select(AdmissionOffer.institution_id)
            .where(AdmissionOffer.year == DEMO_YEAR)
            .distinct(),
        ),
        "registrations": _count(
            s, select(ExamRegistration.id).where(ExamRegistration.year == DEMO_YEAR)
        ),
        "with_results": _count(
            s, select(ResultScore.person_id).where(ResultScore.year == DEMO_YEAR).distinct()
        ),
        "wishes": _count(s, select(Wish.id).where(Wish.year == DEMO_YEAR)),
        "invoices": _count(s, select(Invoice.id).where(Invoice.year == DEMO_YEAR)),
        "paid": _count(
            s, select(Invoice.id).where(Invoice.year == DEMO_YEAR, Invoice.id.in_(paid))
        ),
        "published_rounds": _count(
            s,
            select(AdmissionRound.id).where(
                AdmissionRound.year == DEMO_YEAR,
                AdmissionRound.status == RoundStatus.published.value,
            ),
        ),
        "admitted": _count(
            s,
            select(RoundCandidate.person_id).where(
                RoundCandidate.round_id.in_(final), RoundCandidate.offer_id.is_not(None)
            ),
        ),
        "confirmed": _count(
            s,
            select(EnrolmentConfirmation.id).where(EnrolmentConfirmation.year == DEMO_YEAR),
        ),
    }
    frozen = rewind_blocker(s) is not None
    reachable = {
        p: phase_index(p) >= phase_index(phase) or not frozen for p in PHASES if p is not phase
    }
    return Status(
        year=DEMO_YEAR,
        phase=phase,
        calendar=calendar,
        payment_opens_at=window.opens_at if window else None,
        payment_closes_at=window.closes_at if window else None,
        counts=counts,
        reachable=reachable,
    )
