"""Every rule of tiers d–f has a passing and a failing fixture, and behaves on both backends.

The mechanism of tests/imports/test_catalogue.py, against a database: one scenery per module
(the scene, a learner, an award and a lecturer already registered, a retired discipline, an
accepted submission of 2024 as the baseline of tier f, and peers' accepted submissions), then
each fixture is a file checked through the import pipeline as a dry run. A new rule without
fixtures makes `test_db_rule_has_fixtures_and_behaves` fail.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, text, update

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.imports.rules_db import db_catalogue
from hemis.registry.models import Award, Discipline
from hemis.registry.rules import make_national_id
from hemis.submissions.models import Submission
from tests import factories
from tests.conftest import TestDB, _fresh_sqlite, _pg_conninfo, _pg_url
from tests.imports.samples import BASE
from tests.submissions.world import OTHER_LEARNER_NID, OTHER_STAFF_NID, World, learner, run, seed

KNOWN_NID = make_national_id("001", "male", 2004, 777001)
OWN_STAFF_NID = make_national_id("001", "male", 1980, 777002)  # A's own staff member
OWN_BORN = dt.date(1980, 2, 2)
PEERS = {f"B{n}": {"level": "bachelor", "opening": 100, "active": 100 + n} for n in range(6)}
BASELINE = {"P1": {"level": "bachelor", "active": 2}, "P2": {"level": "bachelor", "active": 20}}


@dataclass
class Module:
    engine: Engine
    cipher: IdCipher
    scene: World


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Module]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        db = _fresh_sqlite(template, tmp_path_factory.mktemp("rules_db"))
        yield from _build(db)
        return
    pg_template: str = request.getfixturevalue("pg_template")
    name = f"hemis_r_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    try:
        yield from _build(TestDB("postgres", _pg_url(name, "hemis_app"), _pg_url(name)))
    finally:
        with psycopg.connect(_pg_conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build(db: TestDB) -> Iterator[Module]:
    settings: Settings = db.settings()
    cipher = IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)
    owner = make_engine(db.owner_url)
    sessions = make_session_factory(owner)
    scene = seed(sessions, cipher)
    with scoped_session(sessions, Scope.system("test")) as s:
        prog = factories.program(s, _institution(s, scene.a), "POLD", opened_on=dt.date(2000, 1, 1))
        who = factories.person(s, cipher, KNOWN_NID, "Nguyễn Văn Cũ", "male", dt.date(2004, 3, 1))
        old = factories.learner(s, prog, who, "SV-OLD", admitted_on=dt.date(2022, 9, 5))
        mine = factories.person(s, cipher, OWN_STAFF_NID, "Phạm Văn Mình", "male", OWN_BORN)
        factories.staff(s, _institution(s, scene.a), mine, "A-GV1")
        s.add(
            Award(
                institution_id=scene.a,
                learner_id=old.id,
                diploma_number="VB-OLD",
                awarded_on=dt.date(2025, 7, 1),
                classification="good",
            )
        )
        s.execute(
            update(Discipline)
            .where(Discipline.code == "7220201")
            .values(valid_to=dt.date(2023, 1, 1))
        )
        for institution_id, period_id, programs in (
            (scene.a, scene.period_2024, BASELINE),
            (scene.b, scene.period_2024, PEERS),
        ):
            s.add(
                Submission(
                    institution_id=institution_id,
                    period_id=period_id,
                    version=1,
                    status="accepted",
                    opened_by="test",
                    stats={"learners": {"programs": programs}},
                )
            )
        s.commit()
    owner.dispose()
    engine = make_engine(db.url)
    yield Module(engine, cipher, scene)
    engine.dispose()


def _institution(s: Any, institution_id: int) -> Any:
    from hemis.registry.models import Institution

    return s.get(Institution, institution_id)


Rows = list[dict[str, str]]


def learners(*rows: dict[str, str]) -> tuple[str, Rows]:
    return "learners", list(rows)


def program_rows(program: str, count: int, start: int, **overrides: str) -> Rows:
    return [learner(start + i, program_code=program, **overrides) for i in range(count)]


def staff(**overrides: str) -> tuple[str, Rows]:
    return "staff", [BASE["staff"] | overrides]


def known(**overrides: str) -> dict[str, str]:
    row = learner(1, national_id=KNOWN_NID, full_name="Nguyễn Văn Cũ", sex="male")
    return row | {"date_of_birth": "2004-03-01"} | overrides


# B's learner and lecturer exactly as registered: a file that describes them so links them.
OTHER = {
    "national_id": OTHER_LEARNER_NID,
    "full_name": "Lê Thị Khác",
    "sex": "female",
    "date_of_birth": "2004-05-05",
}
OWN_STAFF = {
    "national_id": OWN_STAFF_NID,
    "full_name": "Phạm Văn Mình",
    "date_of_birth": "1980-02-02",
    "staff_code": "A-GV1",
}
LECTURER = {
    "national_id": OTHER_STAFF_NID,
    "full_name": "Trần Văn Giảng",
    "date_of_birth": "1980-01-01",
    "degree_year": "2005",
}
RECENT = {"admitted_on": "2025-09-05", "cohort_year": "2025", "status_date": "2025-09-05"}
CLEAN = program_rows("P1", 2, 100) + program_rows("P2", 20, 200)
ASSESSED = BASE["digital_competencies"] | {"student_code": "SV-OLD"}
ASSESSED_WIDE = BASE["digital_competencies_wide"] | {"student_code": "SV-OLD"}

# rule id → (passing, failing): (entity, rows)
FIXTURES: dict[str, tuple[tuple[str, Rows], tuple[str, Rows]]] = {
    "PRG.discipline_code.exists": (
        ("programs", [BASE["programs"] | {"code": "PX"}]),
        ("programs", [BASE["programs"] | {"code": "PX", "discipline_code": "7999999"}]),
    ),
    "PRG.discipline_code.valid": (
        ("programs", [BASE["programs"] | {"code": "PX"}]),
        ("programs", [BASE["programs"] | {"code": "PX", "discipline_code": "7220201"}]),
    ),
    "FAC.campus_code.exists": (
        ("facilities", [BASE["facilities"]]),
        ("facilities", [BASE["facilities"] | {"campus_code": "C9"}]),
    ),
    "LRN.program_code.exists": (learners(learner(1)), learners(learner(1, program_code="NOPE"))),
    "LRN.program_code.open": (
        learners(learner(1, program_code="PCLOSED")),
        learners(learner(1, program_code="PCLOSED", **RECENT)),
    ),
    "LRN.admitted_on.program": (
        learners(learner(1, program_code="PNEW", **RECENT)),
        learners(learner(1, program_code="PNEW")),
    ),
    "LRN.program_code.discipline": (
        learners(learner(1, program_code="P3")),
        learners(learner(1, program_code="P3", **RECENT)),
    ),
    "LRN.national_id.identity": (
        learners(known()),
        learners(known(date_of_birth="2004-03-02")),
    ),
    "LRN.full_name.registry": (
        learners(known(full_name="NGUYỄN VĂN CŨ")),
        learners(known(full_name="Nguyễn Văn Mới")),
    ),
    "LRN.student_code.person": (
        learners(known(student_code="SV-OLD")),
        learners(learner(1, student_code="SV-OLD")),
    ),
    # Tier d checks the institution's own persons only (another institution's person with
    # other details becomes a claim, silently: tests/submissions/test_person_claims.py).
    "STF.national_id.identity": (
        staff(**OWN_STAFF),
        staff(**OWN_STAFF | {"date_of_birth": "1980-02-03"}),
    ),
    "STF.full_name.registry": (
        staff(**OWN_STAFF | {"full_name": "PHẠM VĂN MÌNH"}),
        staff(**OWN_STAFF | {"full_name": "Ai Khác"}),
    ),
    "EVT.student_code.exists": (
        ("learner_status_events", [BASE["learner_status_events"] | {"student_code": "SV-OLD"}]),
        ("learner_status_events", [BASE["learner_status_events"] | {"student_code": "NOBODY"}]),
    ),
    "AWD.student_code.exists": (
        ("awards", [BASE["awards"] | {"student_code": "SV-OLD", "diploma_number": "VB-OLD"}]),
        ("awards", [BASE["awards"] | {"student_code": "NOBODY"}]),
    ),
    "AWD.student_code.awarded": (
        ("awards", [BASE["awards"] | {"student_code": "SV-OLD", "diploma_number": "VB-OLD"}]),
        ("awards", [BASE["awards"] | {"student_code": "SV-OLD", "diploma_number": "VB-NEW"}]),
    ),
    "LRN.national_id.elsewhere": (
        learners(learner(1, study_mode="part_time", **OTHER)),
        learners(learner(1, **OTHER)),
    ),
    "STF.national_id.elsewhere": (
        staff(**LECTURER | {"position": "researcher"}),
        staff(**LECTURER),
    ),
    "LRN.program_code.continuity": (
        learners(*CLEAN),
        learners(*CLEAN[1:]),
    ),
    "LRN.program_code.jump": (
        learners(*CLEAN),
        learners(*CLEAN, *program_rows("P2", 20, 300)),
    ),
    # Digital competency (hemis.competency): SV-OLD was admitted on 2022-09-05.
    "CTG.program_code.exists": (
        ("competency_targets", [BASE["competency_targets"]]),
        ("competency_targets", [BASE["competency_targets"] | {"program_code": "NOPE"}]),
    ),
    "DCP.student_code.exists": (
        ("digital_competencies", [ASSESSED]),
        ("digital_competencies", [ASSESSED | {"student_code": "NOBODY"}]),
    ),
    "DCP.assessed_on.enrolment": (
        ("digital_competencies", [ASSESSED]),
        ("digital_competencies", [ASSESSED | {"assessed_on": "2021-06-01"}]),
    ),
    "DCW.student_code.exists": (
        ("digital_competencies_wide", [ASSESSED_WIDE]),
        ("digital_competencies_wide", [ASSESSED_WIDE | {"student_code": "NOBODY"}]),
    ),
    "DCW.assessed_on.enrolment": (
        ("digital_competencies_wide", [ASSESSED_WIDE]),
        ("digital_competencies_wide", [ASSESSED_WIDE | {"assessed_on": "2021-06-01"}]),
    ),
}


@pytest.mark.parametrize("rule_id", list(db_catalogue()))
def test_db_rule_has_fixtures_and_behaves(module: Module, rule_id: str) -> None:
    rule = db_catalogue()[rule_id]
    assert rule_id in FIXTURES, f"rule {rule_id} has no passing/failing fixture"
    (pass_entity, passing), (fail_entity, failing) = FIXTURES[rule_id]
    good = run(module.engine, module.cipher, pass_entity, passing, module.scene.a, dry_run=True)
    assert rule_id not in set(good.report.issues["rule"]), good.report.issues.to_dicts()
    bad = run(module.engine, module.cipher, fail_entity, failing, module.scene.a, dry_run=True)
    hits = bad.report.issues.filter(bad.report.issues["rule"] == rule_id)
    assert hits.height, bad.report.issues.to_dicts()
    hit = hits.row(0, named=True)
    assert (hit["severity"], hit["tier"]) == (rule.severity.value, rule.tier)
    assert hit["message"]
    assert hit["message_en"]
    assert "{detail}" not in hit["message"] + hit["message_en"]


def test_no_stray_fixtures() -> None:
    assert set(FIXTURES) <= set(db_catalogue())


def test_db_rules_are_well_formed() -> None:
    for rule_id, rule in db_catalogue().items():
        assert rule.tier in "def"
        assert rule.message_vi != rule.message_en
        assert rule_id.split(".")[1] == rule.column


def test_messages_never_name_the_other_institution(module: Module) -> None:
    outcome = run(
        module.engine,
        module.cipher,
        "learners",
        [learner(1, **OTHER)],
        module.scene.a,
        dry_run=True,
    )
    assert module.scene.b_code not in outcome.report.issues.write_json()


def test_jump_detail_gives_the_numbers(module: Module) -> None:
    rows = CLEAN + program_rows("P2", 20, 300)
    outcome = run(module.engine, module.cipher, "learners", rows, module.scene.a, dry_run=True)
    jump = outcome.report.issues.filter(outcome.report.issues["rule"] == "LRN.program_code.jump")
    assert jump["message_en"].to_list() == [
        "The program's size changed unusually since last year: P2: 20 → 40 (+100%; peers +2%); "
        "please explain."
    ]
    with module.engine.connect() as conn:  # the dry run left nothing behind
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT set_config('hemis.national', 'on', false)")
        assert conn.execute(text("SELECT count(*) FROM learner")).scalar_one() == 2
