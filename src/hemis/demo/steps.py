"""The demo year's steps from one phase to the next, each through the product's services and
each safe to run again (what is already there is kept):

- to wishes: the results files imported (exam, grade-12 transcripts, competency tests), the
  ministry's suggested conversion tables published by every institution, bonus tables,
  certificates and awards, direct admissions (demo/paths.py), the cohort's wishes;
- to rounds: the wish window closed, invoices issued, most of the cohort paid through the
  gateway's notification path (signed notifications, handled as the gateway's IPN is) — the
  payment window is still open, so some will pay later;
- to confirmation: the late payers and the demo candidate paid, the payment window closed, a
  final round snapshotted, run and published;
- to enrolled: the admitted demo candidate and most of the admitted cohort confirmed, the
  deadline passed, and the year's intake written.

Someone who signed up in the portal and registered there (any candidate account but the demo
candidate's) acts for themselves: the demo sets their exam (a good student's scores) as it does
everyone's, but never adds their wishes, pays their invoice or confirms their admission.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.admissions import results_import, rounds, service_offers, service_wishes
from hemis.admissions.codes import Method, OfferStatus, RoundKind, RoundStatus
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    EnrolmentConfirmation,
    ExamRegistration,
    ResultBatch,
    ResultScore,
    RoundCandidate,
    Wish,
)
from hemis.admissions.rules import from_h
from hemis.admissions.schemas import ConversionTableCreate, RoundCreate, WishCreate
from hemis.db.types import utcnow
from hemis.demo import paths
from hemis.demo.cohort import (
    Sitting,
    Stream,
    chosen,
    exam_subjects,
    plan_results,
    self_served_scores,
)
from hemis.demo.context import DemoContext
from hemis.demo.load import add_cohort_wishes
from hemis.demo.offers import OfferView, Scores, plan_wishes
from hemis.demo.rules import DEMO_CANDIDATE, DEMO_YEAR, Phase, layout
from hemis.demo.setup import lay_out
from hemis.errors import HemisError
from hemis.payments import ipn
from hemis.payments import service as payments
from hemis.payments.gateways import vnpay
from hemis.payments.gateways.client import vn_time
from hemis.payments.models import Invoice, PaymentIntent, PaymentWindow
from hemis.payments.rules import IntentStatus, IpnOutcome
from hemis.registry.service_people import find_person_by_national_id

# Of the cohort's invoices: paid by the time the rounds phase opens (its payment window is still
# open), and by the time it closes (the rest never pay).
PAID_EARLY_SHARE = 0.7
PAID_SHARE = 0.96
CONFIRMED_SHARE = 0.85  # of the admitted cohort, confirming before the deadline
SOURCE = "Dữ liệu mô phỏng năm tuyển sinh (hemis demo)"


def demo_person(ctx: DemoContext, s: Session) -> int | None:
    """The demo candidate's person (found by national ID, as every service finds a person)."""
    person = find_person_by_national_id(s, ctx.cipher, DEMO_CANDIDATE.national_id)
    return person.id if person is not None else None


def self_served(ctx: DemoContext, s: Session) -> set[int]:
    """The persons of candidate accounts other than the demo candidate's: people who signed up
    (national e-ID, a school's list) and walk the year in the portal themselves."""
    linked = select(User.person_id).where(
        User.role == Role.candidate.value, User.person_id.is_not(None)
    )
    return {p for p in s.scalars(linked) if p is not None} - {demo_person(ctx, s)}


# --- to wishes ------------------------------------------------------------------------------------


def to_wishes(ctx: DemoContext) -> None:
    with ctx.session() as s:
        lay_out(s, layout(Phase.wishes, utcnow()))
        batches = select(func.count()).select_from(ResultBatch)
        if not s.scalar(batches.where(ResultBatch.year == DEMO_YEAR)):
            _import_results(ctx, s)
        _publish_tables(s)
        paths.publish_bonus(s)
        holders = paths.record_achievements(s, demo_person(ctx, s), self_served(ctx, s))
        paths.admit_directly(s, holders)
        _add_wishes(ctx, s)


def _import_results(ctx: DemoContext, s: Session) -> None:
    sittings = [
        Sitting(
            row.person_id,
            row.candidate_number,
            exam_subjects(
                (row.elective1, row.elective2), row.foreign_language, row.technology_track
            ),
        )
        for row in s.scalars(
            select(ExamRegistration)
            .where(ExamRegistration.year == DEMO_YEAR)
            .order_by(ExamRegistration.candidate_number)
        )
    ]
    fixed: dict[str, dict[str, int]] = {}
    portal = self_served(ctx, s)
    for sitting in sittings:
        if sitting.person_id in portal:
            fixed[sitting.candidate_number] = self_served_scores(ctx.seed, sitting)
    person = demo_person(ctx, s)
    number = next((x.candidate_number for x in sittings if x.person_id == person), None)
    if number is not None:
        sat = next(x.subjects for x in sittings if x.person_id == person)
        # the demo candidate's own scores, for the subjects they sit today
        fixed[number] = {k: v for k, v in DEMO_CANDIDATE.exam_h if k in sat}
        fixed[number][Method.hsa.value] = DEMO_CANDIDATE.hsa_h
    files = plan_results(ctx.seed, sittings, fixed)
    imports = [(Method.exam, files.exam), (Method.transcript, files.transcript)]
    imports += sorted(files.tests.items())
    for method, content in imports:
        if content.count(b"\n") > 1:  # a header and at least one candidate
            results_import.import_results(s, DEMO_YEAR, method, content, SOURCE)


def _publish_tables(s: Session) -> None:
    """Every institution adopts the ministry's suggested table for each non-exam method its
    offers accept."""
    wanted: set[tuple[int, str]] = set()
    for offer in s.scalars(select(AdmissionOffer).where(AdmissionOffer.year == DEMO_YEAR)):
        wanted.update((offer.institution_id, m) for m in offer.methods if m != Method.exam.value)
    suggested: dict[str, tuple[tuple[int, int], ...] | None] = {}
    for institution_id, method in sorted(wanted):
        if method not in suggested:
            try:
                suggested[method] = service_offers.suggest_points(s, DEMO_YEAR, Method(method))
            except HemisError:
                suggested[method] = None  # nobody took this test: no table to publish
        points = suggested[method]
        if points is None:
            continue
        service_offers.publish_table(
            s,
            ConversionTableCreate(
                institution_id=institution_id,
                year=DEMO_YEAR,
                method=Method(method),
                points=[(from_h(x), from_h(y)) for x, y in points],
                note="Theo bảng gợi ý của Bộ GD&ĐT / the ministry's suggested table",
            ),
        )


def _add_wishes(ctx: DemoContext, s: Session) -> None:
    offers = [
        OfferView(
            o.institution_id,
            o.id,
            dict(o.combinations),
            tuple(o.methods),
            o.floor_h,
            o.quota,
            dict(o.weights or {}),
        )
        for o in s.scalars(
            select(AdmissionOffer)
            .where(
                AdmissionOffer.year == DEMO_YEAR, AdmissionOffer.status == OfferStatus.open.value
            )
            .order_by(AdmissionOffer.institution_id, AdmissionOffer.id)
        )
    ]
    exam: dict[int, dict[str, int]] = {}
    tests: dict[int, dict[str, int]] = {}
    for row in s.scalars(select(ResultScore).where(ResultScore.year == DEMO_YEAR)):
        if row.method == Method.exam.value:
            exam.setdefault(row.person_id, {})[row.subject] = row.score_h
        elif row.method != Method.transcript.value:
            tests.setdefault(row.person_id, {})[row.method] = row.score_h
    have = set(s.scalars(select(Wish.person_id).where(Wish.year == DEMO_YEAR).distinct()))
    have |= self_served(ctx, s)  # they choose their own
    person = demo_person(ctx, s)
    cohort = [Scores(p, scores, tests.get(p, {})) for p, scores in exam.items() if p not in have]
    if person is not None and person not in have:  # the candidate's own, one by one
        for institution_id, offer_id in _demo_wishes(offers):
            service_wishes.add_wish(
                s,
                s,
                DEMO_YEAR,
                person,
                WishCreate(institution_id=institution_id, offer_id=offer_id),
            )
    plans = plan_wishes(ctx.seed, [c for c in cohort if c.person_id != person], offers)
    add_cohort_wishes(s, DEMO_YEAR, plans)


def _demo_wishes(offers: list[OfferView]) -> list[tuple[int, int]]:
    """The demo candidate aims high first (the most selective offer they can be scored for),
    then a selective one, then a safe one."""
    own = {"A01", "D01", "C01"}
    fits = [o for o in offers if own & set(o.combinations) or Method.hsa.value in o.methods]
    if not fits:
        return []
    top = max(fits, key=lambda o: (o.floor_h, -o.quota, o.offer_id))
    rest = [o for o in fits if o is not top]
    middle = max(
        (o for o in rest if o.floor_h <= 2000), key=lambda o: (o.floor_h, o.quota), default=None
    )
    safe = max(
        (o for o in rest if o is not middle and o.floor_h <= 1650),
        key=lambda o: (o.quota, -o.floor_h),
        default=None,
    )
    picked = [o for o in (top, middle, safe) if o is not None]
    return [(o.institution_id, o.offer_id) for o in picked]


# --- to rounds ------------------------------------------------------------------------------------


def to_rounds(ctx: DemoContext) -> None:
    with ctx.session() as s:
        lay_out(s, layout(Phase.rounds, utcnow()))
        payments.issue_invoices(s, DEMO_YEAR)
        s.commit()
        person = demo_person(ctx, s)
        portal = self_served(ctx, s)  # they pay for themselves, or not at all
        invoices = {
            row.id: row.person_id
            for row in s.scalars(select(Invoice).where(Invoice.year == DEMO_YEAR))
            if row.person_id not in portal
        }
    # the demo candidate's own invoice stays open: paying it is the candidate's journey
    cohort = [i for i, p in invoices.items() if p != person]
    paying = chosen(ctx.seed, Stream.payments, cohort, PAID_SHARE)
    pay_invoices(ctx, sorted(chosen(ctx.seed, Stream.early, sorted(paying), PAID_EARLY_SHARE)))


def pay_invoices(ctx: DemoContext, invoice_ids: list[int], one_by_one: bool = False) -> int:
    """Pay invoices as candidates at the gateway would: a payment intent per invoice (the
    service that sends a candidate to the gateway), then the gateway's signed success
    notification, its signature checked by the gateway adapter. `one_by_one`: each notification
    goes through the IPN handler in its own transaction, as the gateway's call does; otherwise
    the handler's settlement (the same state transition, on the locked intent) runs for all in
    one transaction — the cohort's thousands. Returns how many were paid."""
    gateway = payments.gateway_from_settings(ctx.settings)
    started: list[tuple[str, int]] = []
    with ctx.session() as s:
        # loaded once, so the service finds each invoice and window without asking again
        wanted = set(invoice_ids)
        loaded = {i.id for i in s.scalars(select(Invoice).where(Invoice.year == DEMO_YEAR))}
        list(s.scalars(select(PaymentWindow).where(PaymentWindow.year == DEMO_YEAR)))
        paid = set(
            s.scalars(
                select(PaymentIntent.invoice_id).where(
                    PaymentIntent.status == IntentStatus.paid.value
                )
            )
        )
        for invoice_id in sorted((wanted & loaded) - paid):
            intent = payments.start_payment(
                s, ctx.settings, gateway, invoice_id, person_id=None, ip_addr="127.0.0.1"
            ).intent
            started.append((intent.txn_ref, intent.amount))
        s.commit()
    notices = [_notification(ctx, txn_ref, amount) for txn_ref, amount in started]
    if one_by_one:
        for params in notices:
            _check(ipn.handle(ctx.engine, gateway, params))
        return len(notices)
    now = utcnow()
    with ctx.engine.begin() as conn:
        for params in notices:
            result = gateway.read_notification(params)
            if result is None:
                raise _refused(IpnOutcome.bad_checksum)
            intent = ipn.lock_intent(conn, gateway.name, result.txn_ref)
            if intent is None:
                raise _refused(IpnOutcome.order_not_found)
            _check(ipn.settle(conn, intent, result, "ipn", now))
    return len(notices)


def _notification(ctx: DemoContext, txn_ref: str, amount: int) -> dict[str, str]:
    """A success notification as the sandbox gateway signs it."""
    return vnpay.signed(
        {
            "vnp_TmnCode": ctx.settings.vnpay_tmn_code,
            "vnp_Amount": vnpay.to_vnp_amount(amount),
            "vnp_BankCode": "NCB",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": f"Le phi xet tuyen {DEMO_YEAR}",
            "vnp_PayDate": vn_time(utcnow()),
            "vnp_ResponseCode": vnpay.ResponseCode.success.value,
            "vnp_TransactionNo": f"{70_000_000 + int(txn_ref)}",
            "vnp_TransactionStatus": vnpay.ResponseCode.success.value,
            "vnp_TxnRef": txn_ref,
        },
        ctx.settings.vnpay_secret,
    )


def _refused(outcome: IpnOutcome) -> HemisError:
    return HemisError(
        f"Thanh toán mô phỏng bị từ chối (mã {outcome.value}).",
        f"A simulated payment was refused (code {outcome.value}).",
        code="demo.payment",
        status=500,
    )


def _check(outcome: IpnOutcome) -> None:
    if outcome is not IpnOutcome.ok:
        raise _refused(outcome)


# --- to confirmation ------------------------------------------------------------------------------


def to_confirmation(ctx: DemoContext) -> None:
    with ctx.session() as s:
        # the rest of the payers, and the candidate, pay inside the window, before the round
        lay_out(s, layout(Phase.rounds, utcnow()))
        person = demo_person(ctx, s)
        portal = self_served(ctx, s)  # they pay for themselves, or not at all
        invoices = {
            row.id: row.person_id
            for row in s.scalars(select(Invoice).where(Invoice.year == DEMO_YEAR))
            if row.person_id not in portal
        }
    cohort = [i for i, p in invoices.items() if p != person]
    pay_invoices(ctx, sorted(chosen(ctx.seed, Stream.payments, cohort, PAID_SHARE)))
    pay_invoices(ctx, [i for i, p in invoices.items() if p == person], one_by_one=True)
    with ctx.session() as s:
        lay_out(s, layout(Phase.confirmation, utcnow()))
        publish_final_round(s)


def publish_final_round(s: Session) -> AdmissionRound:
    """Finish any round in progress, then make sure a final round is published."""
    for round_ in _rounds(s):
        _finish(s, round_)
    final = rounds.final_round(s, DEMO_YEAR)
    if final is None:
        final = _finish(s, rounds.create_round(s, RoundCreate(year=DEMO_YEAR, is_final=True)))
    return final


def _rounds(s: Session) -> list[AdmissionRound]:
    return list(
        s.scalars(
            select(AdmissionRound)
            .where(AdmissionRound.year == DEMO_YEAR)
            .order_by(AdmissionRound.number)
        )
    )


def _finish(s: Session, round_: AdmissionRound) -> AdmissionRound:
    steps: dict[str, Callable[[Session, int], AdmissionRound]] = {
        RoundStatus.draft.value: rounds.take_snapshot,
        RoundStatus.snapshotted.value: rounds.run_round,
        RoundStatus.run.value: rounds.publish_round,
    }
    if round_.kind != RoundKind.regular.value:
        return round_
    while round_.status in steps:
        round_ = steps[round_.status](s, round_.id)
    return round_


# --- to enrolled ----------------------------------------------------------------------------------


def to_enrolled(ctx: DemoContext) -> None:
    with ctx.session() as s:
        lay_out(s, layout(Phase.confirmation, utcnow()))  # confirmations come before the deadline
        final = rounds.final_round(s, DEMO_YEAR)
        if final is None:
            final = publish_final_round(s)
        admitted = list(
            s.scalars(
                select(RoundCandidate.person_id).where(
                    RoundCandidate.round_id == final.id, RoundCandidate.offer_id.is_not(None)
                )
            )
        )
        done = set(
            s.scalars(
                select(EnrolmentConfirmation.person_id).where(
                    EnrolmentConfirmation.year == DEMO_YEAR
                )
            )
        )
        person = demo_person(ctx, s)
        portal = self_served(ctx, s)  # they confirm for themselves, or not at all
        picks = chosen(ctx.seed, Stream.confirmations, admitted, CONFIRMED_SHARE) - portal
        if person is not None and person in admitted:
            picks.add(person)
        for person_id in sorted(picks - done):
            rounds.confirm_enrolment(s, DEMO_YEAR, person_id)
        lay_out(s, layout(Phase.enrolled, utcnow()))
    write_intake(ctx)


def write_intake(ctx: DemoContext) -> None:
    """The demo's one call site of the year's intake, once the deadline has passed: the
    candidates who confirmed become learners of the institutions that admitted them, through
    admissions' intake service (its own transactions, on `ctx.engine`)."""
    from hemis.admissions.intake import write_intake as intake

    intake(ctx.engine, ctx.cipher, DEMO_YEAR, actor=ctx.scope.actor)


STEPS: dict[Phase, Callable[[DemoContext], None]] = {
    Phase.wishes: to_wishes,
    Phase.rounds: to_rounds,
    Phase.confirmation: to_confirmation,
    Phase.enrolled: to_enrolled,
}
