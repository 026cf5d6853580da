"""The competency indicators computed from the registry, hand-counted on a small world: shares at
or above the program's target per competency and domain, gaps, the cut-off, and what is never
counted (competencies without a target, self-assessments, later assessments)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.competency.indicators import compute_year
from hemis.competency.models import CompetencyIndicator, CompetencySelfAssessment
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.web.app import create_app
from tests.competency.world import World, assessed, run, target
from tests.conftest import TestDB
from tests.web.page_factories import csrf_of, login, make_user

API = "/api/v1/competency/indicators"

Key = tuple[str, int, str, str, str]  # population, institution, field, sex, code
Counts = tuple[int, int, int, int, int]  # with_target, assessed, met, below, gap_sum


def cube(sessions: sessionmaker[HemisSession], year: int) -> dict[Key, Counts]:
    c = CompetencyIndicator
    with scoped_session(sessions, Scope.system("test")) as s:
        rows = s.execute(
            select(
                c.population, c.institution_id, c.field_code, c.sex, c.code,
                c.with_target, c.assessed, c.met, c.below, c.gap_sum,
            ).where(c.year == year)
        ).all()  # fmt: skip
    return {(r[0], int(r[1]), r[2], r[3], r[4]): tuple(int(v) for v in r[5:]) for r in rows}  # type: ignore[misc]


def seed(engine: Engine, cipher: IdCipher, scene: World) -> None:
    targets = [target("P1", "1.1", 5), target("P1", "1.2", 4), target("P2", "1.1", 3)]
    assert run(engine, cipher, "competency_targets", targets, scene.a).rows_written == 3
    levels = [
        assessed("SV1", "1.1", 3, on="2024-01-10"),
        assessed("SV1", "1.1", 5, on="2025-06-01"),
        assessed("SV1", "1.2", 2, on="2025-06-01"),
        assessed("SV2", "1.1", 4, on="2025-06-01"),
        assessed("SV3", "1.1", 6, on="2025-06-01"),
        assessed("SV3", "6.3", 2, on="2025-06-01"),  # P2 does not target 6.3
    ]
    # four sittings: SV1 twice, SV2, SV3 (its two levels in one sitting)
    assert run(engine, cipher, "digital_competencies", levels, scene.a).rows_written == 4


def test_hand_counted_shares_gaps_and_domains(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    seed(engine, cipher, scene)
    with scoped_session(sessions, Scope.system("test")) as s:  # never counted
        s.add(
            CompetencySelfAssessment(
                person_id=scene.persons["SV2"], framework_version="TT02-2025",
                competency_code="1.2", answers="2222", score=8, band_low=7, band_high=8,
            )
        )  # fmt: skip
        s.commit()
    done = compute_year(sessions, 2025)
    a = scene.a
    assert cube(sessions, 2025) == {
        # SV1 (P1, female): 1.1 at NC1 = target; 1.2 at CB2, 2 below TC2; domain 1 below by 2
        ("learners", a, "48", "female", "1.1"): (1, 1, 1, 0, 0),
        ("learners", a, "48", "female", "1.2"): (1, 1, 0, 1, 2),
        ("learners", a, "48", "female", "D1"): (1, 1, 0, 1, 2),
        # SV2 (P1, male): 1.1 one level below; 1.2 not assessed (self-assessed only), so the
        # domain is not fully assessed
        ("learners", a, "48", "male", "1.1"): (1, 1, 0, 1, 1),
        ("learners", a, "48", "male", "1.2"): (1, 0, 0, 0, 0),
        ("learners", a, "48", "male", "D1"): (1, 0, 0, 0, 0),
        # SV3 (P2, field 34): 1.1 above its target 3; 6.3 has no target
        ("learners", a, "34", "male", "1.1"): (1, 1, 1, 0, 0),
        ("learners", a, "34", "male", "D1"): (1, 1, 1, 0, 0),
    }
    assert done.rows == 8


def test_the_cut_off_reads_only_earlier_assessments(
    engine: Engine, cipher: IdCipher, sessions: sessionmaker[HemisSession], scene: World
) -> None:
    seed(engine, cipher, scene)
    compute_year(sessions, 2024, dt.date(2024, 12, 31))
    got = cube(sessions, 2024)
    # on 31/12/2024 only SV1's TC1 of January 2024 was known: 2 levels below NC1
    assert got[("learners", scene.a, "48", "female", "1.1")] == (1, 1, 0, 1, 2)
    assert got[("learners", scene.a, "48", "male", "1.1")] == (1, 0, 0, 0, 0)
    assert got[("learners", scene.a, "34", "male", "1.1")] == (1, 0, 0, 0, 0)
    compute_year(sessions, 2024, dt.date(2024, 12, 31))  # recomputing replaces the year
    assert cube(sessions, 2024) == got


def test_dashboard_api_and_open_data(
    db: TestDB,
    engine: Engine,
    cipher: IdCipher,
    sessions: sessionmaker[HemisSession],
    scene: World,
) -> None:
    seed(engine, cipher, scene)
    run(engine, cipher, "competency_targets", [target("B1", "1.1", 2)], scene.b)
    run(engine, cipher, "digital_competencies", [assessed("B-SV1", "1.1", 7)], scene.b)
    compute_year(sessions, 2025)
    make_user(sessions, "officer_a", Role.institution_officer, scene.a_code)
    make_user(sessions, "analyst", Role.ministry_analyst)
    make_user(sessions, "admin", Role.ministry_admin)
    app = create_app(db.settings())
    try:
        with TestClient(app) as officer, TestClient(app) as analyst, TestClient(app) as public:
            login(officer, "officer_a")
            login(analyst, "analyst")
            national = analyst.get(f"{API}?year=2025").json()["items"]
            one = next(i for i in national if i["code"] == "1.1")
            # A: SV1 met, SV2 below by 1, SV3 met; B: B-SV1 met
            assert (one["with_target"], one["assessed"], one["met"], one["below"]) == (4, 4, 3, 1)
            assert one["share_met"] == 0.75
            assert one["mean_gap"] == 1.0
            mine = officer.get(f"{API}?year=2025").json()["items"]
            own = next(i for i in mine if i["code"] == "1.1")
            assert (own["assessed"], own["met"]) == (3, 2)
            by_sex = analyst.get(f"{API}?year=2025&by=sex").json()["items"]
            female = next(i for i in by_sex if i["group"] == "female" and i["code"] == "1.1")
            assert (female["assessed"], female["met"]) == (2, 2)
            page = analyst.get("/competency/indicators?year=2025&by=institution")
            assert page.status_code == 200
            assert 'id="chart-competencies"' in page.text
            gap = re.search(r'<tr id="gap-1.2">(.*?)</tr>', page.text, re.S)
            assert gap is not None
            assert "2,00" in gap.group(1) or "2.00" in gap.group(1)
            assert "Trường Đại học Láng Giềng" in page.text
            assert "Trường Đại học Láng Giềng" not in officer.get("/competency/indicators").text
            with TestClient(app) as admin:
                login(admin, "admin")
                refused = admin.post(
                    "/competency/indicators/compute",
                    data={
                        "csrf_token": csrf_of(admin.get("/competency/indicators").text),
                        "compute_year": "20x5",
                    },
                )
            assert refused.status_code == 422
            assert "Năm cần tính lại: phải là năm từ 2000 đến 2100" in refused.text
            assert 'value="20x5"' in refused.text
            csv_text = public.get("/competency/open-data/2025.csv").text
            rows = list(csv.DictReader(io.StringIO(csv_text)))
            assert rows
            # a handful of learners: every non-zero cell is below 5 and must be hidden
            shown = [int(r["value"]) for r in rows if r["value"] not in ("", None)]
            assert all(v == 0 or v >= 5 for v in shown)
            assert public.get("/competency/open-data/2025.xml").status_code == 404
    finally:
        app.state.ctx.dispose()
