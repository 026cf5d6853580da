"""Row-level security on the candidates' admissions records (wish, round_candidate,
enrolment_confirmation, published_result), tested as the application role without the ORM
filter; and the application role's narrow rights on the payment ledger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from hemis.admissions import queries_public, rounds
from hemis.admissions.models import AdmissionOffer
from hemis.admissions.schemas import RoundCreate
from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession, make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from tests import factories
from tests.admissions import world
from tests.admissions.world import DAY, YEAR
from tests.conftest import TestDB

pytestmark = pytest.mark.postgres
TABLES = ("wish", "round_candidate", "enrolment_confirmation", "published_result")


@dataclass
class Scene:
    a: int  # institution A: offer X (1 seat)
    b: int  # institution B: offer Z (1 seat)
    x: int
    z: int
    c1: int  # wishes Z then X: admitted at B
    c2: int  # wishes X: admitted at A
    c3: int  # wishes Z: not admitted


@pytest.fixture
def cipher() -> IdCipher:
    """The development keys (this module runs on PostgreSQL only)."""
    settings = Settings()
    return IdCipher.from_settings(settings.id_encryption_key, settings.blind_index_key)


@pytest.fixture
def app_engine(pg_db: TestDB) -> Iterator[Engine]:
    engine = make_engine(pg_db.url)
    yield engine
    engine.dispose()


@pytest.fixture
def scene(app_engine: Engine, pg_db: TestDB, cipher: IdCipher) -> Scene:
    sessions = make_session_factory(app_engine)
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)
        a, b = factories.institution(s, "RLA"), factories.institution(s, "RLB")
        x = world.offer(s, world.program(s, a, "X"), 1)
        z = world.offer(s, world.program(s, b, "Z"), 1)
        cs = [world.candidate(s, cipher, i) for i in range(1, 4)]
        world.import_exam(
            s,
            {
                c.number: {"math": str(p), "physics": str(p), "chemistry": str(p)}
                for c, p in zip(cs, (9, 8, 7), strict=True)
            },
        )
        world.wish(s, cs[0], b.id, z)
        world.wish(s, cs[0], a.id, x)
        world.wish(s, cs[1], a.id, x)
        world.wish(s, cs[2], b.id, z)
        r = rounds.create_round(s, RoundCreate(year=YEAR, is_final=True))
        rounds.take_snapshot(s, r.id, now=utcnow() + 2 * DAY)
        rounds.run_round(s, r.id)
        rounds.publish_round(s, r.id)
        scene = Scene(a.id, b.id, x, z, *(c.person_id for c in cs))
        s.execute(
            text(
                "INSERT INTO enrolment_confirmation (id, year, person_id, round_id, "
                "institution_id, offer_id, bucket, confirmed_at) VALUES "
                "(900001, :y, :p, :r, :i, :o, '', now())"
            ),
            {"y": YEAR, "p": scene.c2, "r": r.id, "i": scene.a, "o": scene.x},
        )
        s.commit()
    return scene


def _persons(conn: psycopg.Connection[tuple[int]], table: str) -> set[int]:
    return {row[0] for row in conn.execute(f"SELECT person_id FROM {table}")}


def _as_app(pg_db: TestDB, **settings: str) -> psycopg.Connection[tuple[int]]:
    conn: psycopg.Connection[tuple[int]] = psycopg.connect(
        pg_db.url.replace("postgresql+psycopg://", "postgresql://")
    )
    for name, value in settings.items():
        conn.execute("SELECT set_config(%s, %s, true)", (f"hemis.{name}", value))
    return conn


def test_the_three_tables_are_under_forced_row_level_security(pg_db: TestDB) -> None:
    with psycopg.connect(pg_db.owner_url.replace("postgresql+psycopg://", "postgresql://")) as c:
        rows = c.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
            "WHERE relname = ANY(%s)",
            (list(TABLES),),
        ).fetchall()
    assert sorted(rows) == sorted((t, True, True) for t in TABLES)


def test_each_scope_sees_only_its_rows(pg_db: TestDB, scene: Scene) -> None:
    everyone = {scene.c1, scene.c2, scene.c3}
    with _as_app(pg_db) as conn:  # no scope at all: nothing
        assert all(_persons(conn, t) == set() for t in TABLES)
    with _as_app(pg_db, national="on") as conn:
        assert _persons(conn, "wish") == everyone
        assert _persons(conn, "round_candidate") == everyone
        assert _persons(conn, "published_result") == everyone
    with _as_app(pg_db, person_id=str(scene.c2)) as conn:  # a candidate: their own
        assert _persons(conn, "wish") == {scene.c2}
        assert _persons(conn, "published_result") == {scene.c2}
        assert _persons(conn, "round_candidate") == {scene.c2}
        assert _persons(conn, "enrolment_confirmation") == {scene.c2}
    with _as_app(pg_db, institution_id=str(scene.a)) as conn:
        assert {r[0] for r in conn.execute("SELECT institution_id FROM wish")} == {scene.a}
        # Its applicants' outcomes, including c1's, admitted elsewhere; never c3's.
        assert _persons(conn, "round_candidate") == {scene.c1, scene.c2}
        assert _persons(conn, "enrolment_confirmation") == {scene.c2}
        assert _persons(conn, "published_result") == set()  # the candidates' own reading
    with _as_app(pg_db, institution_id=str(scene.b)) as conn:
        assert _persons(conn, "round_candidate") == {scene.c1, scene.c3}
        assert _persons(conn, "enrolment_confirmation") == set()


def test_a_candidate_cannot_write_someone_elses_wish(pg_db: TestDB, scene: Scene) -> None:
    with (
        _as_app(pg_db, person_id=str(scene.c2)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "INSERT INTO wish (id, year, person_id, rank, institution_id, offer_id, "
            "created_at, updated_at) VALUES (900002, %s, %s, 9, %s, %s, now(), now())",
            (YEAR, scene.c3, scene.b, scene.z),
        )
    with _as_app(pg_db, person_id=str(scene.c2)) as conn:
        moved = conn.execute(
            "UPDATE wish SET rank = rank WHERE person_id = %s", (scene.c3,)
        ).rowcount
        assert moved == 0  # invisible, so untouched


def test_the_read_model_is_written_nationally_and_never_changed(
    pg_db: TestDB, scene: Scene
) -> None:
    with (
        _as_app(pg_db, person_id=str(scene.c2)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "INSERT INTO published_result SELECT * FROM published_result WHERE false "
            "UNION ALL SELECT round_id + 1000, person_id, year, round_number, round_kind, "
            "round_final, confirm_deadline_at, institution_id, offer_id, offer_code, "
            "offer_name_vi, institution_code, institution_name_vi, institution_name_en, "
            "rank, score_h, cutoff_h, outcome, wishes, published_at FROM published_result"
        )
    with (
        _as_app(pg_db, national="on") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("UPDATE published_result SET score_h = 0")


def test_officers_still_see_their_applicants_outcomes(app_engine: Engine, scene: Scene) -> None:
    sessions: sessionmaker[HemisSession] = make_session_factory(app_engine)
    officer = Scope("user:officer", scene.a, True, "institution_officer")
    with scoped_session(sessions, officer) as s:
        offer = s.get(AdmissionOffer, (scene.a, scene.x))
        assert offer is not None
        rows, total = queries_public.applicants(s, offer)
    assert total == 2
    admitted = {row.admitted for row in rows}
    assert admitted == {True, False}  # c2 here; c1 elsewhere (an outcome, not "unknown")


def test_the_app_role_updates_only_what_the_ledger_lets_change(pg_db: TestDB) -> None:
    with _as_app(pg_db) as conn:
        conn.execute("UPDATE payment_notification SET deliveries = deliveries + 1, last_at = now()")
    for statement in (
        "UPDATE payment_notification SET outcome = '00'",
        "UPDATE payment_notification SET payload = '{}'",
        "UPDATE payment_notification SET intent_id = 1",
        "UPDATE payment_refund SET amount = 0",
        "UPDATE payment_refund SET response_code = '00'",
    ):
        with _as_app(pg_db) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
