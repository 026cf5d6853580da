"""The scenery of the submissions tests: two institutions with programs, a campus, reporting
periods, a learner and a lecturer of the other institution (for tier e), and helpers that build
rows and run imports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.accounts.models import User
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Campus, ReportingPeriod
from hemis.registry.rules import make_national_id
from hemis.submissions.importer import ImportOptions, ImportOutcome
from hemis.submissions.intake import records_table
from hemis.submissions.jobs import run_recorded
from tests import factories
from tests.imports.samples import BASE

AS_OF = dt.date(2025, 12, 31)
OTHER_LEARNER_NID = make_national_id("079", "female", 2004, 900001)
OTHER_STAFF_NID = make_national_id("079", "male", 1980, 900002)


@dataclass(frozen=True)
class World:
    a: int  # institution ids
    b: int
    a_code: str
    b_code: str
    period_2024: int
    period_2025: int


def period(year: int, closes_on: dt.date | None = None) -> ReportingPeriod:
    return ReportingPeriod(
        year=year,
        name=f"Kỳ báo cáo {year}",
        cutoff_on=dt.date(year, 12, 31),
        finance_cutoff_on=dt.date(year, 12, 31),
        opens_on=dt.date(year + 1, 1, 1),
        closes_on=closes_on or dt.date(year + 1, 3, 31),
    )


def seed(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> World:
    with scoped_session(sessions, Scope.system("test")) as s:
        a = factories.institution(s, "SUB01", name_vi="Trường Đại học Nộp Số Liệu")
        b = factories.institution(s, "SUB02", name_vi="Trường Đại học Bên Cạnh")
        old = dt.date(2000, 1, 1)
        for code, discipline in (("P1", "7480201"), ("P2", "7340101"), ("P3", "7220201")):
            factories.program(s, a, code, discipline_code=discipline, opened_on=old)
        factories.program(s, a, "PCLOSED", status="closed", opened_on=old)
        factories.program(s, a, "PNEW", opened_on=dt.date(2024, 1, 1))
        s.add(
            Campus(
                institution_id=a.id,
                code="C1",
                name="Cơ sở chính",
                address="Số 1",
                province_code="001",
                is_main=True,
                land_area_m2=100,
                floor_area_m2=50,
            )
        )
        prog_b = factories.program(s, b, "B1", opened_on=old)
        learner = factories.person(
            s, cipher, OTHER_LEARNER_NID, "Lê Thị Khác", "female", dt.date(2004, 5, 5)
        )
        factories.learner(s, prog_b, learner, "B-SV1", admitted_on=dt.date(2022, 9, 5))
        lecturer = factories.person(
            s, cipher, OTHER_STAFF_NID, "Trần Văn Giảng", "male", dt.date(1980, 1, 1)
        )
        factories.staff(s, b, lecturer, "B-GV1")
        for inst in (a, b):  # each institution's head (signatory) and one other officer
            for name, head in (("head", True), ("staff", False)):
                s.add(
                    User(
                        username=f"{name}_{inst.moet_code.lower()}",
                        display_name=name,
                        password_hash="-",  # never logs in: services are called directly
                        role="institution_officer",
                        institution_id=inst.id,
                        signatory=head,
                    )
                )
        p24, p25 = period(2024), period(2025)
        s.add_all([p24, p25])
        s.commit()
        return World(a.id, b.id, a.moet_code, b.moet_code, p24.id, p25.id)


def learner(n: int, **overrides: str) -> dict[str, str]:
    """A clean learner row (program P1, admitted 2022), distinct in every key by `n`."""
    sex = "female" if n % 2 else "male"
    row = BASE["learners"] | {
        "student_code": f"SV{n:05d}",
        "national_id": make_national_id("001", sex, 2004, n),
        "full_name": f"Nguyễn Văn Học {n}",
        "sex": sex,
    }
    return row | overrides


def rows_of(entity: str, *overrides: dict[str, str]) -> list[dict[str, Any]]:
    return [BASE[entity] | o for o in overrides or ({},)]


def run(
    engine: Engine,
    cipher: IdCipher,
    entity: str,
    rows: list[dict[str, Any]],
    institution_id: int,
    **options: Any,
) -> ImportOutcome:
    options.setdefault("as_of", AS_OF)
    options.setdefault("period_year", 2025)
    outcome, _job = run_recorded(
        engine,
        cipher,
        records_table(rows),
        ImportOptions(entity, institution_id, "user:test", **options),
        "batch",
    )
    return outcome


def written(outcome: ImportOutcome) -> dict[str, int]:
    return {t.table: t.written for t in outcome.tables}
