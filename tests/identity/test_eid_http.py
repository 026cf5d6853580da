"""The national e-ID login end to end, over real HTTP between real processes: HEMIS and the
identity-provider simulator, a browser stand-in following the redirects.

Every refusal — a wrong state or nonce, an expired, badly signed or replayed token, a token for
another audience or issuer, a replayed code — shows a page that says why and writes nothing:
the rows of persons, accounts, sessions, used tokens, audit entries and registrations are
counted before and after."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select

from hemis.accounts.models import User
from hemis.identity.client import REASONS
from hemis.registry.models import Person
from hemis.registry.rules import make_national_id
from tests.identity.conftest import KNOWN_NAME, Scene
from tests.identity.harness import EidStack, choose, new_browser, sign_in, to_provider

_serials = itertools.count(100)


def new_citizen(level: str = "2", name: str = "Trần Văn Mới") -> dict[str, str]:
    serial = (next(_serials) * 7919 + 17) % 1_000_000
    return {
        "national_id": make_national_id("079", "male", 2007, serial),
        "name": name,
        "birthdate": "2007-09-01",
        "level": level,
    }


def _home(stack: EidStack, browser: httpx.Client) -> httpx.Response:
    home = browser.get(f"{stack.app_url}/")
    assert home.status_code == 200, home.text
    return home


def _assert_refused(response: httpx.Response | None, reason: str) -> None:
    assert response is not None
    assert response.status_code == 400, response.text
    assert REASONS[reason][0] in response.text  # the Vietnamese reason, on the page
    assert "Không có dữ liệu nào được ghi." in response.text
    assert "hemis_session" not in response.headers.get("set-cookie", "")


def test_a_new_citizen_signs_up_and_sees_their_home(scene: Scene) -> None:
    stack = scene.stack
    citizen = new_citizen(name="Phạm Thu Hà")
    before = stack.counts()
    walk = sign_in(stack, **citizen)
    assert walk.callback is not None
    assert walk.callback.status_code == 303, walk.callback.text
    assert walk.callback.headers["location"] == "/"
    home = _home(stack, walk.browser)
    assert "Phạm Thu Hà" in home.text
    assert 'id="next-step"' in home.text
    assert 'data-step="register"' in home.text  # the year's registration window is open
    assert "Hạn chót" in home.text
    assert citizen["national_id"] not in home.text
    after = stack.counts()
    assert after["person"] == before["person"] + 1
    assert after["app_user"] == before["app_user"] + 1
    assert after["eid_token_use"] == before["eid_token_use"] + 1
    # The new person (create) and the new account (sign-up) are in the audit chain.
    assert after["audit_entry"] >= before["audit_entry"] + 2
    user = stack.scalar(select(User.person_id).where(User.display_name == "Phạm Thu Hà"))
    stored = stack.scalar(select(Person.national_id_enc).where(Person.id == user))
    assert isinstance(stored, bytes)
    assert citizen["national_id"].encode() not in stored  # encrypted at rest
    level = stack.scalar(select(User.assurance_level).where(User.person_id == user))
    assert level == 2
    records = walk.browser.get(f"{stack.app_url}/me/records")
    assert records.status_code == 200
    assert "Phạm Thu Hà" in records.text
    assert 'id="no-enrolments"' in records.text
    assert "đang được xây dựng" not in records.text


def test_the_same_citizen_comes_back_to_the_same_account(scene: Scene) -> None:
    stack = scene.stack
    citizen = new_citizen(name="Đỗ Quay Lại")
    first = sign_in(stack, **citizen)
    assert first.callback is not None
    assert first.callback.status_code == 303
    before = stack.counts()
    second = sign_in(stack, **citizen)
    assert second.callback is not None
    assert second.callback.status_code == 303
    after = stack.counts()
    assert after["person"] == before["person"]
    assert after["app_user"] == before["app_user"]
    assert "Đỗ Quay Lại" in _home(stack, second.browser).text


def test_a_known_person_is_linked_and_sees_their_registry_records(scene: Scene) -> None:
    stack = scene.stack
    browser = new_browser()
    page = to_provider(stack, browser)
    assert KNOWN_NAME in page.text  # the simulator offers the database's persons
    before = stack.counts()
    answer = choose(
        stack, browser, page, mode="existing", person=str(scene.known_person_id), level="2"
    )
    assert answer.status_code == 303, answer.text
    callback = browser.get(answer.headers["location"])
    assert callback.status_code == 303, callback.text
    after = stack.counts()
    assert after["person"] == before["person"]  # linked, not duplicated
    assert after["app_user"] == before["app_user"] + 1
    linked = stack.scalar(select(User.person_id).where(User.display_name == KNOWN_NAME))
    assert linked == scene.known_person_id
    records = browser.get(f"{stack.app_url}/me/records")
    assert records.status_code == 200
    assert "Trường Đại học Known" in records.text
    assert "KNW-S1" in records.text
    assert "Công nghệ thông tin" in records.text


# --- refusals ------------------------------------------------------------------------------------


def _with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | changes
    return parts._replace(query=urlencode(query)).geturl()


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("wrong_nonce", "eid.nonce"),
        ("expired", "eid.expired"),
        ("bad_signature", "eid.signature"),
        ("wrong_audience", "eid.audience"),
        ("wrong_issuer", "eid.issuer"),
    ],
)
def test_a_bad_token_is_refused_and_nothing_is_written(
    scene: Scene, fault: str, reason: str
) -> None:
    stack = scene.stack
    before = stack.counts()
    stack.configure(faults=[fault])
    try:
        walk = sign_in(stack, **new_citizen())
    finally:
        stack.configure(faults=[])
    _assert_refused(walk.callback, reason)
    assert stack.counts() == before
    home = walk.browser.get(f"{stack.app_url}/")
    assert home.status_code == 303  # not logged in: sent to the login page
    assert home.headers["location"].startswith("/login")


def test_a_wrong_state_is_refused_and_nothing_is_written(scene: Scene) -> None:
    stack = scene.stack
    before = stack.counts()
    walk = sign_in(
        stack, tamper=lambda url: _with_param(url, state="forged-state"), **new_citizen()
    )
    _assert_refused(walk.callback, "eid.state")
    assert stack.counts() == before


def test_a_callback_without_a_login_request_is_refused(scene: Scene) -> None:
    stack = scene.stack
    before = stack.counts()
    walk = sign_in(stack, **new_citizen())
    assert walk.callback is not None
    assert walk.callback.status_code == 303
    middle = stack.counts()
    # Another browser (no pending-login cookie) presents the same callback.
    stranger = new_browser().get(walk.callback_url)
    _assert_refused(stranger, "eid.no_login")
    assert stack.counts() == middle
    assert middle != before


def _replay(stack: EidStack, url: str, cookie: str) -> httpx.Response:
    """The callback presented again, with the pending-login cookie an attacker kept."""
    browser = new_browser()
    browser.cookies.set("hemis_eid", cookie, domain="127.0.0.1", path="/eid")
    return browser.get(url)


def _signed_in_with_cookie(stack: EidStack) -> tuple[str, str]:
    browser = new_browser()
    page = to_provider(stack, browser)
    cookie = browser.cookies.get("hemis_eid")
    assert cookie
    answer = choose(stack, browser, page, **new_citizen())
    url = answer.headers["location"]
    first = browser.get(url)
    assert first.status_code == 303, first.text
    return url, cookie


def test_a_replayed_code_is_refused_by_the_provider(scene: Scene) -> None:
    stack = scene.stack
    url, cookie = _signed_in_with_cookie(stack)
    before = stack.counts()
    _assert_refused(_replay(stack, url, cookie), "eid.code")
    assert stack.counts() == before


def test_a_replayed_token_is_refused_even_if_the_provider_lets_the_code_be_reused(
    scene: Scene,
) -> None:
    stack = scene.stack
    stack.configure(reuse_codes=True)  # a faulty provider: the same ID token comes back
    try:
        url, cookie = _signed_in_with_cookie(stack)
        before = stack.counts()
        replayed = _replay(stack, url, cookie)
    finally:
        stack.configure(reuse_codes=False)
    _assert_refused(replayed, "eid.replayed")
    assert stack.counts() == before


def test_cancelling_at_the_provider_is_a_clear_page(scene: Scene) -> None:
    stack = scene.stack
    before = stack.counts()
    browser = new_browser()
    page = to_provider(stack, browser)
    answer = choose(stack, browser, page, mode="cancel")
    assert answer.status_code == 303
    _assert_refused(browser.get(answer.headers["location"]), "eid.cancelled")
    assert stack.counts() == before


def test_the_provider_form_keeps_what_was_typed_and_names_the_field(scene: Scene) -> None:
    stack = scene.stack
    browser = new_browser()
    page = to_provider(stack, browser)
    typed = new_citizen(name="Võ Văn Sai") | {"national_id": "12345"}
    answer = choose(stack, browser, page, **typed)
    assert answer.status_code == 422
    assert "value='12345'" in answer.text
    assert "value='Võ Văn Sai'" in answer.text
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số." in answer.text
    assert "id='national_id-error'" in answer.text


# --- key rotation --------------------------------------------------------------------------------


def test_hemis_follows_the_providers_key_rotation(scene: Scene) -> None:
    stack = scene.stack
    first = sign_in(stack, **new_citizen())  # HEMIS now holds the provider's current keys
    assert first.callback is not None
    assert first.callback.status_code == 303
    old_kids = [k["kid"] for k in httpx.get(f"{stack.idp_url}/jwks").json()["keys"]]
    rotated = stack.rotate()
    assert rotated["current_kid"] not in old_kids
    # Signed with a key HEMIS has not seen: it fetches the key set again and accepts.
    second = sign_in(stack, **new_citizen())
    assert second.callback is not None
    assert second.callback.status_code == 303, second.callback.text
    stack.rotate()
    published = [k["kid"] for k in httpx.get(f"{stack.idp_url}/jwks").json()["keys"]]
    assert len(published) == 2
    assert old_kids[-1] not in published  # two rotations old: no longer published
    third = sign_in(stack, **new_citizen())
    assert third.callback is not None
    assert third.callback.status_code == 303


# --- assurance level -----------------------------------------------------------------------------


def _register(stack: EidStack, browser: httpx.Client) -> httpx.Response:
    form = browser.get(f"{stack.app_url}/admissions/registration")
    assert form.status_code == 200, form.text
    csrf = form.text.split('name="csrf_token" value="')[1].split('"')[0]
    data: dict[str, Any] = {
        "csrf_token": csrf,
        "school_code": "01001",
        "school_name": "THPT Chu Văn An",
        "area": "KV3",
        "graduation_year": "2025",
        "elective1": "physics",
        "elective2": "chemistry",
        "exam_site": "01",
    }
    return browser.post(f"{stack.app_url}/admissions/registration", data=data)


def test_a_level_1_account_may_look_but_not_register(scene: Scene) -> None:
    stack = scene.stack
    walk = sign_in(stack, **new_citizen(level="1", name="Ngô Mức Một"))
    assert walk.callback is not None
    assert walk.callback.status_code == 303
    home = _home(stack, walk.browser)
    assert 'data-step="upgrade_identity"' in home.text
    form = walk.browser.get(f"{stack.app_url}/admissions/registration")
    assert 'id="level-notice"' in form.text
    before = stack.counts()
    refused = _register(stack, walk.browser)
    assert refused.status_code == 403
    assert "Tài khoản định danh điện tử mức 1 chỉ được xem thông tin." in refused.text
    assert stack.counts() == before


def test_a_level_2_account_registers(scene: Scene) -> None:
    stack = scene.stack
    walk = sign_in(stack, **new_citizen(level="2", name="Ngô Mức Hai"))
    assert walk.callback is not None
    assert walk.callback.status_code == 303
    before = stack.counts()
    saved = _register(stack, walk.browser)
    assert saved.status_code == 303, saved.text
    assert stack.counts()["exam_registration"] == before["exam_registration"] + 1
    assert 'id="registration-state"' in _home(stack, walk.browser).text
    assert "số báo danh" in _home(stack, walk.browser).text
