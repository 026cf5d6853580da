"""Bonus points and admission outside the matching, through the services and a real round:
an institution's bonus table and a candidate's recorded certificate raise the score the round
uses (the same as the candidate's score page); an accepted direct admission takes its seat out of
the quota before the matching, an accepted priority admission only when the score reaches the
floor; the candidate answers inside the wish window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from hemis.admissions import queries, round_verify, rounds, service_offers, service_paths
from hemis.admissions.models import AdmissionOffer, RoundOfferResult
from hemis.admissions.schemas import RoundCreate
from hemis.admissions.schemas_paths import (
    AchievementCreate,
    BonusTableCreate,
    DirectAdmissionCreate,
)
from hemis.admissions.snapshot_build import build_snapshot
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.db.types import utcnow
from hemis.errors import Forbidden
from tests import factories
from tests.admissions import world
from tests.admissions.conftest import CandidateSession
from tests.admissions.world import DAY, YEAR, Candidate

D = Decimal


def _exam(s: HemisSession, rows: dict[str, tuple[str, str, str]]) -> None:
    world.import_exam(
        s, {n: {"math": a, "physics": b, "chemistry": c} for n, (a, b, c) in rows.items()}
    )


def _round(s: HemisSession, **kw: object) -> int:
    r = rounds.create_round(s, RoundCreate.model_validate({"year": YEAR, **kw}))
    rounds.take_snapshot(s, r.id, now=utcnow() + 2 * DAY)
    rounds.run_round(s, r.id)
    return rounds.publish_round(s, r.id).id


def test_bonus_points_count_in_the_round_as_on_the_score_page(
    s: HemisSession, cipher: IdCipher
) -> None:
    # The institution's table: IELTS 6.5 → 1.25, national third prize → 1.00. An, KV1, holds
    # both: 20.00 + min(2.25 + 0.75, 3) = 23.00; Binh holds IELTS 6.0 (no row reached) at
    # 22.00 → 22.25 with KV2. (Circular 08/2022 as amended 2025: bonus by the institution's
    # table, bonus + priority ≤ 3.)
    world.calendar(s)
    inst = factories.institution(s, "DHB")
    offer = world.offer(s, world.program(s, inst, "B"), 1)
    for kind, rows in (
        ("language", [("ielts", "6.5", "1.25"), ("ielts", "7.0", "1.5")]),
        ("award", [("national_3", "0", "1"), ("national_1", "0", "2")]),
    ):
        service_paths.publish_bonus_table(
            s,
            BonusTableCreate.model_validate(
                {
                    "institution_id": inst.id,
                    "year": YEAR,
                    "kind": kind,
                    "rows": [{"code": c, "minimum": m, "points": p} for c, m, p in rows],
                    "source": "Thông báo tuyển sinh, mục 5.2",
                }
            ),
        )
    an = world.candidate(s, cipher, 1, area="KV1")
    binh = world.candidate(s, cipher, 2, area="KV2")
    _exam(s, {an.number: ("7", "7", "6"), binh.number: ("8", "7", "7")})
    for c, kind, code, score in (
        (an, "language", "ielts", "6.5"),
        (an, "award", "national_3", None),
        (binh, "language", "ielts", "6.0"),
    ):
        service_paths.record_achievement(
            s,
            AchievementCreate.model_validate(
                {
                    "year": YEAR,
                    "candidate_number": c.number,
                    "kind": kind,
                    "code": code,
                    "score": score,
                    "source": "IDP Việt Nam" if kind == "language" else "Bộ GD&ĐT",
                    "document": "23VN012345",
                    "issued_on": dt.date(YEAR - 1, 11, 2),
                }
            ),
        )
    world.wish(s, an, inst.id, offer)
    world.wish(s, binh, inst.id, offer)
    r = rounds.create_round(s, RoundCreate.model_validate({"year": YEAR}))
    snap = build_snapshot(s, r)
    scores = dict(zip(snap["person"].tolist(), snap["wish_score"].tolist(), strict=True))
    assert scores == {an.person_id: 2300, binh.person_id: 2225}
    row = s.get(AdmissionOffer, (inst.id, offer))
    assert row is not None
    shown = queries.explain_for_offer(s, s, YEAR, an.person_id, row)
    assert shown.total is not None
    assert (shown.total.bonus, shown.score) == (D("2.25"), D("23.00"))
    held = service_paths.achievements_of(s, YEAR, an.person_id)
    assert {(a.code, a.source, a.document) for a in held} == {
        ("ielts", "IDP Việt Nam", "23VN012345"),
        ("national_3", "Bộ GD&ĐT", "23VN012345"),
    }


def _paths_scene(
    s: HemisSession, cipher: IdCipher, path: str, floor: str = "0"
) -> tuple[int, int, list[Candidate], int]:
    """Two seats at P; Chi (25 points) holds a decision of `path` for P; An (24) and Binh (23)
    wish for P only."""
    world.calendar(s)
    inst = factories.institution(s, "DHP")
    offer = world.offer(s, world.program(s, inst, "P"), 2, floor=floor)
    an, binh, chi = (world.candidate(s, cipher, i) for i in (1, 2, 3))
    _exam(
        s,
        {
            an.number: ("8", "8", "8"),
            binh.number: ("8", "8", "7"),
            chi.number: ("9", "8", "8"),
        },
    )
    world.wish(s, an, inst.id, offer)
    world.wish(s, binh, inst.id, offer)
    granted = service_paths.grant_path(
        s,
        DirectAdmissionCreate.model_validate(
            {
                "year": YEAR,
                "candidate_number": chi.number,
                "offer_id": offer,
                "path": path,
                "basis": "Điều 8: giải Nhất học sinh giỏi quốc gia môn Toán",
            }
        ),
    )
    return inst.id, offer, [an, binh, chi], granted.id


def _outcome(s: HemisSession, round_id: int, c: Candidate) -> str | None:
    mine = queries.my_results(s, s, YEAR, c.person_id)
    return mine[0].admitted.outcome if mine and mine[0].admitted else None


def test_an_accepted_direct_admission_takes_its_seat_before_the_matching(
    s: HemisSession, cipher: IdCipher
) -> None:
    # Art. 8 (direct admission): Chi accepted; one of the two seats goes to Chi before the
    # matching, so of An (24) and Binh (23) only An is admitted. Published: quota 2, admitted 2,
    # of them 1 directly.
    _, _, (an, binh, chi), granted = _paths_scene(s, cipher, "direct")
    service_paths.answer_path(s, YEAR, chi.person_id, granted, accept=True)
    r = _round(s)
    assert [_outcome(s, r, c) for c in (an, binh, chi)] == ["admitted", None, "admitted_direct"]
    result = s.scalars(select(RoundOfferResult).where(RoundOfferResult.round_id == r)).one()
    assert (result.quota, result.admitted, result.direct) == (2, 2, 1)
    assert round_verify.verify_round(s, r).identical


def test_an_unanswered_or_declined_path_takes_nothing(s: HemisSession, cipher: IdCipher) -> None:
    _, _, (an, binh, chi), granted = _paths_scene(s, cipher, "direct")
    service_paths.answer_path(s, YEAR, chi.person_id, granted, accept=False)
    r = _round(s)
    assert [_outcome(s, r, c) for c in (an, binh, chi)] == ["admitted", "admitted", None]


def test_a_priority_admission_stands_only_at_the_floor(s: HemisSession, cipher: IdCipher) -> None:
    # Priority admission: Chi's 25.00 must reach the floor. With a floor of 26 it does not: no
    # seat is taken and An and Binh are both admitted; Chi (no wish) is not admitted.
    _, offer, (an, binh, chi), granted = _paths_scene(s, cipher, "priority", floor="23")
    service_paths.answer_path(s, YEAR, chi.person_id, granted, accept=True)
    service_offers.update_offer(
        s, offer, service_offers.OfferUpdate.model_validate({"floor": "26"})
    )
    r = _round(s)
    assert [_outcome(s, r, c) for c in (an, binh, chi)] == [None, None, None]  # 24, 23 < 26
    service_offers.update_offer(
        s, offer, service_offers.OfferUpdate.model_validate({"floor": "23"})
    )
    r2 = _round(s)
    assert [_outcome(s, r2, c) for c in (an, binh, chi)] == [
        "admitted",
        None,
        "admitted_priority",
    ]
    assert round_verify.verify_round(s, r2).identical


def test_the_candidate_answers_only_inside_the_wish_window(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    _, _, (_, _, chi), granted = _paths_scene(s, cipher, "direct")
    s.commit()
    world.account(sessions, "chi", chi.person_id)  # type: ignore[arg-type]
    own = as_candidate("chi")
    accepted = service_paths.answer_path(own, YEAR, chi.person_id, granted, accept=True)
    assert accepted.status == "accepted"
    assert [p.id for p in service_paths.my_paths(own, YEAR, chi.person_id)] == [granted]
    with pytest.raises(Forbidden) as closed:
        service_paths.answer_path(
            own, YEAR, chi.person_id, granted, accept=False, now=utcnow() + 2 * DAY
        )
    assert closed.value.code == "window_closed"


def test_a_tampered_explanation_is_found_by_verification(s: HemisSession, cipher: IdCipher) -> None:
    # `round verify` re-derives what each candidate is shown: changing a stored explanation
    # (here An's score beside the wish) is a difference, counted as an explanation difference.
    _, _, (an, _, _), _ = _paths_scene(s, cipher, "direct")
    r = _round(s)
    assert round_verify.verify_round(s, r).identical
    s.execute(
        text(
            "UPDATE round_candidate SET wishes = '[[1,0,2500,0,null]]' "
            "WHERE round_id = :r AND person_id = :p"
        ),
        {"r": r, "p": an.person_id},
    )
    check = round_verify.verify_round(s, r)
    assert not check.identical
    # and what was published from the stored results no longer matches them either
    assert (check.differences, check.explanation_differences, check.read_model_differences) == (
        2,
        1,
        1,
    )
