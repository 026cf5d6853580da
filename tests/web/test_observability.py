"""Health, readiness, metrics and request ids: what an operator and a load balancer rely on."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.observability.scrape import CACHE_SECONDS, SYNC_CACHE_SECONDS, DatabaseCollector
from hemis.web.app import create_app
from tests import factories
from tests.conftest import TestDB

LOOPBACK = ("127.0.0.1", 50000)
STRANGER = ("203.0.113.7", 50000)
TOKEN = "t" * 40


def _app(db: TestDB, **settings: object) -> FastAPI:
    app = create_app(db.settings(**settings))

    @app.get("/__log-probe")
    def probe() -> dict[str, str]:  # a sync route: it runs in a worker thread
        structlog.get_logger("hemis.tests").info("probe_logged")
        return {"ok": "yes"}

    return app


@pytest.fixture
def app(sqlite_db: TestDB) -> Iterator[FastAPI]:
    app = _app(sqlite_db, metrics_token=TOKEN)
    yield app
    app.state.ctx.dispose()


def _client(app: FastAPI, client: tuple[str, int] = LOOPBACK) -> TestClient:
    return TestClient(app, client=client)


def _samples(body: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    out: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name:
                out[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def _requests(client: TestClient) -> dict[tuple[tuple[str, str], ...], float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    return _samples(response.text, "hemis_http_requests_total")


# --- health ---------------------------------------------------------------------------------------


def test_healthz_answers_without_login_or_database(app: FastAPI) -> None:
    with _client(app, STRANGER) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(db: TestDB) -> None:
    app = create_app(db.settings())
    try:
        with _client(app, STRANGER) as client:
            response = client.get("/readyz")
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "ready"
        # on PostgreSQL the application's role reads the revision since migration 0023
        assert body["details"]["migration"] == "current"
    finally:
        app.state.ctx.dispose()


def test_readyz_refuses_when_the_database_cannot_be_opened(
    sqlite_db: TestDB, tmp_path: Path
) -> None:
    folder = tmp_path / "a-directory-not-a-database"
    folder.mkdir()
    app = create_app(sqlite_db.settings(database_url=f"sqlite:///{folder}"))
    try:
        with _client(app) as client:
            response = client.get("/readyz")
            assert client.get("/healthz").status_code == 200  # alive, just not ready
    finally:
        app.state.ctx.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["details"] == {"database": "unreachable", "migration": "unknown"}
    assert "cơ sở dữ liệu" in body["message"]
    assert "database" in body["message"]


def test_readyz_refuses_a_database_that_is_not_at_the_code_head(db: TestDB) -> None:
    engine = make_engine(db.owner_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    app = create_app(db.settings())
    try:
        with _client(app) as client:
            response = client.get("/readyz")
    finally:
        app.state.ctx.dispose()
    assert response.status_code == 503
    assert response.json()["details"]["migration"] == "behind"
    assert "hemis db upgrade" in response.json()["message"]


def test_readyz_refuses_a_closed_postgresql_port(sqlite_db: TestDB) -> None:
    url = "postgresql+psycopg://hemis_app@127.0.0.1:9/hemis?connect_timeout=1"
    app = create_app(sqlite_db.settings(database_url=url))
    try:
        with _client(app) as client:
            response = client.get("/readyz")
    finally:
        app.state.ctx.dispose()
    assert response.status_code == 503
    assert response.json()["details"]["database"] in {"unreachable", "timeout"}


def test_operations_endpoints_are_not_in_the_openapi_document(app: FastAPI) -> None:
    paths = set(app.openapi()["paths"])
    assert not paths & {"/healthz", "/readyz", "/metrics"}


# --- metrics --------------------------------------------------------------------------------------


def test_a_request_is_counted_under_its_route_template(app: FastAPI) -> None:
    with _client(app) as client:
        before = _requests(client)
        assert client.get("/api/v1/learners/987654").status_code == 401
        assert client.get("/no/such/address/987654").status_code == 404
        after = _requests(client)
    template = (("method", "GET"), ("route", "/api/v1/learners/{learner_id}"), ("status", "4xx"))
    assert after[template] == before.get(template, 0) + 1
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "4xx"))
    assert after[unmatched] == before.get(unmatched, 0) + 1
    assert not [labels for labels in after if "987654" in repr(labels)]


def test_the_exposition_has_the_latency_pool_queue_and_sync_metrics(app: FastAPI) -> None:
    with _client(app) as client:
        client.get("/healthz")
        body = client.get("/metrics").text
    families = {family.name for family in text_string_to_metric_families(body)}
    assert {
        "hemis_http_request_duration_seconds",
        "hemis_db_pool_checked_out",
        "hemis_db_pool_size",
        "hemis_job_queue_depth",
        "hemis_job_queue_oldest_age_seconds",
        "hemis_scrape_database_ok",
    } <= families
    assert _samples(body, "hemis_scrape_database_ok") == {(): 1.0}
    depth = _samples(body, "hemis_job_queue_depth")
    assert set(depth) == {(("queue", "action"),), (("queue", "submission"),)}
    healthz = (("le", "+Inf"), ("method", "GET"), ("route", "/healthz"))
    assert _samples(body, "hemis_http_request_duration_seconds_bucket")[healthz] >= 1


def test_a_queued_job_shows_in_depth_and_age(db: TestDB) -> None:
    _queue_job(db.owner_url, 424242)
    app = create_app(db.settings())
    try:
        # no lifespan: the application's start-up would hand the job to its runner
        body = _client(app).get("/metrics").text
    finally:
        app.state.ctx.dispose()
    assert _samples(body, "hemis_scrape_database_ok") == {(): 1.0}
    assert _samples(body, "hemis_job_queue_depth")[(("queue", "action"),)] == 1
    assert _samples(body, "hemis_job_queue_depth")[(("queue", "submission"),)] == 0
    age = _samples(body, "hemis_job_queue_oldest_age_seconds")[(("queue", "action"),)]
    assert age > 5 * 365 * 86400


_WORKER = """
import sys
from hemis.observability.metrics import HTTP_REQUESTS, exposition
HTTP_REQUESTS.labels("/probe", "GET", "2xx").inc(int(sys.argv[1]))
if len(sys.argv) > 2:
    sys.stdout.write(exposition().decode())
"""


def test_worker_processes_are_summed_in_multiprocess_mode(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for count in ("2", "3"):
        subprocess.run([sys.executable, "-c", _WORKER, count], env=env, check=True)
    answered = subprocess.run(
        [sys.executable, "-c", _WORKER, "4", "scrape"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    probe = (("method", "GET"), ("route", "/probe"), ("status", "2xx"))
    assert _samples(answered, "hemis_http_requests_total")[probe] == 9


def test_metrics_do_not_exist_for_a_stranger(app: FastAPI) -> None:
    with _client(app, STRANGER) as client:
        assert client.get("/metrics").status_code == 404
        wrong = client.get("/metrics", headers={"Authorization": "Bearer " + "x" * 40})
        assert wrong.status_code == 404
        allowed = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code == 200
    assert allowed.headers["content-type"].startswith("text/plain")
    assert "hemis_http_requests_total" in allowed.text


def test_metrics_from_a_trusted_proxy_network(sqlite_db: TestDB) -> None:
    app = create_app(sqlite_db.settings(trusted_proxies="10.1.0.0/16"))
    try:
        with _client(app, ("10.1.2.3", 50000)) as client:
            assert client.get("/metrics").status_code == 200
            # forwarded for an outside client: the client is the outsider, refused
            forwarded = client.get("/metrics", headers={"X-Forwarded-For": STRANGER[0]})
            assert forwarded.status_code == 404
            assert client.get("/metrics", headers={"Authorization": "Bearer x"}).status_code == 200
    finally:
        app.state.ctx.dispose()


def test_no_token_configured_means_no_token_accepted(sqlite_db: TestDB) -> None:
    app = create_app(sqlite_db.settings())
    try:
        with _client(app, STRANGER) as client:
            refused = client.get("/metrics", headers={"Authorization": "Bearer "})
    finally:
        app.state.ctx.dispose()
    assert refused.status_code == 404


# --- request ids ----------------------------------------------------------------------------------


def test_a_request_id_is_generated(app: FastAPI) -> None:
    with _client(app) as client:
        first = client.get("/healthz").headers["X-Request-ID"]
        second = client.get("/nope").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.parametrize(
    "incoming", ["abc-123", "0f8c2d1e-9b7a-4c3d-8e2f-1a2b3c4d5e6f", "a" * 64, "trace:1.2_3"]
)
def test_a_valid_incoming_request_id_is_echoed(app: FastAPI, incoming: str) -> None:
    with _client(app) as client:
        response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["a" * 65, "bad id", "x\\ny", "<script>", "-starts-with-dash", "é".encode(), ""],
)
def test_a_malformed_incoming_request_id_is_replaced(app: FastAPI, incoming: str | bytes) -> None:
    with _client(app) as client:
        response = client.get("/healthz", headers={"X-Request-ID": incoming})
    answered = response.headers["X-Request-ID"]
    assert answered != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", answered)


@pytest.mark.usefixtures("app_logging")
def test_log_lines_during_a_request_carry_its_id(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    with _client(app) as client:
        response = client.get("/__log-probe", headers={"X-Request-ID": "probe-42"})
    assert response.headers["X-Request-ID"] == "probe-42"
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if "{" in line]
    probes = [line for line in lines if line.get("event") == "probe_logged"]
    assert probes
    assert probes[0]["request_id"] == "probe-42"
    # and nothing leaks into the lines logged outside any request
    structlog.get_logger("hemis.tests").info("after_request")
    after = [json.loads(line) for line in capsys.readouterr().err.splitlines() if "{" in line]
    assert after
    assert all("request_id" not in line for line in after)


def _queue_job(url: str, job_id: int) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO action_job (id, kind, params, lock_key, active_key, status, phase,"
                " processed, total, actor, actor_role, created_at, row_version)"
                " VALUES (:id, 'probe', '{}', :key, :key, 'queued', 'queued', 0, 0,"
                " 'admin', 'ministry_admin', '2020-01-01 00:00:00', 1)"
            ),
            {"id": job_id, "key": f"probe-{job_id}"},
        )
    engine.dispose()


def test_database_gauges_are_read_at_most_once_per_period(sqlite_db: TestDB) -> None:
    engine = make_engine(sqlite_db.url)
    sessions = make_session_factory(engine)
    with scoped_session(sessions, Scope.system("test")) as s:
        institution_id = factories.institution(s).id
        s.commit()
    now = [1000.0]
    collector = DatabaseCollector(sessions, clock=lambda: now[0])

    def gauges() -> dict[str, dict[tuple[str, ...], float]]:
        return {
            family.name: {tuple(x.labels.values()): x.value for x in family.samples}
            for family in collector.collect()
        }

    def add_sync_record(record_id: int) -> None:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO sync_state (institution_id, id, system, record_id, person_id,"
                    " status, attempts) VALUES (:i, :r, 'insurance', :r, :r, 'error', 0)"
                ),
                {"i": institution_id, "r": record_id},
            )

    assert gauges()["hemis_job_queue_depth"][("action",)] == 0
    _queue_job(sqlite_db.url, 1)
    add_sync_record(1)
    now[0] += CACHE_SECONDS - 1
    assert gauges()["hemis_job_queue_depth"][("action",)] == 0  # kept
    now[0] += 1
    read = gauges()
    assert read["hemis_job_queue_depth"][("action",)] == 1
    assert ("insurance", "error") not in read["hemis_sync_records"]  # slower period
    now[0] += SYNC_CACHE_SECONDS
    assert gauges()["hemis_sync_records"][("insurance", "error")] == 1
    engine.dispose()


def test_pool_gauges_follow_checkouts(app: FastAPI) -> None:
    def checked_out() -> float:
        return REGISTRY.get_sample_value("hemis_db_pool_checked_out", {"engine": "main"}) or 0.0

    size = REGISTRY.get_sample_value("hemis_db_pool_size", {"engine": "main"}) or 0.0
    assert size >= app.state.ctx.engine.pool.size()
    before = checked_out()
    with app.state.ctx.engine.connect():
        assert checked_out() == before + 1
    assert checked_out() == before


@pytest.mark.usefixtures("app_logging")
def test_a_failure_s_log_line_carries_the_id_the_caller_was_given(
    app: FastAPI, capsys: pytest.CaptureFixture[str]
) -> None:
    @app.get("/__boom")
    def boom() -> None:
        raise RuntimeError("defect")

    with _client(app) as client:
        response = client.get("/__boom")
    assert response.status_code == 500
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if "{" in line]
    failures = [line for line in lines if line.get("event") == "unhandled_error"]
    assert [line["request_id"] for line in failures] == [response.headers["X-Request-ID"]]


@pytest.mark.parametrize("peer", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_metrics_from_loopback(app: FastAPI, peer: str) -> None:
    with _client(app, (peer, 50000)) as client:
        assert client.get("/metrics").status_code == 200
