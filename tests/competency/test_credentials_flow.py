"""A learner's credential end to end: issued from their own profile (assessed levels only, never
the self-assessment), downloaded, verified valid; one level, the holder or a date changed is
detected; revoked by the institution and reported revoked (through the database, the public
status list and the CLI); a malformed or foreign file gets a clear verdict, never a crash."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from hemis.accounts.roles import Role
from hemis.cli.app import app as cli
from hemis.common.crypto import IdCipher
from hemis.competency.credentials import multibase
from hemis.competency.credentials.keys import public_bytes
from hemis.competency.credentials.proof import add_proof
from hemis.config import get_settings
from hemis.db.session import HemisSession
from hemis.web.app import create_app
from tests.competency.world import World, assessed, learner_user, run, target
from tests.conftest import TestDB
from tests.web.page_factories import csrf_of, login, make_user

VERIFY = "/api/public/credentials/verify"


@pytest.fixture
def cli_database(db: TestDB, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI's settings (cached) pointed at the test database, and forgotten afterwards."""
    monkeypatch.setenv("HEMIS_DATABASE_URL", db.url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def verdict(client: TestClient, body: bytes | str) -> dict[str, Any]:
    answer = client.post(VERIFY, content=body if isinstance(body, bytes) else body.encode())
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def changed(doc: dict[str, Any], edit: Any) -> str:
    copied = copy.deepcopy(doc)
    edit(copied)
    return json.dumps(copied, ensure_ascii=False)


def test_issue_verify_tamper_revoke(
    db: TestDB,
    engine: Engine,
    cipher: IdCipher,
    sessions: sessionmaker[HemisSession],
    scene: World,
    tmp_path: Path,
    cli_database: None,
) -> None:
    run(engine, cipher, "competency_targets", [target("P1", "1.1", 5)], scene.a)
    run(
        engine,
        cipher,
        "digital_competencies",
        [assessed("SV1", "1.1", 5), assessed("SV1", "6.3", 2, on="2024-03-01")],
        scene.a,
    )
    learner_user(sessions, "lan", scene.persons["SV1"])
    learner_user(sessions, "minh", scene.persons["SV2"])
    make_user(sessions, "officer_a", Role.institution_officer, scene.a_code)
    app = create_app(db.settings())
    try:
        with TestClient(app) as lan, TestClient(app) as officer, TestClient(app) as anyone:
            login(lan, "lan")
            page = lan.get("/me/competency")
            token = csrf_of(page.text)
            # a self-assessment is never in a credential
            lan.post(
                "/me/competency/self/3.4",
                data={"csrf_token": token, "q1": "2", "q2": "2", "q3": "2", "q4": "2"},
            )
            issued = lan.post(
                "/me/competency/credentials",
                data={"csrf_token": token, "learner_id": str(scene.learners["SV1"])},
                follow_redirects=False,
            )
            assert issued.status_code == 303
            page = lan.get("/me/competency")
            link = re.search(r'href="(/me/competency/credentials/[0-9a-f-]{36}\.json)"', page.text)
            assert link is not None
            download = lan.get(link.group(1))
            assert download.status_code == 200
            assert download.headers["content-type"].startswith("application/vc+ld+json")
            raw = download.content
            doc = json.loads(raw)
            assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
            assert doc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
            results = doc["credentialSubject"]["result"]
            assert [(r["alignment"][0]["targetCode"], r["value"]) for r in results] == [
                ("1.1", "NC1"),
                ("6.3", "CB2"),
            ]
            assert scene.national_ids["SV1"] not in raw.decode()

            ok = verdict(anyone, raw)
            assert (ok["verdict"], ok["holder"]) == ("valid", "Nguyễn Thị Lan")
            assert ok["levels"] == [
                {"competency": "1.1", "level": "NC1"},
                {"competency": "6.3", "level": "CB2"},
            ]

            def level(d: dict[str, Any]) -> None:
                d["credentialSubject"]["result"][0]["value"] = "CS2"

            def holder(d: dict[str, Any]) -> None:
                d["credentialSubject"]["identifier"][0]["identityHash"] = "Trần Văn Minh"

            def dates(d: dict[str, Any]) -> None:
                d["validUntil"] = "2099-12-31T00:00:00Z"

            def evidence_date(d: dict[str, Any]) -> None:
                d["evidence"][0]["narrative"] = d["evidence"][0]["narrative"].replace(
                    "2025-06-01", "2025-06-02"
                )

            for edit in (level, holder, dates, evidence_date):
                assert verdict(anyone, changed(doc, edit))["verdict"] == "tampered", edit

            # the other learner cannot download Lan's credential
            with TestClient(app) as minh:
                login(minh, "minh")
                assert minh.get(link.group(1)).status_code == 404

            # the institution revokes it; the public status list and the verdict say so
            login(officer, "officer_a")
            listing = officer.get("/competency/credentials")
            credential_id = re.search(r'id="credential-(\d+)"', listing.text)
            assert credential_id is not None
            action = f"/competency/credentials/{credential_id.group(1)}/revoke"
            empty = officer.post(action, data={"csrf_token": csrf_of(listing.text), "reason": " "})
            assert empty.status_code == 422
            assert "Lý do thu hồi: không được để trống" in empty.text
            done = officer.post(
                action,
                data={"csrf_token": csrf_of(listing.text), "reason": "Sửa kết quả 1.1"},
                follow_redirects=False,
            )
            assert done.status_code == 303
            assert verdict(anyone, raw)["verdict"] == "revoked"
            status_url = doc["credentialStatus"]["statusListCredential"]
            status_list = anyone.get(urlsplit(status_url).path)
            assert status_list.status_code == 200
            (tmp_path / "status.json").write_text(status_list.text, encoding="utf-8")
            page = anyone.post("/competency/verify", files={"file": ("vc.json", raw)})
            assert page.status_code == 200
            assert "Đã bị thu hồi" in page.text
    finally:
        app.state.ctx.dispose()

    # the CLI, from the database and offline from the status list file
    (tmp_path / "vc.json").write_bytes(raw)
    (tmp_path / "bad.json").write_text(changed(doc, level), encoding="utf-8")
    runner = CliRunner()
    from_db = runner.invoke(cli, ["credential", "verify", str(tmp_path / "vc.json")])
    assert from_db.exit_code == 1
    assert "revoked" in from_db.output
    offline = runner.invoke(
        cli,
        ["credential", "verify", str(tmp_path / "vc.json"), "--offline",
         "--status-list", str(tmp_path / "status.json")],
    )  # fmt: skip
    assert offline.exit_code == 1
    assert "revoked" in offline.output
    tampered = runner.invoke(cli, ["credential", "verify", str(tmp_path / "bad.json"), "--offline"])
    assert "tampered" in tampered.output
    missing = runner.invoke(cli, ["credential", "verify", str(tmp_path / "none.json")])
    assert missing.exit_code == 2


def test_a_credential_needs_an_assessed_level_and_verifies_valid_from_the_cli(
    db: TestDB,
    engine: Engine,
    cipher: IdCipher,
    sessions: sessionmaker[HemisSession],
    scene: World,
    tmp_path: Path,
    cli_database: None,
) -> None:
    learner_user(sessions, "nam", scene.persons["SV3"])
    app = create_app(db.settings())
    try:
        with TestClient(app) as nam:
            login(nam, "nam")
            token = csrf_of(nam.get("/me/competency").text)
            body = {"csrf_token": token, "learner_id": str(scene.learners["SV3"])}
            refused = nam.post("/me/competency/credentials", data=body)
            assert refused.status_code == 422
            assert "Chưa có mức năng lực nào được cơ sở đào tạo đánh giá" in refused.text
            run(engine, cipher, "digital_competencies", [assessed("SV3", "2.1", 4)], scene.a)
            assert nam.post("/me/competency/credentials", data=body).status_code == 200
            # another person's enrolment is not theirs to certify
            other = {"csrf_token": token, "learner_id": str(scene.learners["SV1"])}
            assert nam.post("/me/competency/credentials", data=other).status_code == 404
            page = nam.get("/me/competency")
            link = re.search(r'href="(/me/competency/credentials/[0-9a-f-]{36}\.json)"', page.text)
            assert link is not None
            (tmp_path / "vc.json").write_bytes(nam.get(link.group(1)).content)
    finally:
        app.state.ctx.dispose()
    result = CliRunner().invoke(cli, ["credential", "verify", str(tmp_path / "vc.json")])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output
    assert "Lê Hoàng Nam" in result.output


def test_malformed_and_foreign_files_get_a_clear_verdict(db: TestDB) -> None:
    foreign_key = Ed25519PrivateKey.from_private_bytes(b"someone-else-s-key-32-bytes-long")
    multikey = multibase.multikey(public_bytes(foreign_key))
    foreign = add_proof(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": "https://elsewhere.example/issuer"},
            "credentialSubject": {"type": ["AchievementSubject"]},
        },
        foreign_key,
        f"https://elsewhere.example/issuer#{multikey}",
        dt.datetime(2026, 1, 1),
    )
    app = create_app(db.settings())
    cases = {
        b"": "malformed",
        b"\xff\xfe not text": "malformed",
        b"{not json": "malformed",
        b"[1, 2, 3]": "malformed",
        b'{"a":' * 5000: "malformed",  # deeply nested
        json.dumps({"@context": ["https://www.w3.org/2018/credentials/v1"], "type": []}).encode(): (
            "foreign"
        ),
        json.dumps(foreign).encode(): "foreign",
        json.dumps(
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": "x",
                "credentialSubject": {"result": "not a list of results"},
            }
        ).encode(): "malformed",
        b"{" + b'"x":' + b"1" * 1_000_001 + b"}": "malformed",  # over the size limit
    }
    try:
        with TestClient(app) as client:
            for body, expected in cases.items():
                assert verdict(client, body)["verdict"] == expected, body[:60]
            page = client.post("/competency/verify", data={"credential": "{not json"})
            assert page.status_code == 200
            assert "Tệp không đọc được như một chứng nhận" in page.text
            empty = client.post("/competency/verify", data={"credential": ""})
            assert empty.status_code == 422
            assert "Tệp chứng nhận: hãy chọn tệp hoặc dán nội dung" in empty.text
            issuer = client.get("/credentials/issuer").json()
            assert issuer["verificationMethod"][0]["publicKeyMultibase"].startswith("z6Mk")
            assert client.get("/credentials/status/9").status_code == 404
    finally:
        app.state.ctx.dispose()
