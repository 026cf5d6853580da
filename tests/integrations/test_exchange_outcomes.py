"""The exchange log's chain (tampering, truncation, retention purge), the outcome funnel and
the cross-institution guard, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import ProgrammingError

from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.indicators.sources import default_sources
from hemis.integrations import exchange, signing
from hemis.integrations.exchange import Message
from hemis.integrations.guard import enrolled_elsewhere
from hemis.integrations.models import SyncState
from hemis.integrations.outcomes import employed_within, graduate_outcomes, total
from hemis.integrations.sync import national
from hemis.registry.models import Learner
from tests.integrations.conftest import Nation

KEY = signing.private_key("ZGV2LW9ubHktZWQyNTUxOS1oZW1pcy1zZWVkLTMyYiE=")


def message(n: int, at: dt.datetime | None = None) -> Message:
    body = f'{{"n":{n}}}'.encode()
    env = signing.sign(KEY, body)
    return Message(
        "insurance", "request", env.message_id, None, "/v1/x", None, "sent", env.timestamp,
        env.signature, True, signing.body_sha256(body), exchange.pack({"n": n}),
        at or dt.datetime.now(dt.UTC),
    )  # fmt: skip


def append(engine: Engine, *messages: Message) -> None:
    with engine.begin() as conn:
        national(conn)
        exchange.append(conn, messages)


def verify(engine: Engine) -> exchange.VerifyResult:
    with engine.connect() as conn:
        national(conn)
        return exchange.verify(conn, {"request": KEY.public_key()})


def test_chain_detects_changes_removals_and_survives_a_purge(nation: Nation) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    append(nation.engine, *(message(n, old) for n in range(3)))
    append(nation.engine, *(message(n) for n in range(3, 6)))
    assert verify(nation.engine).ok
    assert verify(nation.engine).signatures_checked == 6
    owner = make_engine(nation.db.owner_url)
    try:
        with owner.begin() as conn:
            national(conn)
            assert exchange.purge(conn, dt.datetime.now(dt.UTC) - dt.timedelta(days=365)) == 3
        result = verify(nation.engine)
        assert result.ok, result.problems
        assert result.checked == 3
        with owner.begin() as conn:
            conn.execute(text("UPDATE exchange_entry SET outcome = 'ok' WHERE seq = 5"))
        assert any("entry 5" in p for p in verify(nation.engine).problems)
        with owner.begin() as conn:
            conn.execute(text("UPDATE exchange_entry SET outcome = 'sent' WHERE seq = 5"))
            conn.execute(text("DELETE FROM exchange_entry WHERE seq = 6"))
        assert any("head" in p for p in verify(nation.engine).problems)
    finally:
        owner.dispose()


def test_exchange_verify_command_exits_one_on_a_broken_chain(nation: Nation) -> None:
    append(nation.engine, message(1), message(2))
    command = [sys.executable, "-m", "hemis", "exchange", "verify"]
    ok = subprocess.run(command, env=nation.env(), capture_output=True, text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr
    owner = make_engine(nation.db.owner_url)
    with owner.begin() as conn:
        conn.execute(text("UPDATE exchange_entry SET endpoint = '/v1/y' WHERE seq = 1"))
    owner.dispose()
    bad = subprocess.run(command, env=nation.env(), capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert "entry 1" in bad.stderr


@pytest.mark.postgres
def test_the_application_role_cannot_rewrite_the_exchange_log(pg_db: object) -> None:
    from tests.conftest import TestDB

    assert isinstance(pg_db, TestDB)
    engine = make_engine(pg_db.url)
    append(engine, message(1))
    with engine.begin() as conn:
        national(conn)
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("DELETE FROM exchange_entry"))
    engine.dispose()


def set_state(nation: Nation, award: tuple[int, int], status: str, result: dict | None) -> None:  # type: ignore[type-arg]
    with scoped_session(make_session_factory(nation.engine), Scope.system()) as s:
        s.add(
            SyncState(
                institution_id=award[0],
                system="insurance",
                record_id=award[1],
                person_id=0,
                status=status,
                result=result,
                attempts=1,
            )
        )
        s.commit()


def test_the_funnel_counts_every_stage(nation: Nation) -> None:
    a = nation.awards
    job = {"insured": True, "sector": "J", "start_date": "2024-09-01"}
    set_state(nation, a[0], "actual", job)  # employed, with sector
    set_state(nation, a[1], "different", {**job, "sector": None})  # employed, no sector
    set_state(nation, a[2], "actual", {**job, "start_date": "2025-08-01"})  # later than 12 months
    set_state(nation, a[3], "not_found", None)  # synced, never insured
    set_state(nation, a[4], "error", None)  # submitted, not synced
    with scoped_session(make_session_factory(nation.engine), Scope.system()) as s:
        funnels = graduate_outcomes(s, 2024)
        by_program = graduate_outcomes(s, 2024, "program")
        none = graduate_outcomes(s, 2023)
    t = total(funnels)
    assert (t.graduates, t.submitted, t.synced, t.matched, t.with_sector) == (len(a), 5, 4, 3, 2)
    assert t.employed_within_12_months == 2
    assert t.employment_rate == 0.5
    assert len(funnels) == 2
    assert sum(f.graduates for f in by_program) == len(a)
    assert none == []


@given(st.integers(-400, 800), st.booleans())
def test_employed_within_12_months_is_a_start_no_later_than_365_days(
    days: int, insured: bool
) -> None:
    awarded = dt.date(2024, 6, 30)
    result = {"insured": insured, "start_date": (awarded + dt.timedelta(days=days)).isoformat()}
    assert employed_within(result, awarded) == (insured and days <= 365)


def test_guard_flags_a_full_time_enrolment_at_another_institution(nation: Nation) -> None:
    with scoped_session(make_session_factory(nation.engine), Scope.system()) as s:
        enrolled = s.scalars(select(Learner).where(Learner.status == "enrolled")).first()
        assert enrolled is not None
        home, other = (
            enrolled.institution_id,
            next(i for i in nation.institutions if i != enrolled.institution_id),
        )
        part_time = s.scalars(
            select(Learner).where(Learner.status == "graduated", Learner.institution_id == home)
        ).first()
        assert part_time is not None
        person_ids = [enrolled.person_id, part_time.person_id]
    with nation.engine.connect() as conn:
        national(conn)
        flagged = enrolled_elsewhere(conn, other, person_ids)
        assert flagged == {enrolled.person_id: [home]}
        assert enrolled_elsewhere(conn, home, person_ids) == {}


def test_the_indicator_engine_reads_employment_and_matches_from_the_sync(nation: Nation) -> None:
    """The sources the indicators compute with by default are these integrations: the funnel's
    employment (among graduates the insurance registry answered for) and the exact-match count."""
    a = nation.awards
    job = {"insured": True, "sector": "J", "start_date": "2024-09-01"}
    set_state(nation, a[0], "actual", job)
    set_state(nation, a[1], "different", job)
    set_state(nation, a[2], "not_found", None)
    set_state(nation, a[3], "error", None)
    sources = default_sources()
    with nation.engine.connect() as conn:
        national(conn)
        employment = sources.employment.employment(conn, 2024)
        matches = sources.external_match.match_counts(conn, 2024)
    expected: dict[int, list[int]] = {}
    for institution_id, _award in a[:4]:
        expected.setdefault(institution_id, [0, 0, 0])
    statuses = ["actual", "different", "not_found", "error"]
    for (institution_id, _), status in zip(a[:4], statuses, strict=True):
        counts = expected[institution_id]
        counts[0] += status != "error"  # answered
        counts[1] += status in ("actual", "different")  # employed (both insured in time)
        counts[2] += status == "actual"  # exact match
    assert {i: (c.matched, c.employed) for i, c in employment.items()} == {
        i: (c[0], c[1]) for i, c in expected.items() if c[0]
    }
    assert {i: (m.checked, m.matched) for i, m in matches.items()} == {
        i: (c[0], c[2]) for i, c in expected.items() if c[0]
    }
