"""The intent state machine and the fee rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hemis.payments import rules
from hemis.payments.rules import IntentStatus, IpnOutcome

statuses = st.sampled_from(list(IntentStatus))


@given(statuses, st.integers(1, 10**9), st.booleans())
def test_a_final_intent_never_changes_on_a_notification(
    status: IntentStatus, amount: int, paid: bool
) -> None:
    outcome, target = rules.settle_outcome(status, amount, amount, paid)
    if status in (IntentStatus.paid, IntentStatus.failed, IntentStatus.refunded) or (
        status is IntentStatus.expired and not paid
    ):
        assert (outcome, target) == (IpnOutcome.already_confirmed, None)
    else:
        assert outcome is IpnOutcome.ok
        assert target is (IntentStatus.paid if paid else IntentStatus.failed)


@given(statuses, st.integers(1, 10**9), st.integers(0, 10**9) | st.none(), st.booleans())
def test_a_wrong_amount_never_moves_an_intent(
    status: IntentStatus, expected: int, given_amount: int | None, paid: bool
) -> None:
    outcome, target = rules.settle_outcome(status, expected, given_amount, paid)
    if given_amount != expected:
        assert (outcome, target) == (IpnOutcome.wrong_amount, None)


def test_transitions_are_the_documented_ones() -> None:
    assert rules.can_move(IntentStatus.pending, IntentStatus.paid)
    assert rules.can_move(IntentStatus.paid, IntentStatus.refunded)
    assert rules.can_move(IntentStatus.expired, IntentStatus.paid)  # late settlement is kept
    assert not rules.can_move(IntentStatus.paid, IntentStatus.failed)
    assert not rules.can_move(IntentStatus.failed, IntentStatus.paid)
    assert not rules.can_move(IntentStatus.refunded, IntentStatus.paid)


def test_expired_then_cancelled_stays_expired() -> None:
    assert rules.settle_outcome(IntentStatus.expired, 100, 100, False) == (
        IpnOutcome.already_confirmed,
        None,
    )


@given(st.integers(0, 60), st.integers(0, 50_000), st.integers(0, 500_000), st.booleans())
def test_invoice_amount_is_wishes_times_fee_plus_exam_fee(
    wishes: int, wish_fee: int, exam_fee: int, registered: bool
) -> None:
    total = rules.invoice_amount(wishes, wish_fee, exam_fee, registered)
    assert total == wishes * wish_fee + (exam_fee if registered else 0)


def test_2025_fee_example() -> None:
    assert rules.invoice_amount(8, 15_000, 0, True) == 120_000


@given(st.integers(1, 99))
def test_every_province_falls_in_one_of_seven_groups(code: int) -> None:
    assert 1 <= rules.province_group(f"{code:02d}") <= 7


def test_body_hash_ignores_key_order() -> None:
    assert rules.body_hash({"a": 1, "b": 2}) == rules.body_hash({"b": 2, "a": 1})
    assert rules.body_hash({"a": 1}) != rules.body_hash({"a": 2})
