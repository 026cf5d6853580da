"""An intake killed mid-way (SIGKILL, no chance to clean up) leaves no half intake: the
institution's intake is one transaction, and the re-run writes it whole, exactly once.

`hemis admissions intake` runs as a real process over 5,000 confirmations (scenery inserted in
bulk). On PostgreSQL the test holds the audit log's head row, so the process stops, with its
learners already written in its transaction, where it appends the audit entries; it is killed
while it waits there. On SQLite (one writer, nothing to hold) it is killed as soon as it reports
writing learners."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, insert, text

from hemis.admissions.models import (
    AdmissionRound,
    EnrolmentConfirmation,
    RoundCandidate,
)
from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.registry.models import Person
from tests import factories
from tests.admissions import world
from tests.admissions.world import YEAR
from tests.conftest import TestDB

N = 5_000  # enough that the kill lands mid-write; the mechanism does not depend on it
TABLES = ("learner", "learner_status_event", "learner_admission", "audit_entry")


def bulk_year(db: TestDB) -> int:
    """One institution, one offer split by method (so no results are needed), a published
    final round, and N admitted candidates who all confirmed."""
    engine = make_engine(db.owner_url)
    try:
        with scoped_session(make_session_factory(engine), world.system()) as s:
            world.calendar(s, deadline_in=10 * world.DAY)
            inst = factories.institution(s, "KIL01")
            offer = world.offer(s, world.program(s, inst, "K1"), N, method_quotas={"exam": N})
            round_ = AdmissionRound(
                year=YEAR,
                number=1,
                kind="regular",
                is_final=True,
                tie_policy="group",
                status="published",
                stats={},
            )
            s.add(round_)
            s.commit()
            iid, round_id = inst.id, round_.id
        with engine.begin() as conn:
            _candidates(conn, iid, offer, round_id)
    finally:
        engine.dispose()
    return iid


def _candidates(conn: Connection, iid: int, offer: int, round_id: int) -> None:
    first = allocate_ids(conn, "person", N)
    confirmations = allocate_ids(conn, "enrolment_confirmation", N)
    now = dt.datetime.now(dt.UTC)
    persons = [
        {
            "id": first + i,
            "national_id_enc": b"x",
            "national_id_index": i.to_bytes(32, "big"),
            "full_name": f"Thí Sinh {i}",
            "name_folded": f"thi sinh {i}",
            "date_of_birth": dt.date(2007, 1, 1),
            "sex": "female",
            "ethnicity_code": "01",
            "nationality": "VN",
            "created_at": now,
            "updated_at": now,
        }
        for i in range(N)
    ]
    conn.execute(insert(table_of(Person)), persons)
    conn.execute(
        insert(table_of(RoundCandidate)),
        [
            {
                "round_id": round_id,
                "person_id": first + i,
                "institution_id": iid,
                "offer_id": offer,
                "bucket": "exam",
                "rank": 1,
                "score_h": 2000 + i % 500,
                "wishes": [],
            }
            for i in range(N)
        ],
    )
    conn.execute(
        insert(table_of(EnrolmentConfirmation)),
        [
            {
                "id": confirmations + i,
                "year": YEAR,
                "person_id": first + i,
                "round_id": round_id,
                "institution_id": iid,
                "offer_id": offer,
                "bucket": "exam",
                "confirmed_at": now,
            }
            for i in range(N)
        ],
    )


@contextmanager
def owner(db: TestDB) -> Iterator[Engine]:
    engine = make_engine(db.owner_url)
    try:
        yield engine
    finally:
        engine.dispose()


def state(db: TestDB) -> dict[str, object]:
    with owner(db) as engine, engine.connect() as conn:
        out: dict[str, object] = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
        }
        out["audit_head"] = conn.execute(text("SELECT last_seq, last_hash FROM audit_head")).all()
        out["id_allocator"] = conn.execute(
            text("SELECT name, next_id FROM id_allocator ORDER BY name")
        ).all()
        return out


def command(db: TestDB) -> tuple[list[str], dict[str, str]]:
    env = os.environ | {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": db.url,
        "HEMIS_MIGRATION_DATABASE_URL": db.owner_url,
    }
    return [sys.executable, "-m", "hemis", "admissions", "intake", "--year", str(YEAR)], env


def waiting_on_the_audit_head(db: TestDB) -> int | None:
    """The pid of the intake's backend once it waits for the audit head having written
    learners in its transaction."""
    with owner(db) as engine, engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT a.pid FROM pg_stat_activity a "
                "JOIN pg_locks l ON l.pid = a.pid AND l.granted "
                "JOIN pg_class c ON c.oid = l.relation AND c.relname = 'learner' "
                "AND l.mode = 'RowExclusiveLock' "
                "WHERE a.datname = current_database() AND a.wait_event_type = 'Lock' "
                "AND a.query LIKE '%audit_head%'"
            )
        ).scalar()
        return None if found is None else int(found)


def gone(db: TestDB, pid: int) -> bool:
    with owner(db) as engine, engine.connect() as conn:
        return not conn.execute(
            text("SELECT 1 FROM pg_stat_activity WHERE pid = :p"), {"p": pid}
        ).first()


def kill_on_postgres(db: TestDB) -> None:
    args, env = command(db)
    with owner(db) as engine, engine.connect() as holder:
        holder.execute(text("SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE"))
        with subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True) as proc:
            deadline = time.monotonic() + 180
            backend = None
            while backend is None:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the intake never reached the audit log"
                time.sleep(0.2)
                backend = waiting_on_the_audit_head(db)
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
        holder.rollback()  # the orphaned backend now finds its client gone and rolls back
    deadline = time.monotonic() + 60
    while not gone(db, backend):
        assert time.monotonic() < deadline
        time.sleep(0.2)


def kill_on_sqlite(db: TestDB) -> None:
    args, env = command(db)
    seen: list[str] = []
    with subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True) as proc:
        assert proc.stderr is not None
        deadline = time.monotonic() + 180
        for line in proc.stderr:
            seen.append(line)
            if "writing learner" in line:
                proc.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline, seen
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert not any("committing" in line for line in seen), seen


def tuple_writes(db: TestDB) -> int | None:
    """PostgreSQL's count of rows inserted, updated and deleted in the intake's tables, once
    every other backend of the database has ended (a backend reports its counts as it ends);
    None on SQLite."""
    if db.backend != "postgres":
        return None
    deadline = time.monotonic() + 60
    with owner(db) as engine:
        while True:
            with engine.connect() as conn:
                others = conn.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
                if others == 0:
                    return int(
                        conn.execute(
                            text(
                                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                                "FROM pg_stat_user_tables WHERE relname IN "
                                "('learner', 'learner_status_event', 'learner_admission', "
                                "'audit_entry', 'audit_head')"
                            )
                        ).scalar_one()
                    )
            assert time.monotonic() < deadline, "other backends did not end"
            engine.dispose()
            time.sleep(0.2)


def test_sigkill_mid_intake_leaves_no_half_intake_and_the_rerun_writes_it_once(
    db: TestDB,
) -> None:
    iid = bulk_year(db)
    before = state(db)
    if db.backend == "postgres":
        kill_on_postgres(db)
    else:
        kill_on_sqlite(db)
    assert state(db) == before
    args, env = command(db)
    start = tuple_writes(db)
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    after = state(db)
    assert (after["learner"], after["learner_status_event"], after["learner_admission"]) == (
        N,
        N,
        N,
    )
    with owner(db) as engine, engine.connect() as conn:
        distinct = conn.execute(
            text(
                "SELECT count(DISTINCT person_id), count(DISTINCT student_code), "
                "min(student_code), max(student_code) FROM learner WHERE institution_id = :i"
            ),
            {"i": iid},
        ).one()
    assert tuple(distinct) == (N, N, "KIL01-2025-00001", f"KIL01-2025-{N:05d}")
    written = tuple_writes(db)
    again = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    assert state(db) == after
    if start is not None and written is not None:
        assert written - start >= 3 * N  # the counter sees the intake's writes…
        assert tuple_writes(db) == written  # …and none by the re-run
