"""Benchmark: one national admission round from the PostgreSQL database.

    uv run python bench/bench_round.py                      # 850,000 candidates, ~7.6M wishes
    uv run python bench/bench_round.py --candidates 100000  # a smaller nation

A fresh database (`hemis_bench_round`) is migrated and filled with a synthetic admissions year
through COPY (not timed in the target): 500 institutions, 4,000 programs and offers (exam
combinations; some also take the grade-12 transcript or the HSA test, with the institutions'
conversion tables), the candidates as persons with exam registrations, exam scores (Math,
Literature and two electives, 0.25 steps), transcripts for half of them and HSA for a tenth, and
about 9 distinct wishes each, drawn by Zipf-like popularity. Then, as the application role
(hemis_app, row-level security on) through the admissions services, it times one round:

1. snapshot — read everything, compute every wish's admission score (vectorised), serialise,
   hash and store the immutable snapshot;
2. run — load and check the snapshot, match (deferred acceptance), write one result row per
   candidate (with every wish's score) and per program.

The target is ≤ 60 s for the two steps together. `--verify` also re-runs from the snapshot.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numba
import numpy as np
import polars as pl
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from hemis.admissions import round_verify, rounds  # noqa: E402
from hemis.admissions.schemas import RoundCreate  # noqa: E402
from hemis.db import migrate  # noqa: E402
from hemis.db.session import make_engine, make_session_factory, scoped_session  # noqa: E402
from hemis.db.tenancy import Scope  # noqa: E402

YEAR = 2025
ADMIN = os.environ.get("HEMIS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
COMBINATIONS = {
    "A00": ("math", "physics", "chemistry"),
    "A01": ("math", "physics", "english"),
    "B00": ("math", "chemistry", "biology"),
    "C00": ("literature", "history", "geography"),
    "D01": ("literature", "math", "english"),
    "D07": ("math", "chemistry", "english"),
    "C01": ("literature", "math", "physics"),
    "X06": ("math", "physics", "informatics"),
    "X26": ("math", "informatics", "english"),
    "C03": ("literature", "math", "history"),
}
# (elective pair, share): what candidates sit besides Math and Literature
ELECTIVES = [
    (("physics", "chemistry"), 0.30),
    (("physics", "foreign_language"), 0.12),
    (("chemistry", "biology"), 0.10),
    (("history", "geography"), 0.28),
    (("foreign_language", "chemistry"), 0.08),
    (("informatics", "foreign_language"), 0.05),
    (("physics", "informatics"), 0.04),
    (("history", "foreign_language"), 0.03),
]
SUBJECT_OF = {"foreign_language": "english"}
TRANSCRIPT_SUBJECTS = ["math", "literature", "physics", "chemistry", "english", "history"]


def conninfo(dbname: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(ADMIN)
    info["dbname"] = dbname
    if user:
        info["user"] = user
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def sa_url(dbname: str, user: str | None = None) -> str:
    info = psycopg.conninfo.conninfo_to_dict(conninfo(dbname, user))
    host, port = info.get("host", "127.0.0.1"), info.get("port", 5432)
    return f"postgresql+psycopg://{info['user']}@{host}:{port}/{dbname}"


# --- synthetic data ---------------------------------------------------------------------------


@numba.njit(cache=True)
def _draw(counts, cumulative, n_offers, seed):  # type: ignore[no-untyped-def]
    """Distinct offers per candidate by popularity (rejection of repeats)."""
    np.random.seed(seed)
    out = np.empty(counts.sum(), np.int32)
    mark = np.full(n_offers, -1, np.int64)
    pos = 0
    for c in range(counts.shape[0]):
        taken = 0
        while taken < counts[c]:
            p = np.searchsorted(cumulative, np.random.random() * cumulative[-1], side="right")
            if p >= n_offers or mark[p] == c:
                continue
            mark[p] = c
            out[pos] = p
            pos += 1
            taken += 1
    return out


def generate(
    n_cand: int, n_offers: int, n_inst: int, mean_wishes: float, seed: int
) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    now = dt.datetime.now(dt.UTC).isoformat()
    inst_id = np.arange(1, n_inst + 1, dtype=np.int64)
    frames: dict[str, pl.DataFrame] = {}
    frames["institution"] = pl.DataFrame(
        {
            "id": inst_id,
            "moet_code": [f"B{i:04d}" for i in inst_id],
            "name_vi": [f"Trường Đại học Thử nghiệm {i}" for i in inst_id],
            "name_folded": [f"truong dai hoc thu nghiem {i}" for i in inst_id],
            "type": "university",
            "ownership": "public",
            "governing_body": "Bộ Giáo dục và Đào tạo",
            "province_code": "01",
            "status": "active",
            "trains_doctorates": False,
            "specialised": False,
            "created_at": now,
            "updated_at": now,
        }
    )
    offer_id = np.arange(1, n_offers + 1, dtype=np.int64)
    offer_inst = np.sort(rng.integers(1, n_inst + 1, n_offers))
    offer_inst[:n_inst] = inst_id  # every institution has at least one offer
    offer_inst.sort()
    disciplines = ["7480201", "7340101", "7220201", "7520201", "7140209", "7380101", "7310101"]
    discipline = rng.choice(disciplines, n_offers, p=[0.3, 0.25, 0.15, 0.12, 0.06, 0.07, 0.05])
    frames["program"] = pl.DataFrame(
        {
            "institution_id": offer_inst,
            "id": offer_id,
            "discipline_code": discipline,
            "code": [f"P{i}" for i in offer_id],
            "name_vi": [f"Chương trình {i}" for i in offer_id],
            "level": "bachelor",
            "mode": "full_time",
            "language": "vi",
            "credits": 130,
            "duration_years": 4.0,
            "accreditation_status": "none",
            "opened_on": "2015-09-01",
            "annual_quota": 200,
            "status": "open",
            "created_at": now,
            "updated_at": now,
        }
    )
    popularity = 1.0 / np.arange(1, n_offers + 1) ** 0.8
    rng.shuffle(popularity)
    quota = np.maximum(5, np.round(popularity / popularity.sum() * n_cand * 0.82)).astype(np.int64)
    codes = list(COMBINATIONS)
    combos, methods = [], []
    for _ in range(n_offers):
        chosen = rng.choice(codes, rng.integers(4, 8), replace=False)
        combos.append(
            json.dumps({c: int(rng.choice([0, 0, 0, -50, -25, 25])) for c in sorted(chosen)})
        )
        m = ["exam"]
        if rng.random() < 0.3:
            m.append("transcript")
        if rng.random() < 0.1:
            m.append("hsa")
        methods.append(json.dumps(m))
    frames["admission_offer"] = pl.DataFrame(
        {
            "institution_id": offer_inst,
            "id": offer_id,
            "year": YEAR,
            "program_id": offer_id,
            "code": [f"XT{i}" for i in offer_id],
            "name_vi": [f"Chương trình {i}" for i in offer_id],
            "discipline_code": discipline,
            "quota": quota,
            "method_quotas": "{}",
            "methods": methods,
            "combinations": combos,
            "floor_h": rng.choice([1500, 1600, 1700, 1800], n_offers),
            "tiebreaks": '["math"]',
            "status": "open",
            "created_at": now,
            "updated_at": now,
        }
    )
    tables = []
    for i in inst_id:
        tables.append(
            (i, "transcript", [[0, 0], [2100, 1500], [2550, 2100], [2850, 2600], [3000, 3000]])
        )
        tables.append(
            (i, "hsa", [[0, 0], [7000, 1700], [9500, 2350], [11500, 2750], [15000, 3000]])
        )
    frames["conversion_table"] = pl.DataFrame(
        {
            "institution_id": [t[0] for t in tables],
            "id": np.arange(1, len(tables) + 1),
            "year": YEAR,
            "method": [t[1] for t in tables],
            "points": [json.dumps(t[2]) for t in tables],
            "note": "",
            "created_at": now,
            "updated_at": now,
        }
    )
    person = np.arange(1, n_cand + 1, dtype=np.int64)
    frames["person"] = pl.DataFrame(
        {
            "id": person,
            "national_id_enc": [b"\x00" * 28] * n_cand,
            "national_id_index": [i.to_bytes(32, "big") for i in range(1, n_cand + 1)],
            "full_name": "Thí sinh",
            "name_folded": "thi sinh",
            "date_of_birth": "2007-01-01",
            "sex": rng.choice(["male", "female"], n_cand),
            "ethnicity_code": "01",
            "nationality": "VN",
            "created_at": now,
            "updated_at": now,
        }
    )
    pairs = rng.choice(len(ELECTIVES), n_cand, p=[w for _, w in ELECTIVES])
    e1 = np.array([ELECTIVES[i][0][0] for i in range(len(ELECTIVES))])[pairs]
    e2 = np.array([ELECTIVES[i][0][1] for i in range(len(ELECTIVES))])[pairs]
    takes_language = (e1 == "foreign_language") | (e2 == "foreign_language")
    language = pl.Series(np.where(takes_language, "N1", "")).replace("", None)
    area = rng.choice(["KV1", "KV2-NT", "KV2", "KV3"], n_cand, p=[0.25, 0.35, 0.25, 0.15])
    category = rng.choice(["", "01", "06"], n_cand, p=[0.9, 0.05, 0.05])
    frames["exam_registration"] = pl.DataFrame(
        {
            "id": person,
            "year": YEAR,
            "person_id": person,
            "candidate_number": [f"{i:08d}" for i in person],
            "school_code": "01001",
            "school_name": "THPT",
            "area": area,
            "category": pl.Series(category).replace("", None),
            "graduation_year": np.where(rng.random(n_cand) < 0.9, YEAR, YEAR - 1),
            "elective1": e1,
            "elective2": e2,
            "foreign_language": language,
            "exam_site": "01",
            "created_at": now,
            "updated_at": now,
        }
    )
    ability = rng.normal(6.6, 1.2, n_cand)

    def subject_scores(noise: float, step: int) -> np.ndarray:
        raw = np.clip(ability + rng.normal(0, noise, n_cand), 0, 10)
        return (np.round(raw * 100 / step) * step).astype(np.int64)

    parts = []
    for subject in ("math", "literature"):
        parts.append(
            pl.DataFrame(
                {"person_id": person, "subject": subject, "score_h": subject_scores(1.0, 25)}
            )
        )
    for column in (e1, e2):
        subject = np.array([SUBJECT_OF.get(s, s) for s in column])
        parts.append(
            pl.DataFrame(
                {"person_id": person, "subject": subject, "score_h": subject_scores(1.1, 25)}
            )
        )
    exam = pl.concat(parts).with_columns(
        pl.lit("exam").alias("method"), pl.lit(1).alias("batch_id")
    )
    has_transcript = rng.random(n_cand) < 0.5
    tparts = []
    for subject in TRANSCRIPT_SUBJECTS:
        tparts.append(
            pl.DataFrame(
                {
                    "person_id": person,
                    "subject": subject,
                    "score_h": np.clip(subject_scores(0.6, 1) + 150, 0, 1000),
                }
            ).filter(pl.Series(has_transcript))
        )
    transcript = pl.concat(tparts).with_columns(
        pl.lit("transcript").alias("method"), pl.lit(2).alias("batch_id")
    )
    takes_hsa = rng.random(n_cand) < 0.1
    hsa = (
        pl.DataFrame(
            {
                "person_id": person,
                "subject": "total",
                "score_h": (np.clip(ability * 14 + rng.normal(0, 10, n_cand), 0, 150))
                .round()
                .astype(np.int64)
                * 100,
            }
        )
        .filter(pl.Series(takes_hsa))
        .with_columns(pl.lit("hsa").alias("method"), pl.lit(3).alias("batch_id"))
    )
    frames["result_score"] = pl.concat([exam, transcript, hsa], how="diagonal").with_columns(
        pl.lit(YEAR).alias("year")
    )
    frames["result_batch"] = pl.DataFrame(
        {
            "id": [1, 2, 3],
            "year": YEAR,
            "method": ["exam", "transcript", "hsa"],
            "source": "bench",
            "imported_at": now,
            "actor": "bench",
            "rows": 0,
            "sha256": "0" * 64,
        }
    )
    # wishes: geometric counts (mean ≈ mean_wishes, at most 40), distinct offers by popularity
    counts = np.minimum(rng.geometric(1.0 / mean_wishes, n_cand), 40).astype(np.int64)
    chosen = _draw(counts, np.cumsum(popularity), n_offers, seed)
    cand = np.repeat(person, counts)
    start = np.repeat(np.cumsum(counts) - counts, counts)
    rank = (np.arange(cand.shape[0]) - start + 1).astype(np.int64)
    frames["wish"] = pl.DataFrame(
        {
            "id": np.arange(1, cand.shape[0] + 1, dtype=np.int64),
            "year": YEAR,
            "person_id": cand,
            "rank": rank,
            "institution_id": offer_inst[chosen],
            "offer_id": offer_id[chosen],
            "created_at": now,
            "updated_at": now,
        }
    )
    return frames


ORDER = [
    "institution",
    "program",
    "person",
    "exam_registration",
    "result_batch",
    "result_score",
    "admission_offer",
    "conversion_table",
    "wish",
]


def load(dbname: str, frames: dict[str, pl.DataFrame]) -> dict[str, float]:
    seconds: dict[str, float] = {}
    with psycopg.connect(conninfo(dbname)) as conn:
        conn.execute("SET session_replication_role = replica")  # no FK triggers while loading
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            "INSERT INTO admission_year (year, rules_version, registration_opens_at, "
            "registration_closes_at, wishes_open_at, wishes_close_at, confirm_deadline_at, "
            "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                YEAR,
                YEAR,
                now - dt.timedelta(days=90),
                now - dt.timedelta(days=60),
                now - dt.timedelta(days=30),
                now - dt.timedelta(days=1),
                now + dt.timedelta(days=20),
                now,
                now,
            ),
        )
        for table in ORDER:
            started = time.perf_counter()
            frame = frames[table]
            binary = [n for n, t in frame.schema.items() if t == pl.Binary]
            if binary:
                frame = frame.with_columns(
                    (pl.lit("\\x") + pl.col(n).bin.encode("hex")).alias(n) for n in binary
                )
            columns = ", ".join(frame.columns)
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy,
            ):
                for offset in range(0, frame.height, 500_000):
                    buffer = io.BytesIO()
                    frame.slice(offset, 500_000).write_csv(buffer, include_header=False)
                    copy.write(buffer.getvalue())
            conn.execute(
                "INSERT INTO id_allocator (name, next_id) VALUES (%s, %s) ON CONFLICT (name) "
                "DO UPDATE SET next_id = excluded.next_id",
                (table, int(frame["id"].max() or 0) + 1) if "id" in frame.columns else (table, 1),
            )
            seconds[table] = time.perf_counter() - started
            print(f"  loaded {table}: {frame.height:,} rows in {seconds[table]:.1f} s", flush=True)
        conn.commit()
    with psycopg.connect(conninfo(dbname), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return seconds


def clear_rounds(dbname: str) -> int:
    """Remove the rounds of an earlier run (snapshots are immutable: triggers are bypassed)."""
    with psycopg.connect(conninfo(dbname)) as conn:
        conn.execute("SET session_replication_role = replica")
        for table in (
            "published_result",
            "round_candidate",
            "round_offer_result",
            "round_snapshot",
        ):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM enrolment_confirmation")
        conn.execute("DELETE FROM admission_round")
        row = conn.execute("SELECT count(*) FROM wish").fetchone()
        conn.commit()
    return int(row[0]) if row else 0


def fresh_database(dbname: str) -> None:
    with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')
    migrate.upgrade(sa_url(dbname))


def run_round(dbname: str, verify: bool) -> dict[str, Any]:
    engine = make_engine(sa_url(dbname, "hemis_app"))
    sessions = make_session_factory(engine)
    out: dict[str, Any] = {}
    try:
        with scoped_session(sessions, Scope.system("bench")) as s:
            round_ = rounds.create_round(s, RoundCreate(year=YEAR, is_final=True))
            started = time.perf_counter()
            rounds.take_snapshot(s, round_.id)
            out["snapshot_s"] = time.perf_counter() - started
            started = time.perf_counter()
            rounds.run_round(s, round_.id)
            out["run_s"] = time.perf_counter() - started
            out["stats"] = dict(round_.stats)
            if verify:
                started = time.perf_counter()
                check = round_verify.verify_round(s, round_.id)
                out["verify_s"] = time.perf_counter() - started
                out["verified_identical"] = check.identical
    finally:
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--candidates", type=int, default=850_000)
    parser.add_argument("--offers", type=int, default=4_000)
    parser.add_argument("--institutions", type=int, default=500)
    parser.add_argument("--mean-wishes", type=float, default=9.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", default="hemis_bench_round")
    parser.add_argument("--verify", action="store_true", help="also re-run from the snapshot")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept database (its rounds are cleared)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    if args.reuse:
        wishes = clear_rounds(args.database)
        generated = loaded = time.perf_counter()
    else:
        fresh_database(args.database)
        frames = generate(
            args.candidates, args.offers, args.institutions, args.mean_wishes, args.seed
        )
        generated = time.perf_counter()
        print(f"generated in {generated - started:.1f} s; loading", flush=True)
        load(args.database, frames)
        loaded = time.perf_counter()
        wishes = frames["wish"].height
        del frames
    print(f"loaded in {loaded - generated:.1f} s; running the round", flush=True)
    result = run_round(args.database, args.verify)
    total = result["snapshot_s"] + result["run_s"]
    report = {
        "candidates": args.candidates,
        "wishes": wishes,
        "offers": args.offers,
        "institutions": args.institutions,
        "round_seconds": round(total, 2),
        "target_met": total <= 60,
        **{k: round(v, 2) if isinstance(v, float) else v for k, v in result.items()},
        "load_seconds": round(loaded - generated, 1),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if not args.keep:
        with psycopg.connect(conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
