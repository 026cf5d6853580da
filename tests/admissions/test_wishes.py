"""Wishes: ranked 1..n, added, reordered and deleted inside the window, every change audited;
a yearly cap, and teacher training only considered among the first wishes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hemis.admissions import service, service_wishes
from hemis.admissions.schemas import AdmissionYearCreate, WishCreate
from hemis.audit.models import AuditEntry
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.errors import Conflict, Forbidden, ValidationFailed
from tests import factories
from tests.admissions import world
from tests.admissions.conftest import CandidateSession
from tests.admissions.world import YEAR


def _offers(s: HemisSession, n: int, teacher: set[int] = frozenset()) -> tuple[int, list[int]]:  # type: ignore[assignment]
    inst = factories.institution(s, "SPH")
    ids = []
    for i in range(n):
        discipline = "7140209" if i in teacher else "7480201"  # 7140209: Sư phạm Toán học
        ids.append(world.offer(s, world.program(s, inst, f"N{i}", discipline), 10))
    return inst.id, ids


def _ranks(s: HemisSession, person_id: int) -> list[tuple[int, int]]:
    return [(w.rank, w.offer_id) for w in service_wishes.list_wishes(s, YEAR, person_id)]


def test_add_reorder_delete_keep_ranks_1_to_n_and_are_audited(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    world.calendar(s)
    inst, offers = _offers(s, 4)
    c = world.candidate(s, cipher, 1)
    s.commit()
    world.account(sessions, "minh", c.person_id)  # type: ignore[arg-type]
    own = as_candidate("minh")
    ids = [
        service_wishes.add_wish(
            own, s, YEAR, c.person_id, WishCreate(institution_id=inst, offer_id=o)
        ).id
        for o in offers[:3]
    ]
    service_wishes.add_wish(
        own, s, YEAR, c.person_id, WishCreate(institution_id=inst, offer_id=offers[3], rank=1)
    )
    assert _ranks(own, c.person_id) == [
        (1, offers[3]),
        (2, offers[0]),
        (3, offers[1]),
        (4, offers[2]),
    ]
    service_wishes.reorder_wishes(
        own,
        s,
        YEAR,
        c.person_id,
        [
            ids[2],
            ids[1],
            ids[0],
            *[w.id for w in service_wishes.list_wishes(own, YEAR, c.person_id) if w.id not in ids],
        ],
    )
    assert [o for _, o in _ranks(own, c.person_id)] == [offers[2], offers[1], offers[0], offers[3]]
    service_wishes.delete_wish(own, YEAR, c.person_id, ids[1])
    assert _ranks(own, c.person_id) == [(1, offers[2]), (2, offers[0]), (3, offers[3])]
    service_wishes.move_wish(own, s, YEAR, c.person_id, ids[0], -1)
    assert [o for _, o in _ranks(own, c.person_id)] == [offers[0], offers[2], offers[3]]
    actions = [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.entity == "wish"))]
    assert actions.count("create") == 4
    assert actions.count("delete") == 1
    # an update records the rank before and after (never the parked value)
    updates = s.scalars(
        select(AuditEntry).where(AuditEntry.entity == "wish", AuditEntry.action == "update")
    ).all()
    assert updates
    assert all(abs(e.after["rank"] - e.before["rank"]) < 10 for e in updates)
    with pytest.raises(Conflict):
        service_wishes.add_wish(
            own, s, YEAR, c.person_id, WishCreate(institution_id=inst, offer_id=offers[0])
        )
    with pytest.raises(ValidationFailed):
        service_wishes.reorder_wishes(own, s, YEAR, c.person_id, ids[:1])


def test_a_cap_per_year(s: HemisSession, cipher: IdCipher) -> None:
    world.calendar(s, wish_cap=2)
    inst, offers = _offers(s, 3)
    c = world.candidate(s, cipher, 1)
    world.wish(s, c, inst, offers[0])
    world.wish(s, c, inst, offers[1])
    with pytest.raises(ValidationFailed) as capped:
        world.wish(s, c, inst, offers[2])
    assert capped.value.details[0]["code"] == "wish.cap"


def test_2026_defaults_to_15_wishes_and_teacher_training_in_the_first_5(s: HemisSession) -> None:
    row = service.create_year(s, AdmissionYearCreate(year=2026))
    assert (row.rules_version, row.wish_cap, row.teacher_wish_limit) == (2026, 15, 5)
    unlimited = service.create_year(s, AdmissionYearCreate(year=2025))
    assert (unlimited.wish_cap, unlimited.teacher_wish_limit) == (None, None)


def test_teacher_training_only_among_the_first_wishes(s: HemisSession, cipher: IdCipher) -> None:
    world.calendar(s, teacher_wish_limit=2)
    inst, offers = _offers(s, 4, teacher={3})
    c = world.candidate(s, cipher, 1)
    world.wish(s, c, inst, offers[0])
    world.wish(s, c, inst, offers[1])
    with pytest.raises(ValidationFailed) as late:
        world.wish(s, c, inst, offers[3])  # would be wish 3
    assert late.value.details[0]["code"] == "wish.teacher_training_rank"
    service_wishes.add_wish(
        s, s, YEAR, c.person_id, WishCreate(institution_id=inst, offer_id=offers[3], rank=2)
    )
    with pytest.raises(ValidationFailed):  # pushing it to wish 3 from above
        service_wishes.add_wish(
            s, s, YEAR, c.person_id, WishCreate(institution_id=inst, offer_id=offers[2], rank=1)
        )
    ids = [w.id for w in service_wishes.list_wishes(s, YEAR, c.person_id)]
    with pytest.raises(ValidationFailed):  # moving it down to wish 3
        service_wishes.move_wish(s, s, YEAR, c.person_id, ids[1], 1)


def test_wishes_are_frozen_outside_the_window_for_candidates(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    world.calendar(s, wishes_open=False)
    inst, offers = _offers(s, 1)
    c = world.candidate(s, cipher, 1)
    s.commit()
    world.account(sessions, "tre", c.person_id)  # type: ignore[arg-type]
    with pytest.raises(Forbidden) as closed:
        service_wishes.add_wish(
            as_candidate("tre"),
            s,
            YEAR,
            c.person_id,
            WishCreate(institution_id=inst, offer_id=offers[0]),
        )
    assert closed.value.code == "window_closed"
