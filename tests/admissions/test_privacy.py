"""A candidate's own scope: their national records only, no registry or institution rows, no
other candidate's records, and no write outside their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hemis.admissions import queries, rounds, service_wishes
from hemis.admissions.models import AdmissionOffer, ResultScore, Wish
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.errors import Forbidden
from hemis.registry.models import Institution, Person, Program
from tests import factories
from tests.admissions import world
from tests.admissions.conftest import CandidateSession
from tests.admissions.world import YEAR


def test_a_candidate_reaches_their_own_records_and_nothing_else(
    s: HemisSession, cipher: IdCipher, sessions: object, as_candidate: CandidateSession
) -> None:
    world.calendar(s)
    inst = factories.institution(s, "DHA")
    offer = world.offer(s, world.program(s, inst, "P1"), 3)
    mine, theirs = world.candidate(s, cipher, 1), world.candidate(s, cipher, 2)
    world.import_exam(
        s, {c.number: {"math": "7", "physics": "7", "chemistry": "7"} for c in (mine, theirs)}
    )
    world.wish(s, theirs, inst.id, offer)
    s.commit()
    world.account(sessions, "cua.toi", mine.person_id)  # type: ignore[arg-type]
    own = as_candidate("cua.toi")
    assert len(queries.my_scores(own, YEAR, mine.person_id)) == 3
    for read in (
        lambda: queries.my_scores(own, YEAR, theirs.person_id),
        lambda: service_wishes.list_wishes(own, YEAR, theirs.person_id),
        lambda: queries.my_results(own, s, YEAR, theirs.person_id),
        lambda: queries.my_confirmation(own, YEAR, theirs.person_id),
        lambda: rounds.confirm_enrolment(own, YEAR, theirs.person_id),
        lambda: service_wishes.delete_wish(own, YEAR, theirs.person_id, theirs.wishes[0]),
    ):
        with pytest.raises(Forbidden):
            read()
    # a query that forgot the person filter still sees only the candidate's rows
    assert {r.person_id for r in own.scalars(select(ResultScore))} == {mine.person_id}
    assert own.scalars(select(Wish)).all() == []
    # registry and institution rows are invisible in the candidate's own scope
    for model in (Institution, Program, Person, AdmissionOffer):
        assert own.scalars(select(model)).all() == [], model
    # a write of a tenant row is refused at flush
    own.add(
        AdmissionOffer(
            institution_id=inst.id,
            year=YEAR,
            program_id=1,
            code="X",
            name_vi="X",
            discipline_code="7480201",
            quota=1,
            methods=["exam"],
            combinations={},
        )
    )
    with pytest.raises(Forbidden):
        own.flush()
    own.rollback()
    assert s.scalars(select(Wish).where(Wish.person_id == theirs.person_id)).one()
    assert len(s.scalars(select(ResultScore)).all()) == 6
