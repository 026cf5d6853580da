"""Hand-built institutions whose indicators are known in advance (worked out in the comments).

Institution "full" for 2025 (cut-off 31 Dec 2025):
  programs: PB bachelor 4 years quota 100, PM master 2 years quota 20, PP bachelor part-time
  quota 0 (all opened 2015, PB and PM full-time)
  G1 20 bachelor full-time, cohort 2024, studying                 (weight 1)
  G2  5 bachelor in PP (part-time), cohort 2025, studying         (weight 0.8 → 4)
  G3 10 master full-time, cohort 2025, studying                   (weight 1.5 → 15)
  G4  4 bachelor, cohort 2024, withdrew 1 Mar 2025 (first year)
  G5 10 bachelor, cohort 2021: 5 graduated 1 Sep 2025 (on time), 2 on 20 Dec 2025 (late),
     3 studying                                                   (weight 1 → 3)
  G6 10 bachelor, cohort 2019: 5 graduated 1 Sep 2023, 1 on 1 Jun 2025, 4 withdrew 1 Jan 2021
  lecturers: 2 full-time permanent aged 45 (one doctor); 1 part-time; 1 administrator
  campus: land 500 m², floor 100 m² (classrooms 80 m², dormitory 20 m²);
  2025 resources: 1 lecturer workspace
  finance 2025: revenue 1,000, expenditure 800
  Every learner has its status history as the registry writes it: an admission event, then an
  event for its status when that is not "enrolled".
Institution "empty": no campus, staff, learners or finance.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import (
    Award,
    Campus,
    Expenditure,
    Facility,
    LearnerStatusEvent,
    ResourceSummary,
    Revenue,
)
from hemis.registry.rules import make_national_id
from tests import factories

YEAR = 2025
_serial = itertools.count(1)

# Expected aggregates of "full" (see the module docstring).
STUDENTS = 20 + 5 + 10 + 3
CONVERTED = 20 + 4 + 15 + 3
CONVERTED_FULL_TIME = 20 + 15 + 3
STUDENTS_2022 = 10 + 6
INTAKE_3Y = 20 + 4 + 5 + 10
QUOTA_3Y = 3 * (100 + 20)
UNDER_AT_START = 20 + 4 + 10 + 1
FIRST_YEAR = 20 + 4


@dataclass(frozen=True)
class Built:
    full: int
    empty: int
    full_code: str
    empty_code: str


def _person(s: Session, cipher: IdCipher, sex: str = "female", born: int = 2004) -> object:
    nid = make_national_id("001", sex, born, next(_serial) + 500_000)
    return factories.person(s, cipher, nid, "Lê Thị Học", sex, dt.date(born, 5, 1))


def _learners(
    s: Session,
    cipher: IdCipher,
    prog: object,
    n: int,
    *,
    award: dt.date | None = None,
    **kw: object,
) -> None:
    for _ in range(n):
        who = _person(s, cipher)
        values: dict[str, object] = dict(kw)
        if award is not None:
            values.update(status="graduated", status_date=award)
        row = factories.learner(s, prog, who, **values)  # type: ignore[arg-type]
        s.add(event(row.institution_id, row.id, "enrolled", row.admitted_on))
        if row.status != "enrolled":
            s.add(event(row.institution_id, row.id, row.status, row.status_date))
        if award is not None:
            s.add(
                Award(
                    institution_id=row.institution_id,
                    learner_id=row.id,
                    diploma_number=f"VB{row.id}",
                    awarded_on=award,
                    classification="good",
                )
            )
    s.flush()


def event(institution_id: int, learner_id: int, status: str, on: dt.date) -> LearnerStatusEvent:
    return LearnerStatusEvent(
        institution_id=institution_id, learner_id=learner_id, status=status, effective_on=on
    )


def cohort(year: int) -> dict[str, object]:
    return {
        "cohort_year": year,
        "admitted_on": dt.date(year, 9, 5),
        "status_date": dt.date(year, 9, 5),
    }


def build(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Built:
    with scoped_session(sessions, Scope.system("test")) as s:
        full = factories.institution(s, name_vi="Trường Đại học Đủ Số Liệu")
        empty = factories.institution(s, name_vi="Trường Đại học Chưa Có Gì")
        empty.ownership = "private"
        pb = factories.program(s, full, annual_quota=100, duration_years=4.0)
        pm = factories.program(
            s, full, level="master", discipline_code="7480201", annual_quota=20, duration_years=2.0
        )
        _learners(s, cipher, pb, 20, **cohort(2024))
        pp = factories.program(s, full, mode="part_time", annual_quota=0, duration_years=4.0)
        _learners(s, cipher, pp, 5, study_mode="part_time", **cohort(2025))
        _learners(s, cipher, pm, 10, **cohort(2025))
        _learners(
            s,
            cipher,
            pb,
            4,
            **{**cohort(2024), "status": "withdrawn", "status_date": dt.date(2025, 3, 1)},
        )
        _learners(s, cipher, pb, 5, award=dt.date(2025, 9, 1), **cohort(2021))
        _learners(s, cipher, pb, 2, award=dt.date(2025, 12, 20), **cohort(2021))
        _learners(s, cipher, pb, 3, **cohort(2021))
        _learners(s, cipher, pb, 5, award=dt.date(2023, 9, 1), **cohort(2019))
        _learners(s, cipher, pb, 1, award=dt.date(2025, 6, 1), **cohort(2019))
        _learners(
            s,
            cipher,
            pb,
            4,
            **{**cohort(2019), "status": "withdrawn", "status_date": dt.date(2021, 1, 1)},
        )
        for degree in ("doctor", "master"):
            who = _person(s, cipher, "male", 1980)
            factories.staff(s, full, who, highest_degree=degree, hired_on=dt.date(2010, 1, 1))  # type: ignore[arg-type]
        who = _person(s, cipher, "male", 1970)
        factories.staff(s, full, who, full_time=False, fte=0.5)  # type: ignore[arg-type]
        who = _person(s, cipher, "female", 1990)
        factories.staff(s, full, who, position="administrative", highest_degree="bachelor")  # type: ignore[arg-type]
        campus = Campus(
            institution_id=full.id, code="C1", name="Cơ sở chính", address="Hà Nội",
            province_code="001", is_main=True, land_area_m2=500, floor_area_m2=100,
        )  # fmt: skip
        s.add(campus)
        s.flush()
        for kind, area in (("classroom", 80), ("dormitory", 20)):
            s.add(
                Facility(
                    institution_id=full.id, campus_id=campus.id, kind=kind, room_count=2,
                    floor_area_m2=area,
                )
            )  # fmt: skip
        s.add_all(
            [
                ResourceSummary(
                    institution_id=full.id, year=YEAR, lecturer_workspaces=1, library_titles=10,
                    library_ebooks=0, computers=5, bandwidth_mbps=100,
                ),
                Revenue(
                    institution_id=full.id, fiscal_year=YEAR, source="tuition_fees",
                    activity="training", amount_vnd=1000,
                ),
                Expenditure(
                    institution_id=full.id, fiscal_year=YEAR, category="salaries", amount_vnd=800
                ),
            ]
        )  # fmt: skip
        s.commit()
        return Built(full.id, empty.id, full.moet_code, empty.moet_code)
