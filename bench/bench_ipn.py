"""Benchmark: the IPN endpoint on PostgreSQL under concurrent gateway notifications.

Creates a fresh database `hemis_bench_ipn` (migrated), seeds N candidates with invoices and
pending payment intents (COPY, not timed), writes one signed IPN (VNPay 2.1.0, HMAC-SHA512) per
intent, serves the app with `hemis serve --workers W` as the application role (`hemis_app`, row
-level security on), and drives `GET /payments/vnpay/ipn` with locust (headless,
FastHttpUser) for a bounded time. Each request is a full IPN transaction: signature, intent row
lock, transition, notification upsert, commit. The file of IPNs cycles, so after the first pass the
notifications are replays (answered 02, as the gateway's retries would be). Afterwards the ledger
is checked: every intent acknowledged is paid exactly once, none answered 99.

    uv run python bench/bench_ipn.py                         # 60 s, 64 users, 2 workers
    uv run python bench/bench_ipn.py --rate 320              # 64 users sending 320/s in all
    uv run python bench/bench_ipn.py --seconds 30 --users 32 --write-docs
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import platform
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psycopg

from hemis.config import DEV_VNPAY_HASH_SECRET
from hemis.db import migrate
from hemis.payments.gateways import vnpay

ADMIN_URL = os.environ.get("HEMIS_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DBNAME = "hemis_bench_ipn"
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
DOCS = ROOT / "docs" / "benchmarks.md"
TARGET_RPS, TARGET_P99_MS = 300, 300
LOCUST_CPU: list[float] = []
AMOUNT = 120_000  # 8 wishes × 15,000 đ


def conninfo(dbname: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN_URL)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def url(dbname: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(conninfo(dbname))
    who = user or info["user"]
    host, port = info.get("host", "127.0.0.1"), info.get("port", 5432)
    return f"postgresql+psycopg://{who}@{host}:{port}/{dbname}"


def copy_rows(conn: psycopg.Connection, table: str, columns: list[str], rows: list[tuple]) -> None:  # type: ignore[type-arg]
    with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def seed(n: int) -> list[str]:
    """A fresh database with n pending intents; returns their txn_refs."""
    with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DBNAME}"')
    migrate.upgrade(url(DBNAME))
    now = dt.datetime.now(dt.UTC)
    with psycopg.connect(conninfo(DBNAME)) as conn:
        conn.execute(
            "INSERT INTO admission_year (year, rules_version, created_at, updated_at) "
            "VALUES (2025, 2025, %s, %s)",
            (now, now),
        )
        persons = [
            (i, f"x{i}".encode(), i.to_bytes(32, "big"), f"Thí sinh {i}", f"thi sinh {i}",
             dt.date(2007, 1, 1), "male", "01", "VN", now, now)
            for i in range(1, n + 1)
        ]  # fmt: skip
        copy_rows(conn, "person", ["id", "national_id_enc", "national_id_index", "full_name",
                  "name_folded", "date_of_birth", "sex", "ethnicity_code", "nationality",
                  "created_at", "updated_at"], persons)  # fmt: skip
        invoices = [(i, 2025, i, 1 + i % 7, 8, 15_000, 0, AMOUNT, now) for i in range(1, n + 1)]
        copy_rows(conn, "invoice", ["id", "year", "person_id", "province_group", "wish_count",
                  "wish_fee", "exam_fee", "amount", "issued_at"], invoices)  # fmt: skip
        intents = [
            (i, i, "vnpay", str(i), AMOUNT, "pending", now, now, now) for i in range(1, n + 1)
        ]
        copy_rows(conn, "payment_intent", ["id", "invoice_id", "gateway", "txn_ref", "amount",
                  "status", "created_at", "updated_at", "sent_at"], intents)  # fmt: skip
        for name in ("person", "invoice", "payment_intent"):
            conn.execute(
                "INSERT INTO id_allocator (name, next_id) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET next_id = EXCLUDED.next_id",
                (name, n + 1),
            )
        conn.execute("ANALYZE")
        conn.commit()
    return [str(i) for i in range(1, n + 1)]


def ipn_file(refs: list[str], path: Path) -> None:
    banks = ["NCB", "VCB", "BIDV", "AGRIBANK", "VNPAYQR", "MOMO", "VISA"]
    pay_date = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).strftime(vnpay.DATE_FORMAT)
    with path.open("w", encoding="ascii") as fh:
        for n, ref in enumerate(refs):
            params = vnpay.signed(
                {
                    "vnp_TmnCode": "HEMISDEV",
                    "vnp_Amount": vnpay.to_vnp_amount(AMOUNT),
                    "vnp_BankCode": banks[n % len(banks)],
                    "vnp_CardType": "ATM",
                    "vnp_OrderInfo": f"Le phi xet tuyen 2025 HD {ref}",
                    "vnp_PayDate": pay_date,
                    "vnp_ResponseCode": "00",
                    "vnp_TransactionNo": str(14_000_000 + n),
                    "vnp_TransactionStatus": "00",
                    "vnp_TxnRef": ref,
                },
                DEV_VNPAY_HASH_SECRET,
            )
            fh.write(urlencode(params) + "\n")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "HEMIS_ENV": "test",
        "HEMIS_DATABASE_URL": url(DBNAME, "hemis_app"),
        "HEMIS_MIGRATION_DATABASE_URL": url(DBNAME),
        "HEMIS_LOG_LEVEL": "WARNING",
        "HEMIS_VAR_DIR": str(OUT / "var"),
    }
    log = (OUT / "ipn-server.log").open("wb")
    cmd = [sys.executable, "-m", "hemis", "serve", "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit("server did not start")


TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_by_pid(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) so far of each living process."""
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = _stat(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return out


def cpu_of(pids: list[int]) -> float:
    return sum(cpu_by_pid(pids).values())


def server_pids(root: int) -> list[int]:
    pids = [root]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == root:
                    pids.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
    return pids


def postgres_pids() -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    out.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return out


def run_locust(port: int, users: int, seconds: int, ipns: Path, rate: float) -> dict[str, str]:
    prefix = OUT / "ipn"
    cmd = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locust_ipn.py"),
        "--headless", "-u", str(users), "-r", str(users), "-t", f"{seconds}s",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "10",
    ]  # fmt: skip
    env = os.environ | {
        "HEMIS_BENCH_IPN_FILE": str(ipns),
        "HEMIS_BENCH_IPN_USER_RATE": str(rate / users if rate else 0),
    }
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    LOCUST_CPU.append(usage.ru_utime + usage.ru_stime)
    with (OUT / "ipn_stats.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return next(r for r in rows if r["Name"] == "Aggregated")


def ledger() -> dict[str, int]:
    with psycopg.connect(conninfo(DBNAME)) as conn:
        paid = conn.execute("SELECT count(*) FROM payment_intent WHERE status = 'paid'").fetchone()
        notes = conn.execute(
            "SELECT count(*), coalesce(sum(deliveries), 0), "
            "count(*) FILTER (WHERE outcome <> '00') FROM payment_notification"
        ).fetchone()
    assert paid is not None
    assert notes is not None
    return {"paid": paid[0], "notifications": notes[0], "deliveries": int(notes[1]),
            "not_ok_first": notes[2]}  # fmt: skip


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def write_docs(text: str) -> None:
    body = DOCS.read_text(encoding="utf-8")
    start, end = "<!-- bench_ipn:start -->", "<!-- bench_ipn:end -->"
    block = f"{start}\n{text}\n{end}"
    if start in body:
        body = re.sub(f"{start}.*?{end}", lambda _m: block, body, flags=re.S)
    else:
        body = body.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(body, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--intents", type=int, default=40_000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rate", type=float, default=0, help="offered IPN/s in all (0: as fast as answered)"
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    refs = seed(args.intents)
    ipns = OUT / "ipn_queries.txt"
    ipn_file(refs, ipns)
    print(f"seeded {len(refs):,} intents in {time.perf_counter() - t0:.1f} s", flush=True)
    port = free_port()
    server = serve(port, args.workers)
    try:
        app_pids = server_pids(server.pid)
        app_cpu, pg_before = cpu_of(app_pids), cpu_by_pid(postgres_pids())
        load_before = load_average()
        stats = run_locust(port, args.users, args.seconds, ipns, args.rate)
        load_after = load_average()
        app_cpu = cpu_of(app_pids) - app_cpu
        # Backends opened during the run (the app's pool fills lazily) count from zero.
        pg_after = cpu_by_pid(postgres_pids())
        pg_cpu = sum(cpu - pg_before.get(pid, 0.0) for pid, cpu in pg_after.items())
    finally:
        server.terminate()
        server.wait(30)
    book = ledger()
    rps = float(stats["Requests/s"])
    p50, p99 = float(stats["50%"]), float(stats["99%"])
    requests, failures = int(stats["Request Count"]), int(stats["Failure Count"])
    ok = rps >= TARGET_RPS and p99 <= TARGET_P99_MS and failures == 0
    summary = (
        f"offered {f'{args.rate:.0f}/s' if args.rate else 'no limit'}, "
        f"requests {requests:,} in {args.seconds} s: {rps:.0f}/s, p50 {p50:.0f} ms, "
        f"p99 {p99:.0f} ms, failures {failures}; ledger: {book['paid']:,} paid, "
        f"{book['notifications']:,} notifications, {book['deliveries']:,} deliveries, "
        f"{book['not_ok_first']} first answers other than 00; load {load_before} → {load_after}"
    )
    per = {
        "app": 1000 * app_cpu / max(requests, 1),
        "postgres": 1000 * pg_cpu / max(requests, 1),
        "locust": 1000 * LOCUST_CPU[0] / max(requests, 1),
    }
    capacity = 2000 / (per["app"] + per["postgres"])  # both cores, no load generator
    summary += (
        f"\nCPU per IPN: app {per['app']:.2f} ms, PostgreSQL {per['postgres']:.2f} ms, locust "
        f"{per['locust']:.2f} ms → 2 idle cores serve ≈ {capacity:.0f} IPN/s without the load "
        f"generator, ≈ {2000 / sum(per.values()):.0f}/s with it on the same cores"
    )
    print(summary)
    # Every payment recorded once: one stored notification per paid intent, no other first answer.
    assert book["paid"] == book["notifications"], book
    assert book["not_ok_first"] == 0, book
    if args.write_docs:
        out = io.StringIO()
        out.write("## Payment IPN endpoint on PostgreSQL\n\n")
        out.write(
            f"A fresh database `{DBNAME}` with {len(refs):,} pending payment intents (COPY, not "
            "timed); the app served by `hemis serve --workers "
            f"{args.workers}` as `hemis_app` (row-level security on); locust (headless, "
            f"FastHttpUser, {args.users} users, "
            f"{f'{args.rate:.0f}/s offered' if args.rate else 'no wait'}) sends pre-signed "
            "VNPay IPNs for "
            f"{args.seconds} s. Each request verifies HMAC-SHA512, locks the intent row, applies "
            "the transition, upserts the raw notification and commits; once every intent is "
            "paid the "
            "file cycles and the same IPNs come again as replays (answered 02). Locust, uvicorn "
            "and PostgreSQL share the 2 cores.\n\n"
        )
        out.write(
            f"- **Command**: `uv run python bench/bench_ipn.py --seconds {args.seconds} "
            f"--users {args.users} --workers {args.workers} --write-docs`\n"
        )
        out.write(
            f"- **Date**: {dt.date.today().isoformat()}; {platform.machine()}, "
            f"{os.cpu_count()} cores; 1-minute load average before/after: {load_before} / "
            f"{load_after} (other jobs may have been running).\n"
        )
        verdict = "met" if ok else "NOT met"
        out.write(f"- **Target**: ≥ {TARGET_RPS} IPN/s, p99 ≤ {TARGET_P99_MS} ms, 0 errors — "
                  f"{verdict}.\n\n")  # fmt: skip
        out.write("| requests | throughput | p50 | p99 | failures |\n|---|---|---|---|---|\n")
        out.write(f"| {requests:,} | {rps:.0f}/s | {p50:.0f} ms | {p99:.0f} ms | {failures} |\n\n")
        out.write(
            f"Ledger afterwards: {book['paid']:,} intents paid, {book['notifications']:,} "
            f"stored notifications ({book['deliveries']:,} deliveries counted), "
            f"{book['not_ok_first']} first answers other than 00.\n"
        )
        out.write(
            f"\nWhere the time goes (CPU time of each process over the run, per request): the "
            f"app (uvicorn workers: HTTP, FastAPI, signature, psycopg) "
            f"{per['app']:.2f} ms, PostgreSQL {per['postgres']:.2f} ms (all backends, so other "
            f"jobs' queries count too), locust {per['locust']:.2f} ms. Two idle cores would "
            f"serve ≈ {capacity:.0f} IPN/s from that CPU cost alone, ≈ "
            f"{2000 / sum(per.values()):.0f}/s with locust on the same cores.\n"
        )
        write_docs(out.getvalue())


if __name__ == "__main__":
    main()
