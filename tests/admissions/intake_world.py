"""A small admission year worked by hand, for the intake's tests (service, pages, browser).

Institution DHX offers X (1 seat, exam only) and Y (2 seats, exam or HSA, HSA converted by the
table 0 → 0, 150 → 30). Four candidates on A00 with 27, 24, 21 and 18 points; the second also has
HSA 135, converted 27.00, which beats their exam for Y. The first three wish X then Y, the fourth
only Y. Institution DHZ offers Z (5 seats) which nobody wants.

- Final main round: 1 → X (27.00, exam); 2 → Y (27.00, HSA); 3 → Y (21.00, exam); 4 → nothing.
- 1 and 2 confirm; 3 does not (declines Y).
- Supplementary round (after the deadline): X has no seat left (1 − 1), Y one (2 − 1); the third
  candidate's Y was declined and X is full, so the fourth gets Y (18.00, exam) and confirms.

The intake of DHX is then: X 1 learner, Y 2 learners (one from the supplementary round).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hemis.admissions import rounds
from hemis.admissions.models import AdmissionRound
from hemis.admissions.schemas import RoundCreate
from hemis.admissions.service import get_year
from hemis.common.crypto import IdCipher
from hemis.db.types import utcnow
from tests import factories
from tests.admissions import world
from tests.admissions.world import DAY, YEAR, Candidate

TERM = dt.date(YEAR, 9, 8)


@dataclass
class Scene:
    inst: int
    other: int
    x: int  # offer ids
    y: int
    z: int
    program_x: int
    program_y: int
    c: list[Candidate]
    final: AdmissionRound | None = None
    supplementary: AdmissionRound | None = None


def build(s: Session, cipher: IdCipher) -> Scene:
    """The year up to the wishes (calendar, offers, candidates, results, wishes)."""
    world.calendar(s, term_starts_on=TERM)
    inst = factories.institution(s, "DHX", name_vi="Trường Đại học Thử Nhập Học")
    other = factories.institution(s, "DHZ", name_vi="Trường Đại học Khác")
    px, py = world.program(s, inst, "X"), world.program(s, inst, "Y")
    x = world.offer(s, px, 1, tiebreaks=["math"])
    y = world.offer(s, py, 2, methods=("exam", "hsa"))
    z = world.offer(s, world.program(s, other, "Z"), 5)
    world.table(s, inst.id, "hsa", [("0", "0"), ("150", "30")])
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung"]
    cs = [world.candidate(s, cipher, i, names[i - 1]) for i in range(1, 5)]
    world.import_exam(
        s,
        {
            c.number: {"math": str(p), "physics": str(p), "chemistry": str(p)}
            for c, p in zip(cs, (9, 8, 7, 6), strict=True)
        },
    )
    world.import_tests(s, "hsa", {cs[1].number: "135"})
    for c in cs[:3]:
        world.wish(s, c, inst.id, x)
    for c in cs:
        world.wish(s, c, inst.id, y)
    s.commit()
    return Scene(inst.id, other.id, x, y, z, px.id, py.id, cs)


def _run(s: Session, body: RoundCreate, at: dt.datetime) -> AdmissionRound:
    r = rounds.create_round(s, body)
    rounds.take_snapshot(s, r.id, now=at)
    rounds.run_round(s, r.id)
    return rounds.publish_round(s, r.id)


def final_round(s: Session, sc: Scene) -> AdmissionRound:
    """The final main round, and the first two candidates' confirmations."""
    sc.final = _run(s, RoundCreate(year=YEAR, is_final=True), utcnow() + 2 * DAY)
    rounds.confirm_enrolment(s, YEAR, sc.c[0].person_id)
    rounds.confirm_enrolment(s, YEAR, sc.c[1].person_id)
    return sc.final


def supplementary_round(s: Session, sc: Scene, *, confirm: bool = True) -> AdmissionRound:
    """The supplementary round after the year's deadline; the fourth candidate confirms."""
    deadline = get_year(s, YEAR).confirm_deadline_at
    assert deadline is not None
    body = RoundCreate(year=YEAR, kind="supplementary", confirm_deadline_at=deadline + 7 * DAY)
    sc.supplementary = _run(s, body, deadline + dt.timedelta(minutes=1))
    if confirm:
        rounds.confirm_enrolment(s, YEAR, sc.c[3].person_id, now=deadline + DAY)
    return sc.supplementary


def whole_year(s: Session, cipher: IdCipher) -> Scene:
    sc = build(s, cipher)
    final_round(s, sc)
    supplementary_round(s, sc)
    return sc
