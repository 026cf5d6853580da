"""Sync jobs over real HTTP against the simulators (subprocesses), on SQLite and PostgreSQL:
statuses that match the registry's truth, field-level diffs, only changed records re-sent,
injected faults retried and logged, a registry that stays down leaves `error` statuses that the
next run repairs, and a signed, verifiable exchange log without a plaintext national ID."""

from __future__ import annotations

import zlib

import httpx
from sqlalchemy import select, text, update

from hemis.db.base import table_of
from hemis.integrations import exchange, signing
from hemis.integrations.models import ExchangeEntry, SyncState
from hemis.integrations.sync import SyncParams, national
from hemis.integrations.wiring import run_sync
from hemis.registry.models import Person
from tests.integrations.conftest import Nation, simulator

STATE = table_of(SyncState)
ENTRY = table_of(ExchangeEntry)


def all_states(nation: Nation, system: str) -> dict[int, dict[str, object]]:
    with nation.engine.connect() as conn:
        national(conn)
        rows = conn.execute(select(STATE).where(STATE.c.system == system)).mappings()
        return {int(r["record_id"]): dict(r) for r in rows}


def verify_log(nation: Nation) -> exchange.VerifyResult:
    keys = {
        "request": signing.private_key(nation.settings.exchange_signing_key).public_key(),
        "response": signing.public_key(nation.settings.registry_public_key),
    }
    with nation.engine.connect() as conn:
        national(conn)
        return exchange.verify(conn, keys)


def assert_no_plaintext_ids(nation: Nation) -> None:
    with nation.engine.connect() as conn:
        national(conn)
        bodies = [zlib.decompress(b).decode() for (b,) in conn.execute(select(ENTRY.c.body))]
        people = conn.execute(select(Person.national_id_enc)).scalars().all()
    ids = [nation.cipher.decrypt(p) for p in people]
    assert bodies
    for body in bodies:
        assert not any(nid in body for nid in ids)


def test_population_statuses_follow_the_registry_and_only_changes_are_resent(
    nation: Nation,
) -> None:
    with simulator(nation, "population") as base:
        params = SyncParams("population")
        summary = run_sync(nation.engine, nation.settings, params, base)
        truth = httpx.get(f"{base}/_sim/ground-truth").json()
        states = all_states(nation, "population")
        assert summary.sent == len(nation.learners) == len(states)
        for learner_id, state in states.items():
            fact = truth[str(nation.person_of_learner[learner_id])]
            if fact["absent"]:
                assert state["status"] == "not_found"
            elif fact["noised"]:
                assert state["status"] == "different"
                assert set(state["diff"]) == set(fact["noised"])  # type: ignore[arg-type]
            else:
                assert state["status"] == "actual", state
        assert verify_log(nation).ok
        assert_no_plaintext_ids(nation)

        again = run_sync(nation.engine, nation.settings, params, base)
        assert again.sent == 0
        assert again.skipped == len(nation.learners)

        # The institution fixes a name at the source: only that record goes out again.
        different = next(k for k, v in states.items() if v["status"] == "different")
        wanted = states[different]["diff"]
        with nation.engine.begin() as conn:
            national(conn)
            pid = nation.person_of_learner[different]
            if "full_name" in wanted:  # type: ignore[operator]
                name = wanted["full_name"]["registry"]  # type: ignore[index]
                conn.execute(update(Person).where(Person.id == pid).values(full_name=name))
            else:
                conn.execute(
                    text("UPDATE person SET full_name = full_name || 'x' WHERE id = :p"), {"p": pid}
                )
        third = run_sync(nation.engine, nation.settings, params, base)
        assert third.sent == 1
        after = all_states(nation, "population")[different]
        assert after["attempts"] == 2
        if "full_name" in wanted and len(wanted) == 1:  # type: ignore[arg-type]
            assert after["status"] == "actual"
        stats = httpx.get(f"{base}/_sim/stats").json()
        assert stats["records_received"] == len(nation.learners) + 1


def test_faults_are_retried_signed_and_logged(nation: Nation) -> None:
    with simulator(nation, "insurance") as base:
        queue = ["5xx", "5xx", "malformed", "unsigned", "bad_signature"]
        assert httpx.post(f"{base}/_sim/faults", json={"queue": queue}).json()["queued"] == 5
        summary = run_sync(nation.engine, nation.settings, SyncParams("insurance"), base)
        states = all_states(nation, "insurance")
        assert len(states) == len(nation.awards) == summary.total
        assert {s["status"] for s in states.values()} <= {"actual", "different", "not_found"}
        found = [s for s in states.values() if s["status"] != "not_found"]
        assert found
        assert all("insured" in s["result"] for s in found)
        with nation.engine.connect() as conn:
            national(conn)
            outcomes = set(conn.execute(select(ENTRY.c.outcome)).scalars())
        assert {"http_error", "malformed", "unsigned", "bad_signature", "ok", "sent"} <= outcomes
        assert verify_log(nation).ok


def test_a_registry_that_stays_down_leaves_error_statuses_then_recovers(nation: Nation) -> None:
    settings = nation.settings.model_copy(
        update={"registry_max_attempts": 2, "registry_breaker_cooldown_seconds": 0.2}
    )
    with simulator(nation, "insurance") as base:
        httpx.post(f"{base}/_sim/faults", json={"queue": ["5xx"] * 2})
        down = run_sync(nation.engine, settings, SyncParams("insurance", passes=1), base)
        assert down.failed_batches == 1
        states = all_states(nation, "insurance")
        assert {s["status"] for s in states.values()} == {"error"}
        assert {s["error"] for s in states.values()} == {"http_error"}
        up = run_sync(nation.engine, settings, SyncParams("insurance"), base)
        assert up.sent == len(nation.awards)
        states = all_states(nation, "insurance")
        assert "error" not in {s["status"] for s in states.values()}
        assert {s["attempts"] for s in states.values()} == {2}


def test_a_timeout_is_retried(nation: Nation) -> None:
    settings = nation.settings.model_copy(update={"registry_timeout_seconds": 0.5})
    with simulator(nation, "civil-service", "none", "--slow-seconds", "2") as base:
        httpx.post(f"{base}/_sim/faults", json={"queue": ["slow"]})
        summary = run_sync(nation.engine, settings, SyncParams("civil_service"), base)
        assert summary.failed_batches == 0
        assert summary.sent == summary.total > 0
        with nation.engine.connect() as conn:
            national(conn)
            outcomes = list(conn.execute(select(ENTRY.c.outcome).order_by(ENTRY.c.seq)).scalars())
        assert outcomes[:3] == ["sent", "timeout", "sent"]
        states = all_states(nation, "civil_service")
        assert {s["status"] for s in states.values()} <= {"actual", "different", "not_found"}
