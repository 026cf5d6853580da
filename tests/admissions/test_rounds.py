"""Rounds over immutable, hashed snapshots: reproducible from the snapshot alone, quotas changed
between rounds, confirmation before the deadline and the unconfirmed seats released to a
supplementary round; what a candidate is told about the outcome."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from hemis.admissions import (
    queries,
    queries_public,
    round_verify,
    rounds,
    service,
    service_offers,
)
from hemis.admissions.eligibility import VN_TZ as VN
from hemis.admissions.eligibility import local_deadline, risk_hint
from hemis.admissions.models import AdmissionRound, RoundCandidate, RoundSnapshot
from hemis.admissions.schemas import (
    AdmissionYearCreate,
    AdmissionYearUpdate,
    OfferUpdate,
    RoundCreate,
)
from hemis.admissions.service import get_year, update_year
from hemis.admissions.snapshot import pack, to_problem, unpack
from hemis.admissions.snapshot_build import build_snapshot
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.db.tenancy import Scope, set_scope
from hemis.db.types import utcnow
from hemis.errors import Conflict, Forbidden
from hemis.matching import solve
from hemis.registry.models import Program
from tests import factories
from tests.admissions import world
from tests.admissions.world import DAY, HOUR, YEAR, Candidate


@dataclass
class Scene:
    inst: int
    x: int  # quota 1
    y: int  # quota 2
    c: list[Candidate]


AFTER_WISHES = 2 * DAY
AFTER_DEADLINE = 11 * DAY


def scene(s: HemisSession, cipher: IdCipher) -> Scene:
    """Four candidates (27, 24, 21, 18 points on A00); X (1 seat) then Y (2 seats)."""
    world.calendar(s)
    inst = factories.institution(s, "DHX")
    x = world.offer(s, world.program(s, inst, "X"), 1, tiebreaks=["math"])
    y = world.offer(s, world.program(s, inst, "Y"), 2)
    cs = [world.candidate(s, cipher, i) for i in range(1, 5)]
    world.import_exam(
        s,
        {
            c.number: {"math": str(p), "physics": str(p), "chemistry": str(p)}
            for c, p in zip(cs, (9, 8, 7, 6), strict=True)
        },
    )
    for c in cs[:3]:
        world.wish(s, c, inst.id, x)
    for c in cs:
        world.wish(s, c, inst.id, y)
    return Scene(inst.id, x, y, cs)


def run(s: HemisSession, **kw: object) -> AdmissionRound:
    now = utcnow() + kw.pop("after", AFTER_WISHES)  # type: ignore[operator]
    r = rounds.create_round(s, RoundCreate.model_validate({"year": YEAR, **kw}))
    rounds.take_snapshot(s, r.id, now=now)
    rounds.run_round(s, r.id)
    return rounds.publish_round(s, r.id)


def assigned(s: HemisSession, r: AdmissionRound, sc: Scene) -> list[int | None]:
    out = []
    for c in sc.c:
        row = s.get(RoundCandidate, (r.id, c.person_id))
        out.append(None if row is None else row.offer_id)
    return out


def test_a_round_is_reproducible_from_its_snapshot(s: HemisSession, cipher: IdCipher) -> None:
    sc = scene(s, cipher)
    r = run(s)
    assert assigned(s, r, sc) == [sc.x, sc.y, sc.y, None]
    assert r.stats["candidates"] == 4
    assert r.stats["wishes"] == 7
    assert r.stats["admitted"] == 3
    # the stored snapshot alone gives the same matching again
    stored = s.get(RoundSnapshot, r.id)
    assert stored is not None
    assert stored.sha256 == r.snapshot_sha256
    snap = unpack(stored.payload, r.snapshot_sha256)
    first, again = (solve(to_problem(snap).problem, "group") for _ in range(2))
    assert np.array_equal(first.assigned_wish, again.assigned_wish)
    assert round_verify.verify_round(s, r.id).identical
    # the same data gives the same bytes and hash (canonical form), on either database
    assert build_snapshot(s, r).sha256 == r.snapshot_sha256
    assert pack(snap) == stored.payload
    # and the database refuses to change a snapshot
    with pytest.raises(DBAPIError):
        s.execute(text("UPDATE round_snapshot SET sha256 = 'x'"))
    s.rollback()


def test_the_candidate_sees_each_higher_wish_with_its_cutoff(
    s: HemisSession, cipher: IdCipher
) -> None:
    sc = scene(s, cipher)
    run(s)
    third = queries.my_results(s, s, YEAR, sc.c[2].person_id)[0]
    assert [(w.rank, w.outcome, w.score_h, w.cutoff_h) for w in third.wishes] == [
        (1, "below_cutoff", 2100, 2700),
        (2, "admitted", 2100, 2100),
    ]
    last = queries.my_results(s, s, YEAR, sc.c[3].person_id)[0]
    assert last.admitted is None
    assert [(w.outcome, w.cutoff_h) for w in last.wishes] == [("below_cutoff", 2100)]


def test_quotas_change_between_rounds_never_during_one(s: HemisSession, cipher: IdCipher) -> None:
    sc = scene(s, cipher)
    run(s)
    officer = Scope("user:officer", sc.inst, True, "institution_officer")
    r2 = rounds.create_round(s, RoundCreate(year=YEAR))
    rounds.take_snapshot(s, r2.id, now=utcnow() + AFTER_WISHES)
    set_scope(s, officer)
    with pytest.raises(Conflict) as busy:
        service_offers.update_offer(s, sc.y, OfferUpdate(quota=3))
    assert busy.value.code == "round_in_progress"
    set_scope(s, world.system())
    rounds.run_round(s, r2.id)
    rounds.publish_round(s, r2.id)
    set_scope(s, officer)
    service_offers.update_offer(s, sc.y, OfferUpdate(quota=3))
    set_scope(s, world.system())
    r3 = run(s)
    assert r3.stats["seats"] == 4
    assert assigned(s, r3, sc) == [sc.x, sc.y, sc.y, sc.y]


def test_confirmation_before_the_deadline_and_the_unconfirmed_seats_go_to_a_supplementary_round(
    s: HemisSession, cipher: IdCipher
) -> None:
    sc = scene(s, cipher)
    deadline = local_deadline(utcnow().date() + dt.timedelta(days=10))  # 17:00 in Vietnam
    update_year(s, YEAR, AdmissionYearUpdate(confirm_deadline_at=deadline))
    stored = get_year(s, YEAR).confirm_deadline_at
    assert stored is not None
    assert stored.utcoffset() == dt.timedelta(0)
    assert stored.hour == 10
    final = run(s, is_final=True)
    assert assigned(s, final, sc) == [sc.x, sc.y, sc.y, None]
    rounds.confirm_enrolment(s, YEAR, sc.c[0].person_id)
    rounds.confirm_enrolment(s, YEAR, sc.c[1].person_id)
    with pytest.raises(Conflict):
        rounds.confirm_enrolment(s, YEAR, sc.c[3].person_id)  # not admitted
    with pytest.raises(Forbidden) as late:
        rounds.confirm_enrolment(s, YEAR, sc.c[2].person_id, now=deadline)
    assert late.value.code == "deadline_passed"
    with pytest.raises(Conflict):  # seats are released only after the deadline
        rounds.take_snapshot(
            s, rounds.create_round(s, RoundCreate(year=YEAR, kind="supplementary")).id
        )
    supplementary = s.scalars(
        select(AdmissionRound).where(AdmissionRound.kind == "supplementary")
    ).one()
    rounds.take_snapshot(s, supplementary.id, now=deadline + dt.timedelta(minutes=1))
    rounds.run_round(s, supplementary.id)
    rounds.publish_round(s, supplementary.id)
    # Y had 2 seats, 1 confirmed: 1 released; X's seat was confirmed. The third candidate did not
    # confirm Y (declined) and keeps only X, which is full; the fourth gets the released seat.
    assert supplementary.stats["seats"] == 1
    assert assigned(s, supplementary, sc) == [None, None, None, sc.y]


def test_method_quotas_split_an_offer_into_buckets(s: HemisSession, cipher: IdCipher) -> None:
    """HSA has 1 of Z's 2 seats: a wish competes in the bucket of its best method."""
    world.calendar(s)
    inst = factories.institution(s, "DHZ")
    z = world.offer(
        s, world.program(s, inst, "Z"), 2, methods=["exam", "hsa"], method_quotas={"hsa": 1}
    )
    world.table(s, inst.id, "hsa", [("0", "0"), ("150", "30")])
    cs = [world.candidate(s, cipher, i) for i in range(1, 5)]
    exam = {"math": "8", "physics": "8", "chemistry": "8"}
    world.import_exam(s, {cs[0].number: exam, cs[1].number: exam | {"math": "7"}})
    world.import_tests(s, "hsa", {cs[2].number: "140", cs[3].number: "130"})  # 28, 26
    for c in cs:
        world.wish(s, c, inst.id, z)
    r = run(s)
    results = {
        (row.bucket, row.quota, row.admitted, row.cutoff_h)
        for row, _ in queries_public.offer_results(s, r.id)
    }
    assert results == {("", 1, 1, 2400), ("hsa", 1, 1, 2800)}
    assert [o is not None for o in assigned(s, r, Scene(inst.id, z, z, cs))] == [
        True,
        False,
        True,
        False,
    ]


def test_next_year_shows_last_years_cutoff_and_a_risk_hint(
    s: HemisSession, cipher: IdCipher
) -> None:
    sc = scene(s, cipher)
    run(s, is_final=True)
    service.create_year(s, AdmissionYearCreate(year=YEAR + 1))
    program = s.scalars(select(Program).where(Program.code == "Y")).one()
    world.offer(s, program, 5, year=YEAR + 1)
    cutoffs = queries_public.last_cutoffs(s, YEAR + 1, [(sc.inst, "Y"), (sc.inst, "Z")])
    assert cutoffs == {(sc.inst, "Y"): 2100}
    assert [risk_hint(h, 2100) for h in (2250, 2100, 1950, None)] == [
        "safe",
        "close",
        "risky",
        "unknown",
    ]


def test_a_supplementary_rounds_admissions_are_confirmed_by_its_own_deadline(
    s: HemisSession, cipher: IdCipher
) -> None:
    sc = scene(s, cipher)
    year_deadline = get_year(s, YEAR).confirm_deadline_at
    assert year_deadline is not None
    run(s, is_final=True)
    rounds.confirm_enrolment(s, YEAR, sc.c[0].person_id)
    rounds.confirm_enrolment(s, YEAR, sc.c[1].person_id)
    own_deadline = year_deadline + 7 * DAY
    body = RoundCreate(year=YEAR, kind="supplementary", confirm_deadline_at=own_deadline)
    supplementary = rounds.create_round(s, body)
    rounds.take_snapshot(s, supplementary.id, now=year_deadline + dt.timedelta(minutes=1))
    rounds.run_round(s, supplementary.id)
    rounds.publish_round(s, supplementary.id)
    assert assigned(s, supplementary, sc) == [None, None, None, sc.y]
    # the third candidate's seat of the final round lapsed with the year's deadline
    with pytest.raises(Conflict) as lapsed:
        rounds.confirm_enrolment(s, YEAR, sc.c[2].person_id, now=year_deadline + DAY)
    assert lapsed.value.code == "not_admitted"
    with pytest.raises(Forbidden):
        rounds.confirm_enrolment(s, YEAR, sc.c[3].person_id, now=own_deadline)
    row = rounds.confirm_enrolment(s, YEAR, sc.c[3].person_id, now=year_deadline + DAY)
    assert (row.round_id, row.institution_id, row.offer_id) == (supplementary.id, sc.inst, sc.y)


def test_a_second_supplementary_round_waits_for_the_first_ones_deadline(
    s: HemisSession, cipher: IdCipher
) -> None:
    sc = scene(s, cipher)
    year_deadline = get_year(s, YEAR).confirm_deadline_at
    assert year_deadline is not None
    run(s, is_final=True)
    rounds.confirm_enrolment(s, YEAR, sc.c[0].person_id)
    rounds.confirm_enrolment(s, YEAR, sc.c[1].person_id)
    first = rounds.create_round(s, RoundCreate(year=YEAR, kind="supplementary"))
    rounds.take_snapshot(s, first.id, now=year_deadline + dt.timedelta(minutes=1))
    rounds.run_round(s, first.id)
    published = rounds.publish_round(s, first.id, now=year_deadline + HOUR)
    # without a deadline of its own: 17:00 in Vietnam, a week after publication
    week = (year_deadline + HOUR).astimezone(VN).date() + dt.timedelta(days=7)
    assert published.confirm_deadline_at == local_deadline(week)
    # the fourth candidate does not confirm the seat of the first supplementary round
    second = rounds.create_round(s, RoundCreate(year=YEAR, kind="supplementary"))
    with pytest.raises(Conflict) as early:
        rounds.take_snapshot(s, second.id, now=year_deadline + DAY)
    assert early.value.code == "window_open"
    rounds.take_snapshot(s, second.id, now=published.confirm_deadline_at)
    rounds.run_round(s, second.id)
    # Y's seat is free again, but the only candidate who wanted it declined it
    assert second.stats["seats"] == 1
    assert assigned(s, second, sc) == [None, None, None, None]


def test_a_candidate_admitted_in_a_supplementary_round_can_confirm(
    s: HemisSession, cipher: IdCipher
) -> None:
    sc = scene(s, cipher)
    year_deadline = get_year(s, YEAR).confirm_deadline_at
    assert year_deadline is not None
    run(s, is_final=True)
    rounds.confirm_enrolment(s, YEAR, sc.c[0].person_id)
    rounds.confirm_enrolment(s, YEAR, sc.c[1].person_id)
    supplementary = rounds.create_round(s, RoundCreate(year=YEAR, kind="supplementary"))
    rounds.take_snapshot(s, supplementary.id, now=year_deadline + dt.timedelta(minutes=1))
    rounds.run_round(s, supplementary.id)
    rounds.publish_round(s, supplementary.id)
    assert assigned(s, supplementary, sc) == [None, None, None, sc.y]
    row = rounds.confirm_enrolment(s, YEAR, sc.c[3].person_id)
    assert (row.round_id, row.offer_id) == (supplementary.id, sc.y)


def test_the_snapshot_keeps_category_points_after_the_area_points_expire(
    s: HemisSession, cipher: IdCipher
) -> None:
    # Circular 08/2022 as amended, Art. 7(1)–(2): a UT1 + KV1 candidate who graduated in 2023
    # keeps UT1's 2 points in 2025 (KV1's 0.75 expired): 20.00 → 22.00 in the round's snapshot,
    # as on the candidate's own score page.
    world.calendar(s)
    inst = factories.institution(s, "DHO")
    offer = world.offer(s, world.program(s, inst, "O"), 5)
    old = world.candidate(s, cipher, 1, area="KV1", category="01", graduation_year=2023)
    ut2 = world.candidate(s, cipher, 2, category="06", graduation_year=2022)
    world.import_exam(
        s,
        {
            old.number: {"math": "7", "physics": "7", "chemistry": "6"},
            ut2.number: {"math": "8", "physics": "8", "chemistry": "7.5"},
        },
    )
    world.wish(s, old, inst.id, offer)
    world.wish(s, ut2, inst.id, offer)
    r = rounds.create_round(s, RoundCreate.model_validate({"year": YEAR}))
    snap = build_snapshot(s, r)
    by_person = dict(zip(snap["person"].tolist(), snap["wish_score"].tolist(), strict=True))
    assert by_person == {old.person_id: 2200, ut2.person_id: 2437}
    row = s.get(service_offers.AdmissionOffer, (inst.id, offer))
    assert row is not None
    shown = queries.explain_for_offer(s, s, YEAR, old.person_id, row)
    assert shown.score is not None
    assert shown.score == 22


def _tied_scene(
    s: HemisSession, cipher: IdCipher, tiebreaks: list[str]
) -> tuple[int, int, list[Candidate]]:
    """One seat at T (tie-breaks as given); An puts T first, Binh second after a closed-off
    program F (no seats). Both score 24.00 on A00 at T; An's Math is lower."""
    world.calendar(s)
    inst = factories.institution(s, "DHT")
    t = world.offer(s, world.program(s, inst, "T"), 1, tiebreaks=tiebreaks)
    f = world.offer(s, world.program(s, inst, "F"), 0)
    an = world.candidate(s, cipher, 1)
    binh = world.candidate(s, cipher, 2)
    world.import_exam(
        s,
        {
            an.number: {"math": "7.5", "physics": "8.5", "chemistry": "8"},
            binh.number: {"math": "8.5", "physics": "7.5", "chemistry": "8"},
        },
    )
    world.wish(s, an, inst.id, t)
    world.wish(s, binh, inst.id, f)
    world.wish(s, binh, inst.id, t)
    return inst.id, t, [an, binh]


def _shown(s: HemisSession, c: Candidate) -> list[tuple[int, str, str | None]]:
    outcome = queries.my_results(s, s, YEAR, c.person_id)[0]
    return [(w.rank, w.outcome, w.decided_by) for w in outcome.wishes]


def test_only_the_chosen_criteria_break_ties_and_the_candidate_is_told_which(
    s: HemisSession, cipher: IdCipher
) -> None:
    # Circular 08/2022 as amended, Art. 20(3): candidates compare by score regardless of wish
    # order; the institution chooses its secondary criteria. T chose Math: 24.00 each, Binh's
    # Math 8.5 beats An's 7.5 although An ranked T higher; An is told Math decided.
    _, t, (an, binh) = _tied_scene(s, cipher, ["math"])
    r = run(s)
    assert s.get(RoundCandidate, (r.id, binh.person_id)).offer_id == t  # type: ignore[union-attr]
    assert _shown(s, an) == [(1, "tie_lost", "math")]
    assert round_verify.verify_round(s, r.id).identical


def test_wish_order_breaks_a_tie_only_where_the_offer_chose_it(
    s: HemisSession, cipher: IdCipher
) -> None:
    # T chose the wish order: An (T as wish 1) beats Binh (T as wish 2); Binh is told so.
    _, t, (an, binh) = _tied_scene(s, cipher, ["wish_rank"])
    r = run(s)
    assert s.get(RoundCandidate, (r.id, an.person_id)).offer_id == t  # type: ignore[union-attr]
    assert _shown(s, binh) == [(1, "no_seats", None), (2, "tie_lost", "wish_rank")]


def test_without_criteria_a_tie_stays_a_tie(s: HemisSession, cipher: IdCipher) -> None:
    # No criterion chosen: under `group` the wish order does not separate An and Binh, both are
    # admitted on the one seat (reported over quota); under `strict` the candidate order
    # decides and the one refused is told it was that order, not a criterion.
    _, t, (an, binh) = _tied_scene(s, cipher, [])
    r = run(s)
    assert {s.get(RoundCandidate, (r.id, c.person_id)).offer_id for c in (an, binh)} == {t}  # type: ignore[union-attr]
    assert r.stats["over_quota"] == 1
    strict = run(s, tie_policy="strict")
    held = [s.get(RoundCandidate, (strict.id, c.person_id)) for c in (an, binh)]
    assert sorted(h.offer_id is not None for h in held if h is not None) == [False, True]
    loser = an if held[0] is not None and held[0].offer_id is None else binh
    assert _shown(s, loser)[-1][1:] == ("tie_lost", "candidate_order")


def test_a_weighted_offer_is_matched_on_its_own_scale(s: HemisSession, cipher: IdCipher) -> None:
    # Mathematics × 2: 2 × 8 + 8.5 + 8.5 = 33/40, KV1 tapered on 40 (Art. 7): 33.70 in the
    # snapshot, the cutoff and the candidate's score page alike.
    world.calendar(s)
    inst = factories.institution(s, "DHW")
    offer = world.offer(s, world.program(s, inst, "W"), 1)
    service_offers.update_offer(s, offer, OfferUpdate.model_validate({"weights": {"math": 2}}))
    c = world.candidate(s, cipher, 1, area="KV1")
    world.import_exam(s, {c.number: {"math": "8", "physics": "8.5", "chemistry": "8.5"}})
    world.wish(s, c, inst.id, offer)
    r = run(s)
    mine = queries.my_results(s, s, YEAR, c.person_id)[0]
    assert [(w.outcome, w.score_h, w.cutoff_h) for w in mine.wishes] == [("admitted", 3370, 3370)]
    row = s.get(service_offers.AdmissionOffer, (inst.id, offer))
    assert row is not None
    shown = queries.explain_for_offer(s, s, YEAR, c.person_id, row)
    assert (shown.scale, shown.score) == (40, Decimal("33.70"))
    assert round_verify.verify_round(s, r.id).identical
