"""The what-if and the published score distributions: small-cell suppression (hand cases and
properties), chance bands and the wish held today (hand cases and properties), and through a
real round: distributions published and verified, the candidate's what-if, a tried order saved
only on request."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from hemis.admissions import queries_whatif, round_verify, rounds, service_wishes
from hemis.admissions.models import RoundDistribution, Wish
from hemis.admissions.schemas import RoundCreate
from hemis.admissions.whatif import (
    MIN_CELL,
    Bin,
    Reference,
    chance_band,
    held_today,
    margin_h,
    suppress,
)
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.db.types import utcnow
from tests import factories
from tests.admissions import world
from tests.admissions.world import DAY, YEAR, Candidate

# --- suppression -----------------------------------------------------------------------------


def test_small_cells_are_hidden_with_a_second_cell_when_the_total_would_tell() -> None:
    assert suppress([0, 7, 3, 12]) == [0, None, None, 12]  # 3 hidden; 7 (smallest other) too
    assert suppress([2, 4, 9]) == [None, None, 9]  # two hidden already: enough
    assert suppress([6, 0, 8]) == [6, 0, 8]
    assert suppress([0, 0, 0]) == [0, 0, 0]


@given(st.lists(st.integers(0, 30), min_size=1, max_size=20))
def test_no_published_cell_singles_out_fewer_than_five(counts: list[int]) -> None:
    shown = suppress(counts)
    for original, cell in zip(counts, shown, strict=True):
        assert cell is None or cell == original
        assert cell is None or cell == 0 or cell >= MIN_CELL
    hidden = [c for c, s in zip(counts, shown, strict=True) if s is None]
    # one hidden cell alone could be read off the published total, unless it is the only one
    assert len(hidden) != 1 or sum(1 for c in counts if c) == 1


# --- chance bands and the wish held today ----------------------------------------------------

DIST = (Bin(2300, 12, 6), Bin(2400, 20, 18), Bin(2500, 9, 9))  # 33 admitted from 23.50 up


def test_the_margin_comes_from_the_published_distribution() -> None:
    # Cutoff 23.50: the lowest quarter of the 33 admitted (8.25) is reached in [24, 25) (6, then
    # 6 + 18), so the margin runs to 25.00: 1.50. Without a distribution it is 0.50, scaled on
    # 40: 0.67.
    ref = Reference(2350, True, DIST)
    assert margin_h(ref) == 150
    assert chance_band(2500, ref) == "high"
    assert chance_band(2499, ref) == "medium"
    assert chance_band(2350, ref) == "medium"
    assert chance_band(2200, ref) == "low"
    assert chance_band(2199, ref) == "very_low"
    assert margin_h(Reference(2350, True)) == 50
    assert margin_h(Reference(2350, True, (), 4000)) == 67
    assert chance_band(None, ref) == "unknown"
    assert chance_band(1500, Reference(None, False)) == "high"  # seats were left


@given(st.integers(0, 3000), st.integers(0, 3000), st.integers(1500, 2900))
def test_a_higher_score_never_has_a_lower_band(a: int, b: int, cutoff: int) -> None:
    order = ["very_low", "low", "medium", "high"]
    ref = Reference(cutoff, True, DIST)
    low, high = sorted((a, b))
    assert order.index(chance_band(low, ref)) <= order.index(chance_band(high, ref))


def test_the_wish_held_today_is_the_first_cutoff_reached() -> None:
    refs = [Reference(2600, True), Reference(2300, True), Reference(None, False)]
    assert held_today([2500, 2450, 1800], refs) == 1
    assert held_today([2500, 2200, 1800], refs) == 2  # seats left at the third
    assert held_today([2700, 2200, None], refs) == 0
    assert held_today([2500, 2200, None], refs) is None


# --- through a round -------------------------------------------------------------------------


def _published(s: HemisSession, cipher: IdCipher) -> tuple[int, int, int, list[Candidate]]:
    """X (2 seats) and Y (5 seats); eight candidates wish for X then Y, one round published;
    then An (22.5) is the one who tries her order."""
    world.calendar(s)
    inst = factories.institution(s, "DHW")
    x = world.offer(s, world.program(s, inst, "X"), 2)
    y = world.offer(s, world.program(s, inst, "Y"), 5)
    people = [world.candidate(s, cipher, i) for i in range(1, 9)]
    marks = ["9", "8.5", "8", "7.5", "7.5", "7", "7", "6.5"]
    world.import_exam(
        s,
        {
            c.number: {"math": m, "physics": m, "chemistry": m}
            for c, m in zip(people, marks, strict=True)
        },
    )
    for c in people:
        world.wish(s, c, inst.id, x)
        world.wish(s, c, inst.id, y)
    r = rounds.create_round(s, RoundCreate.model_validate({"year": YEAR}))
    rounds.take_snapshot(s, r.id, now=utcnow() + 2 * DAY)
    rounds.run_round(s, r.id)
    rounds.publish_round(s, r.id)
    return r.id, x, y, people


def test_distributions_are_published_with_the_round_and_verified(
    s: HemisSession, cipher: IdCipher
) -> None:
    r, x, y, _ = _published(s, cipher)
    inst = s.scalars(select(RoundDistribution.institution_id)).first()
    z = x + y  # no such program in the round
    rows = {
        d.offer_id: d.bins
        for d in s.scalars(select(RoundDistribution).where(RoundDistribution.round_id == r))
    }
    # X: 8 applicants from 19.50 to 27.00, 2 admitted (27, 25.5): every cell under 5 is hidden
    assert set(rows) == {x, y}
    assert all(a is None or a == 0 or a >= 5 for _, a, _ in rows[x])
    assert round_verify.verify_round(s, r).identical
    # published rows are never updated (PostgreSQL grants the application no UPDATE); a row
    # slipped in for a program that had no applicants is found
    s.add(RoundDistribution(round_id=r, institution_id=inst, offer_id=z, bucket="", bins=[]))
    s.flush()
    check = round_verify.verify_round(s, r)
    assert not check.identical


def test_the_what_if_tries_an_order_and_saves_it_only_on_request(
    s: HemisSession, cipher: IdCipher
) -> None:
    _, x, y, people = _published(s, cipher)
    an = people[3]  # 22.50: below X's cutoff (25.50), above Y's (19.50 … admitted down to it)
    shown = queries_whatif.what_if(s, s, YEAR, an.person_id)
    assert [r.offer.offer.id for r in shown.rows] == [x, y]
    assert shown.rows[0].band in ("very_low", "low")
    assert shown.held is not None
    assert shown.held.offer.offer.id == y
    assert not shown.proposed
    wishes = [w.id for w in service_wishes.list_wishes(s, YEAR, an.person_id)]
    tried = queries_whatif.what_if(s, s, YEAR, an.person_id, list(reversed(wishes)))
    assert tried.proposed
    assert [r.offer.offer.id for r in tried.rows] == [y, x]
    assert tried.held is not None
    assert tried.held.offer.offer.id == y
    # nothing saved: the stored ranks are as they were
    ranks = dict(s.execute(select(Wish.id, Wish.rank).where(Wish.person_id == an.person_id)).all())
    assert [ranks[w] for w in wishes] == [1, 2]
    service_wishes.reorder_wishes(s, s, YEAR, an.person_id, list(reversed(wishes)))
    assert not queries_whatif.what_if(s, s, YEAR, an.person_id, list(reversed(wishes))).proposed
