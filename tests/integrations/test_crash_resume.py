"""kill -9 in the middle of a sync (a real `hemis sync insurance` subprocess), then a rerun:
nothing lost, nothing duplicated, every record's status says what happened, the killed run is
marked interrupted, and the exchange log still verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
from sqlalchemy import func, select

from hemis.integrations.models import SyncRun, SyncState
from hemis.integrations.sync import national
from tests.integrations.conftest import Nation, simulator
from tests.integrations.test_sync_http import verify_log

BATCH = 5


def committed(nation: Nation) -> int:
    with nation.engine.connect() as conn:
        national(conn)
        return int(
            conn.execute(
                select(func.count()).select_from(SyncState).where(SyncState.system == "insurance")
            ).scalar_one()
        )


def test_kill_minus_nine_mid_sync_then_resume(nation: Nation) -> None:
    env = nation.env() | {"HEMIS_SYNC_BATCH_SIZE": str(BATCH)}
    total = len(nation.awards)
    with simulator(nation, "insurance", "sluggish") as base:
        command = [sys.executable, "-m", "hemis", "sync", "insurance", "--url", base]
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 300
            while committed(nation) < 2 * BATCH and time.monotonic() < deadline:
                assert proc.poll() is None, "the sync ended before it could be killed"
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait()
        at_kill = committed(nation)
        assert 0 < at_kill < total
        assert at_kill % BATCH == 0  # a batch is committed whole or not at all

        rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert rerun.returncode == 0, rerun.stderr
        stats = httpx.get(f"{base}/_sim/stats").json()

    with nation.engine.connect() as conn:
        national(conn)
        rows = conn.execute(
            select(SyncState.institution_id, SyncState.record_id, SyncState.status).where(
                SyncState.system == "insurance"
            )
        ).all()
        runs = conn.execute(select(SyncRun.status).order_by(SyncRun.id)).scalars().all()
    keys = [(r.institution_id, r.record_id) for r in rows]
    assert sorted(keys) == sorted(nation.awards)  # none lost, none twice
    assert {r.status for r in rows} <= {"actual", "different", "not_found"}
    assert runs == ["interrupted", "finished"]
    # Only the batch in flight at the kill may have reached the registry twice.
    assert stats["distinct_received"] == total
    assert stats["records_received"] - total <= BATCH
    assert verify_log(nation).ok
