"""The scenery of the competency tests: two institutions, programs, learners (one of the other
institution), a reporting period, signatories, and helpers that run imports."""

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
from hemis.registry.models import ReportingPeriod
from hemis.registry.rules import make_national_id
from hemis.submissions.importer import ImportOptions, ImportOutcome
from hemis.submissions.intake import records_table
from hemis.submissions.jobs import run_recorded
from tests import factories

AS_OF = dt.date(2025, 12, 31)
ADMITTED = dt.date(2023, 9, 5)


@dataclass(frozen=True)
class World:
    a: int
    b: int
    a_code: str
    programs: dict[str, int]  # code → id (A's P1, P2 and B's B1)
    learners: dict[str, int]  # student code → id (A's SV1–SV3, B's B-SV1)
    persons: dict[str, int]  # student code → person id
    national_ids: dict[str, str]  # student code → national ID


def seed(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> World:
    with scoped_session(sessions, Scope.system("test")) as s:
        a = factories.institution(s, "NLS01", name_vi="Trường Đại học Năng Lực Số")
        b = factories.institution(s, "NLS02", name_vi="Trường Đại học Láng Giềng")
        old = dt.date(2000, 1, 1)
        p1 = factories.program(s, a, "P1", discipline_code="7480201", opened_on=old)
        p2 = factories.program(s, a, "P2", discipline_code="7340101", opened_on=old)
        b1 = factories.program(s, b, "B1", discipline_code="7480201", opened_on=old)
        learners, persons, nids = {}, {}, {}
        for n, (code, program, name, sex) in enumerate(
            (
                ("SV1", p1, "Nguyễn Thị Lan", "female"),
                ("SV2", p1, "Trần Văn Minh", "male"),
                ("SV3", p2, "Lê Hoàng Nam", "male"),
                ("B-SV1", b1, "Phạm Thu Hà", "female"),
            ),
            start=1,
        ):
            nid = make_national_id("001", sex, 2005, 700_000 + n)
            who = factories.person(s, cipher, nid, name, sex, dt.date(2005, 3, n))
            row = factories.learner(s, program, who, code, admitted_on=ADMITTED)
            learners[code], persons[code], nids[code] = row.id, who.id, nid
        for inst in (a, b):
            s.add(
                User(
                    username=f"head_{inst.moet_code.lower()}",
                    display_name="head",
                    password_hash="-",
                    role="institution_officer",
                    institution_id=inst.id,
                    signatory=True,
                )
            )
        s.add(
            ReportingPeriod(
                year=2025,
                name="Kỳ báo cáo 2025",
                cutoff_on=dt.date(2025, 12, 31),
                finance_cutoff_on=dt.date(2026, 3, 31),
                opens_on=dt.date(2026, 1, 1),
                closes_on=dt.date(2026, 3, 31),
            )
        )
        s.commit()
        return World(
            a.id,
            b.id,
            a.moet_code,
            {"P1": p1.id, "P2": p2.id, "B1": b1.id},
            learners,
            persons,
            nids,
        )


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


def rules_of(outcome: ImportOutcome) -> set[str]:
    return set(outcome.report.issues["rule"].to_list())


def target(program: str, code: str, level: int | str) -> dict[str, str]:
    return {"program_code": program, "competency_code": code, "target_level": str(level)}


def assessed(
    student: str,
    code: str,
    level: int | str,
    on: str = "2025-06-01",
    method: str = "exam",
    evidence: str = "KT-2025-01",
) -> dict[str, str]:
    return {
        "student_code": student,
        "competency_code": code,
        "level": str(level),
        "assessed_on": on,
        "method": method,
        "evidence_ref": evidence,
    }


def learner_user(sessions: sessionmaker[HemisSession], username: str, person_id: int) -> None:
    """A learner account (password tests.web.page_factories.PASSWORD) linked to a person."""
    from tests.web.page_factories import _password_hash

    with scoped_session(sessions, Scope.system("test")) as s:
        s.add(
            User(
                username=username,
                display_name=username,
                password_hash=_password_hash(),
                role="learner",
                person_id=person_id,
                is_active=True,
            )
        )
        s.commit()
