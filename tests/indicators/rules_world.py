"""Small hand-built institutions, one per rule of the Circular 01/2024 indicators, whose results
are worked out by hand in tests/indicators/test_circular_rules.py."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from sqlalchemy.orm import Session

from hemis.common.crypto import IdCipher
from hemis.registry.models import (
    Campus,
    Facility,
    Institution,
    Learner,
    LearnerStatusEvent,
    Program,
    ReportingPeriod,
    ResourceSummary,
)
from hemis.registry.rules import make_national_id
from tests import factories

_serial = itertools.count()

D = dt.date


def person(s: Session, cipher: IdCipher, born: int = 2004) -> object:
    serial = 700_000 + next(_serial) % 290_000
    nid = make_national_id("001", "female", born, serial)
    return factories.person(s, cipher, nid, "Trần Thị Lịch", "female", D(born, 3, 1))


def learner_with_history(
    s: Session,
    cipher: IdCipher,
    prog: Program,
    code: str,
    cohort: int,
    events: Sequence[tuple[str, dt.date]],
    study_mode: str = "full_time",
) -> Learner:
    """A learner admitted on the first event's date, with `events` (in the order recorded) as
    its status history; its row mirrors the last one, as the registry keeps it."""
    admitted = events[0][1]
    latest = max(enumerate(events), key=lambda e: (e[1][1], e[0]))[1]
    row = factories.learner(
        s,
        prog,
        person(s, cipher),  # type: ignore[arg-type]
        code=code,
        cohort_year=cohort,
        study_mode=study_mode,
        admitted_on=admitted,
        status=latest[0],
        status_date=latest[1],
    )
    for status, on in events:
        s.add(
            LearnerStatusEvent(
                institution_id=row.institution_id, learner_id=row.id, status=status, effective_on=on
            )
        )
        s.flush()  # one at a time: ids follow the order recorded
    return row


def history_institution(s: Session, cipher: IdCipher) -> Institution:
    """Learners whose status on 31 Dec 2021/2022/2023/2024/2025 differs from their latest
    status (program: bachelor, full-time, 4 years):

    A admitted 5 Sep 2020; suspended 1 Jun 2022; back 1 Mar 2023
    B admitted 5 Sep 2020; withdrawn 30 Dec 2022
    C admitted 30 Dec 2022
    D admitted 5 Sep 2021
    F admitted 5 Sep 2020; suspended 10 Jan 2021; withdrawn 1 May 2023
    G admitted 5 Sep 2022; withdrawn 1 Jan 2024
    H admitted 1 Jan 2024
    Y admitted 1 Mar 2023; withdrawn 1 Mar 2024
    U admitted 29 Feb 2024; withdrawn 28 Feb 2025
    V admitted 29 Feb 2024; withdrawn 1 Mar 2025
    Z admitted 5 Sep 2021; on 31 Dec 2022 suspended, then (recorded later) enrolled again
    """
    inst = factories.institution(s, name_vi="Trường Đại học Lịch Sử Biến Động")
    prog = factories.program(s, inst, annual_quota=10)
    e, sus, w = "enrolled", "suspended", "withdrawn"
    for code, cohort, events in (
        ("A", 2020, [(e, D(2020, 9, 5)), (sus, D(2022, 6, 1)), (e, D(2023, 3, 1))]),
        ("B", 2020, [(e, D(2020, 9, 5)), (w, D(2022, 12, 30))]),
        ("C", 2022, [(e, D(2022, 12, 30))]),
        ("D", 2021, [(e, D(2021, 9, 5))]),
        ("F", 2020, [(e, D(2020, 9, 5)), (sus, D(2021, 1, 10)), (w, D(2023, 5, 1))]),
        ("G", 2022, [(e, D(2022, 9, 5)), (w, D(2024, 1, 1))]),
        ("H", 2024, [(e, D(2024, 1, 1))]),
        ("Y", 2023, [(e, D(2023, 3, 1)), (w, D(2024, 3, 1))]),
        ("U", 2024, [(e, D(2024, 2, 29)), (w, D(2025, 2, 28))]),
        ("V", 2024, [(e, D(2024, 2, 29)), (w, D(2025, 3, 1))]),
        ("Z", 2021, [(e, D(2021, 9, 5)), (sus, D(2022, 12, 31)), (e, D(2022, 12, 31))]),
    ):
        learner_with_history(s, cipher, prog, code, cohort, events)
    return inst


def leap_cutoff_institution(s: Session, cipher: IdCipher) -> Institution:
    """The 2028 reporting period's cut-off is 29 February 2028 (so the start of that year is
    28 Feb 2027 and three years earlier is 28 Feb 2025):

    P admitted 5 Sep 2024; withdrawn 29 Feb 2028 (on the cut-off itself)
    Q admitted 28 Feb 2025 (on the day three years earlier)
    R admitted 5 Sep 2021; withdrawn 1 Mar 2025
    S admitted 5 Sep 2024; withdrawn 1 Mar 2027
    T admitted 29 Feb 2028 (on the cut-off itself)
    """
    s.add(
        ReportingPeriod(
            year=2028,
            name="Kỳ báo cáo 2028 (chốt 29/02)",
            cutoff_on=D(2028, 2, 29),
            finance_cutoff_on=D(2028, 3, 31),
            opens_on=D(2028, 3, 1),
            closes_on=D(2028, 4, 30),
        )
    )
    inst = factories.institution(s, name_vi="Trường Đại học Năm Nhuận")
    prog = factories.program(s, inst, annual_quota=10)
    e, w = "enrolled", "withdrawn"
    for code, cohort, events in (
        ("P", 2024, [(e, D(2024, 9, 5)), (w, D(2028, 2, 29))]),
        ("Q", 2025, [(e, D(2025, 2, 28))]),
        ("R", 2021, [(e, D(2021, 9, 5)), (w, D(2025, 3, 1))]),
        ("S", 2024, [(e, D(2024, 9, 5)), (w, D(2027, 3, 1))]),
        ("T", 2028, [(e, D(2028, 2, 29))]),
    ):
        learner_with_history(s, cipher, prog, code, cohort, events)
    return inst


def specialised_doctoral_institution(s: Session, cipher: IdCipher) -> Institution:
    """Specialised, trains doctorates. 12 full-time lecturers (1 doctor, 11 masters), 2
    administrative staff without a degree, every applicable field filled; a campus without
    floor areas by kind of room; 15 lecturer workspaces reported for 2025."""
    inst = factories.institution(
        s, name_vi="Học viện Âm nhạc Thử nghiệm", specialised=True, trains_doctorates=True
    )
    for n in range(12):
        factories.staff(
            s,
            inst,
            person(s, cipher, 1980),  # type: ignore[arg-type]
            highest_degree="doctor" if n == 0 else "master",
            hired_on=D(2010, 9, 1),
        )
    for _ in range(2):
        factories.staff(
            s,
            inst,
            person(s, cipher, 1990),  # type: ignore[arg-type]
            position="administrative",
            highest_degree="none",
            degree_country=None,
            degree_year=None,
            hired_on=D(2015, 9, 1),
        )
    s.add(
        Campus(
            institution_id=inst.id, code="C1", name="Cơ sở chính", address="Hà Nội",
            province_code="001", is_main=True, land_area_m2=5000, floor_area_m2=900,
        )
    )  # fmt: skip
    s.add(
        ResourceSummary(
            institution_id=inst.id, year=2025, lecturer_workspaces=15, library_titles=10,
            library_ebooks=0, computers=5, bandwidth_mbps=100,
        )
    )  # fmt: skip
    return inst


# Floor areas by kind of room (m²): 50 counted for training, 50 not (dormitory, other).
FLOOR_AREAS = {
    "classroom": 30,
    "lecture_hall": 6,
    "library": 4,
    "laboratory": 4,
    "workshop": 2,
    "office": 2,
    "sports": 2,
    "dormitory": 40,
    "other": 10,
}


def floor_institution(s: Session, cipher: IdCipher) -> Institution:
    """20 full-time bachelor students studying; one campus of 100 m² split by FLOOR_AREAS;
    one lecturer."""
    inst = factories.institution(s, name_vi="Trường Đại học Có Ký Túc Xá")
    prog = factories.program(s, inst, annual_quota=10)
    for n in range(20):
        learner_with_history(s, cipher, prog, f"F{n}", 2024, [("enrolled", D(2024, 9, 5))])
    factories.staff(s, inst, person(s, cipher, 1980), hired_on=D(2010, 9, 1))  # type: ignore[arg-type]
    campus = Campus(
        institution_id=inst.id, code="C1", name="Cơ sở chính", address="Hà Nội",
        province_code="001", is_main=True, land_area_m2=2000,
        floor_area_m2=sum(FLOOR_AREAS.values()),
    )  # fmt: skip
    s.add(campus)
    s.flush()
    for kind, area in FLOOR_AREAS.items():
        s.add(
            Facility(
                institution_id=inst.id, campus_id=campus.id, kind=kind, room_count=1,
                floor_area_m2=area,
            )
        )  # fmt: skip
    return inst


def mode_institution(s: Session, cipher: IdCipher) -> Institution:
    """A full-time program whose 4 learners' records say part-time, and a part-time program
    whose 5 learners' records say full-time; one lecturer; land 100 m²."""
    inst = factories.institution(s, name_vi="Trường Đại học Hai Hình Thức")
    full = factories.program(s, inst, mode="full_time", annual_quota=10)
    part = factories.program(s, inst, mode="part_time", annual_quota=10)
    for n in range(4):
        learner_with_history(
            s, cipher, full, f"CQ{n}", 2024, [("enrolled", D(2024, 9, 5))], "part_time"
        )
    for n in range(5):
        learner_with_history(
            s, cipher, part, f"VL{n}", 2024, [("enrolled", D(2024, 9, 5))], "full_time"
        )
    factories.staff(s, inst, person(s, cipher, 1980), hired_on=D(2010, 9, 1))  # type: ignore[arg-type]
    s.add(
        Campus(
            institution_id=inst.id, code="C1", name="Cơ sở chính", address="Hà Nội",
            province_code="001", is_main=True, land_area_m2=100, floor_area_m2=50,
        )
    )  # fmt: skip
    return inst


def working_age_institution(s: Session, cipher: IdCipher) -> Institution:
    """Three permanent full-time lecturers born 28 Dec 1960, 31 Dec 1960 and 1 Jan 1961."""
    inst = factories.institution(s, name_vi="Trường Đại học Tuổi Lao Động")
    for born in (D(1960, 12, 28), D(1960, 12, 31), D(1961, 1, 1)):
        who = person(s, cipher, born.year)
        who.date_of_birth = born  # type: ignore[attr-defined]
        factories.staff(s, inst, who, hired_on=D(1990, 9, 1))  # type: ignore[arg-type]
    return inst
