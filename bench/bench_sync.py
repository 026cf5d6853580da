"""Benchmark: sync ≈ 500,000 graduates with the social-insurance simulator (realistic faults)
on PostgreSQL, then a run killed with kill -9 mid-sync and its rerun, then linkage of the
civil-servant roster with precision and recall against the simulator's ground truth.

Creates a fresh database, loads the synthetic nation at `--scale` (awards of every year are the
graduates synced), starts `hemis registry-sim insurance --fault-profile realistic` and
`hemis registry-sim civil-service` as subprocesses over loopback HTTP, and runs `hemis sync`
as a subprocess (so it can be killed), as the application role hemis_app.

    uv run python bench/bench_sync.py                 # scale 0.375 → ≈ 507,000 graduates
    uv run python bench/bench_sync.py --scale 0.02 --keep
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import httpx
import psycopg

from hemis.db import migrate

ADMIN_URL = os.environ.get("HEMIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DBNAME = "hemis_bench_sync"
TARGET_SECONDS = 600


def conninfo(dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_URL)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def url(dbname: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(conninfo(dbname))
    who = user or info["user"]
    host, port = info.get("host", "127.0.0.1"), info.get("port", 5432)
    return f"postgresql+psycopg://{who}@{host}:{port}/{dbname}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def env(var_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "HEMIS_DATABASE_URL": url(DBNAME, "hemis_app"),
        "HEMIS_MIGRATION_DATABASE_URL": url(DBNAME),
        "HEMIS_VAR_DIR": var_dir,
    }


def hemis(*args: str, var_dir: str) -> list[str]:
    return [sys.executable, "-m", "hemis", *args]


def start_sim(kind: str, profile: str, var_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        hemis("registry-sim", kind, "--port", str(port), "--source", url(DBNAME),
              "--fault-profile", profile, "--slow-seconds", "6", var_dir=var_dir),
        env=env(var_dir),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/_sim/health", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(1)
    raise RuntimeError("simulator did not start")


def scalar(sql: str) -> Any:
    with psycopg.connect(conninfo(DBNAME)) as conn:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None


def sync_cmd(base: str, var_dir: str) -> list[str]:
    return hemis("sync", "insurance", "--url", base, var_dir=var_dir)


def timed_sync(base: str, var_dir: str) -> tuple[float, dict[str, Any]]:
    t0 = time.perf_counter()
    out = subprocess.run(
        sync_cmd(base, var_dir), env=env(var_dir), check=True, capture_output=True, text=True
    )
    return time.perf_counter() - t0, json.loads(out.stdout)


def check_complete(total: int) -> dict[str, Any]:
    return {
        "graduates": total,
        "state_rows": scalar("SELECT COUNT(*) FROM sync_state WHERE system = 'insurance'"),
        "duplicates": scalar(
            "SELECT COUNT(*) FROM (SELECT institution_id, record_id FROM sync_state "
            "WHERE system = 'insurance' GROUP BY 1, 2 HAVING COUNT(*) > 1) d"
        ),
        "missing": scalar(
            "SELECT COUNT(*) FROM award a LEFT JOIN sync_state s ON s.institution_id = "
            "a.institution_id AND s.record_id = a.id AND s.system = 'insurance' "
            "WHERE s.id IS NULL"
        ),
        "unanswered": scalar(
            "SELECT COUNT(*) FROM sync_state WHERE system = 'insurance' AND status NOT IN "
            "('actual', 'different', 'not_found')"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=0.375)
    parser.add_argument("--kill-after", type=float, default=0.4, help="fraction synced")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database (--keep)")
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="bench-sync-")
    report: dict[str, Any] = {"load_before": os.getloadavg()}

    if args.reuse:
        with psycopg.connect(conninfo(DBNAME), autocommit=True) as conn:
            for table in (
                "sync_state",
                "sync_run",
                "exchange_entry",
                "exchange_head",
                "person_link",
            ):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("VACUUM ANALYZE")
    else:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{DBNAME}"')
        migrate.upgrade(url(DBNAME))
        t0 = time.perf_counter()
        subprocess.run(
            hemis("synth", "--scale", str(args.scale), "--seed", "2026", var_dir=var_dir),
            env={**env(var_dir), "HEMIS_DATABASE_URL": url(DBNAME)},
            check=True,
            capture_output=True,
        )
        report["synth_seconds"] = round(time.perf_counter() - t0, 1)
    total = int(scalar("SELECT COUNT(*) FROM award"))
    report["graduates"] = total

    # 1. The full sync, timed, against the realistic fault profile.
    t0 = time.perf_counter()
    sim, base = start_sim("insurance", "realistic", var_dir)
    report["simulator_start_seconds"] = round(time.perf_counter() - t0, 1)
    try:
        seconds, summary = timed_sync(base, var_dir)
        report["full_sync"] = {
            "seconds": round(seconds, 1),
            "records_per_second": round(total / seconds),
            "summary": summary,
            "sim_stats": httpx.get(f"{base}/_sim/stats").json(),
            "check": check_complete(total),
            "load_after": os.getloadavg(),
        }
        print(json.dumps(report["full_sync"], indent=1), flush=True)

        # 2. Forget the answers, sync again and kill -9 mid-way, then rerun.
        with psycopg.connect(conninfo(DBNAME)) as conn:
            conn.execute("DELETE FROM sync_state WHERE system = 'insurance'")
        before = httpx.get(f"{base}/_sim/stats").json()
        proc = subprocess.Popen(sync_cmd(base, var_dir), env=env(var_dir),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        while proc.poll() is None:
            done = scalar("SELECT COUNT(*) FROM sync_state WHERE system = 'insurance'")
            if done >= args.kill_after * total:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.2)
        proc.wait()
        at_kill = scalar("SELECT COUNT(*) FROM sync_state WHERE system = 'insurance'")
        seconds, summary = timed_sync(base, var_dir)
        after = httpx.get(f"{base}/_sim/stats").json()
        delivered = after["records_received"] - before["records_received"]
        report["kill_and_resume"] = {
            "records_committed_at_kill": at_kill,
            "rerun_seconds": round(seconds, 1),
            "rerun_summary": summary,
            "check": check_complete(total),
            "records_delivered_to_registry": delivered,
            "redelivered_after_kill": delivered - total,
            "runs": scalar(
                "SELECT json_agg(json_build_object('id', id, 'status', status) ORDER BY id) "
                "FROM sync_run"
            ),
        }
        print(json.dumps(report["kill_and_resume"], indent=1), flush=True)
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait()

    verify = subprocess.run(
        hemis("exchange", "verify", var_dir=var_dir), env=env(var_dir), capture_output=True,
        text=True,
    )  # fmt: skip
    report["exchange_verify"] = {"exit": verify.returncode, "out": verify.stdout.strip()}

    # 3. Linkage of the civil-servant roster, measured against the simulator's ground truth.
    sim, base = start_sim("civil-service", "none", var_dir)
    try:
        t0 = time.perf_counter()
        out = subprocess.run(
            hemis("sync", "link", "--url", base, var_dir=var_dir), env=env(var_dir),
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        link_seconds = time.perf_counter() - t0
        truth = httpx.get(f"{base}/_sim/ground-truth", timeout=60).json()["roster"]
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait()
    from hemis.db.session import make_engine
    from hemis.integrations.linkage_job import evaluate

    engine = make_engine(url(DBNAME))
    report["linkage"] = {
        "seconds": round(link_seconds, 1),
        "run": json.loads(out.stdout),
        "quality": evaluate(engine, truth),
    }
    engine.dispose()
    report["load_after"] = os.getloadavg()
    report["target_met"] = report["full_sync"]["seconds"] <= TARGET_SECONDS
    print(json.dumps(report, indent=1))
    if not args.keep:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
