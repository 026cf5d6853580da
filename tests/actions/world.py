"""A small admission year ready for a round: wishes closed, two offers, three candidates with
exam results and wishes."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import sessionmaker

from hemis.admissions import rounds
from hemis.admissions.schemas import RoundCreate
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from tests import factories
from tests.admissions import world


@dataclass(frozen=True)
class RoundWorld:
    institution_id: int
    round_id: int


def round_world(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, extra: int = 0
) -> RoundWorld:
    """Three candidates (plus `extra` more, for a round that takes a visible moment)."""
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s, wishes_open=False)
        inst = factories.institution(s, "BKA", name_vi="Đại học Bách khoa Hà Nội")
        offers = [
            world.offer(s, world.program(s, inst, "IT1"), 1),
            world.offer(s, world.program(s, inst, "EE1"), 2),
        ]
        people = [world.candidate(s, cipher, n, "Phạm Minh Anh") for n in range(1, 4 + extra)]
        scores = ["9", "8.5", "7"] + [f"{5 + (n % 20) / 4:.2f}" for n in range(extra)]
        world.import_exam(
            s,
            {
                c.number: {"math": score, "physics": "8", "chemistry": "8"}
                for c, score in zip(people, scores, strict=True)
            },
        )
        for c in people:
            for offer in offers:
                world.wish(s, c, inst.id, offer)
        round_ = rounds.create_round(s, RoundCreate(year=world.YEAR, is_final=True))
        s.commit()
        return RoundWorld(inst.id, round_.id)
