"""Wishes without a paid fee: by default they stay out of the round (the year's setting, from the
rule set); a year may let them in; the candidate sees which wishes are not yet paid, and a round's
explanation says why an unpaid wish was not considered."""

from __future__ import annotations

from sqlalchemy import select

from hemis.admissions import queries, round_verify, rounds
from hemis.admissions.models import RoundCandidate
from hemis.admissions.schemas import AdmissionYearUpdate, RoundCreate
from hemis.admissions.service import update_year
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.db.types import utcnow
from hemis.payments import service as payments
from hemis.payments.models import Invoice, PaymentIntent
from tests import factories
from tests.admissions import world
from tests.admissions.world import DAY, YEAR, Candidate

FEE = 15_000  # đồng per wish (2025)


def _scene(s: HemisSession, cipher: IdCipher) -> tuple[int, list[Candidate]]:
    """X has two seats; An (27) and Binh (24) wish for it; only Binh has paid."""
    world.calendar(s, wishes_open=False)
    payments.set_fees(s, YEAR, FEE)
    inst = factories.institution(s, "DHU")
    x = world.offer(s, world.program(s, inst, "X"), 2)
    an, binh = world.candidate(s, cipher, 1), world.candidate(s, cipher, 2)
    world.import_exam(
        s,
        {
            an.number: {"math": "9", "physics": "9", "chemistry": "9"},
            binh.number: {"math": "8", "physics": "8", "chemistry": "8"},
        },
    )
    world.wish(s, an, inst.id, x)
    world.wish(s, binh, inst.id, x)
    payments.issue_invoices(s, YEAR)
    invoice = s.scalars(select(Invoice).where(Invoice.person_id == binh.person_id)).one()
    s.add(  # scenery: the gateway's confirmed payment, as the IPN would have recorded it
        PaymentIntent(
            invoice_id=invoice.id,
            gateway="vnpay",
            txn_ref="T-UNPAID-1",
            amount=invoice.amount,
            status="paid",
            settled_at=utcnow(),
        )
    )
    s.flush()
    return x, [an, binh]


def _run(s: HemisSession) -> int:
    r = rounds.create_round(s, RoundCreate.model_validate({"year": YEAR}))
    rounds.take_snapshot(s, r.id, now=utcnow() + DAY)
    rounds.run_round(s, r.id)
    return rounds.publish_round(s, r.id).id


def test_unpaid_wishes_stay_out_of_the_round_by_default(s: HemisSession, cipher: IdCipher) -> None:
    # The year's rule (MOET's guidance: a wish whose fee is not paid is not considered): An's
    # 27 points do not count, Binh (paid) is admitted; An is told the fee was not paid.
    x, (an, binh) = _scene(s, cipher)
    wishes = queries.my_wishes(s, s, YEAR, an.person_id)
    assert [w.paid for w in wishes] == [False]
    assert [w.paid for w in queries.my_wishes(s, s, YEAR, binh.person_id)] == [True]
    r = _run(s)
    held = {c.person_id: s.get(RoundCandidate, (r, c.person_id)) for c in (an, binh)}
    assert held[binh.person_id] is not None
    assert held[binh.person_id].offer_id == x  # type: ignore[union-attr]
    assert held[an.person_id] is not None
    assert held[an.person_id].offer_id is None  # type: ignore[union-attr]
    mine = queries.my_results(s, s, YEAR, an.person_id)[0]
    assert [(w.outcome, w.flag) for w in mine.wishes] == [("unpaid", "unpaid")]
    assert round_verify.verify_round(s, r).identical


def test_the_year_may_let_unpaid_wishes_count(s: HemisSession, cipher: IdCipher) -> None:
    x, (an, binh) = _scene(s, cipher)
    update_year(s, YEAR, AdmissionYearUpdate(unpaid_wishes_count=True))
    r = _run(s)
    assert {
        c.person_id: s.get(RoundCandidate, (r, c.person_id)).offer_id  # type: ignore[union-attr]
        for c in (an, binh)
    } == {an.person_id: x, binh.person_id: x}
