"""A refused lifecycle form (sign-off, answer, return) is shown again with its messages and what
was typed, answered 422 (or the refusal's own status), and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession
from hemis.submissions import pages
from hemis.submissions.jobs import Runner
from hemis.web.app import create_app
from tests.conftest import TestDB
from tests.submissions.test_pages import as_user, csv_bytes, job_id_of, upload
from tests.submissions.world import World, learner
from tests.web.page_factories import csrf_of, make_user


@pytest.fixture
def client(db: TestDB, scene: World, sessions: sessionmaker[HemisSession]) -> Iterator[TestClient]:
    make_user(sessions, "cb_a", Role.institution_officer, "SUB01", signatory=True)
    app = create_app(db.settings())
    with TestClient(app) as c:
        yield c
    app.state.ctx.dispose()


@pytest.fixture
def validated(
    client: TestClient, engine: Engine, cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The URL of a validated submission of the signatory's institution (logged in as them)."""
    monkeypatch.setattr(pages, "ensure_worker", lambda app: None)
    as_user(client, "cb_a")
    job = job_id_of(upload(client, csv_bytes(learner(1))))
    Runner(engine, cipher).run_pending()
    found = re.search(r'href="/submissions/(\d+)"', client.get(f"/submissions/jobs/{job}").text)
    assert found
    url = f"/submissions/{found.group(1)}"
    token = csrf_of(client.get(url).text)
    assert client.post(f"{url}/validate", data={"csrf_token": token}).status_code == 200
    return url


def _value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def test_a_refused_sign_off_keeps_the_form(client: TestClient, validated: str) -> None:
    token = csrf_of(client.get(validated).text)
    form = {"csrf_token": token, "head_name": "Hà", "head_title": "Hiệu trưởng", "confirm": "true"}
    refused = client.post(f"{validated}/sign-off", data=form)
    assert refused.status_code == 422
    assert 'id="form-errors"' in refused.text
    assert "Họ tên người đứng đầu: cần ít nhất 3 ký tự" in refused.text
    assert _value(refused.text, "head_name") == "Hà"
    assert _value(refused.text, "head_title") == "Hiệu trưởng"
    assert 'id="snapshot-hash"' not in refused.text  # nothing was signed

    unconfirmed = client.post(
        f"{validated}/sign-off",
        data={k: v for k, v in form.items() if k != "confirm"} | {"head_name": "Nguyễn Hiệu"},
    )
    assert unconfirmed.status_code == 422
    assert "cần xác nhận số liệu" in unconfirmed.text
    assert _value(unconfirmed.text, "head_name") == "Nguyễn Hiệu"

    english = client.post(f"{validated}/sign-off?lang=en", data=form)
    assert english.status_code == 422
    assert "Head&#39;s name: needs at least 3 characters" in english.text


def test_a_refused_answer_is_shown_again(client: TestClient, validated: str) -> None:
    token = csrf_of(client.get(validated).text)
    short = {
        "csrf_token": token,
        "entity": "learners",
        "rule": "LRN.none",
        "kind": "explanation",
        "text": "ok",
    }
    refused = client.post(f"{validated}/answers", data=short)
    assert refused.status_code == 422
    assert "Giải trình: cần ít nhất 3 ký tự" in refused.text
    unknown = client.post(f"{validated}/answers", data=short | {"text": "Đã kiểm tra lại"})
    assert unknown.status_code == 422
    assert "Bản nộp không có cảnh báo này." in unknown.text
