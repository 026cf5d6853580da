"""An officer learns nothing about persons outside their institution by naming national IDs.

Officer A enrols learners (and employs staff) with the national ID of institution B's learner
(or staff member) — with other details, partly matching ones, or exactly B's — and, with each
same set of details, a national ID no one holds. Each pair answers byte for byte the same but
for ids, timestamps and the student code A chose: whether, and how, someone else's record
differs is never told. A mismatch becomes a claim that only the ministry sees and settles
(/persons/reviews); B's person is never changed by A.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from httpx import Response
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, make_engine, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Program
from hemis.registry.rules import make_national_id
from tests import factories
from tests.conftest import TestDB
from tests.web.conftest import B_MARKER, PASSWORD, Api, World
from tests.web.page_factories import csrf_of, hidden_fields, login

# B's learner (tests/web/conftest.py): male, born 2 January 2003, serial 101.
B_LEARNER = {"full_name": f"Nguyễn Văn {B_MARKER}", "date_of_birth": "2003-01-02", "sex": "male"}
B_STAFF = {"full_name": f"Trần Thị {B_MARKER}", "date_of_birth": "1980-03-04", "sex": "female"}
PROBES = {
    "other details": {"full_name": "Lê Văn Thử", "date_of_birth": "2003-07-07", "sex": "male"},
    "name right, birth date wrong": B_LEARNER | {"date_of_birth": "2003-01-03"},
    "ethnicity wrong": B_LEARNER | {"ethnicity_code": "04"},
    "exactly B's": B_LEARNER,
}
_IDS = re.compile(r'"(id|person_id)":\d+')
_STAMPS = re.compile(r'"(created_at|updated_at)":"[^"]*"')
_CODE = re.compile(r'"(student_code|staff_code)":"[^"]*"')


def normalized(response: Response) -> tuple[int, dict[str, str], str]:
    """Status, headers and body with only the ids, timestamps and codes blanked out."""
    body = _CODE.sub(r'"\1":"…"', _STAMPS.sub(r'"\1":"…"', _IDS.sub(r'"\1":0', response.text)))
    unique = ("date", "content-length", "x-request-id")  # differ for every answer
    headers = {k: v for k, v in response.headers.items() if k not in unique}
    return response.status_code, headers, body


def learner(world: World, nid: str, details: dict[str, str], code: str) -> dict[str, Any]:
    return {
        "national_id": nid,
        **details,
        "program_id": world.a.ids["programs"],
        "student_code": code,
        "cohort_year": 2021,
        "study_mode": "full_time",
        "funding_source": "self_funded",
        "admitted_on": "2021-09-06",
    }


def claims(db: TestDB) -> list[tuple[int, int | None, str | None, str]]:
    engine = make_engine(db.owner_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, review_of, review_status, full_name FROM person "
                    "WHERE review_of IS NOT NULL ORDER BY id"
                )
            )
            return [tuple(row) for row in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def b_person_rows(db: TestDB, world: World) -> list[Any]:
    engine = make_engine(db.owner_url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT * FROM person WHERE id IN (SELECT person_id FROM learner WHERE "
                        "institution_id = :b UNION SELECT person_id FROM staff WHERE "
                        "institution_id = :b) ORDER BY id"
                    ),
                    {"b": world.b.institution_id},
                )
            )
    finally:
        engine.dispose()


def b_learners(
    sessions: sessionmaker[HemisSession], cipher: IdCipher, world: World, n: int
) -> list[tuple[str, int]]:
    """`n` more learners of B, all with B_LEARNER's details: (national ID, person id)."""
    out = []
    with scoped_session(sessions, Scope.system("test")) as s:
        program = s.get(Program, (world.b.institution_id, world.b.ids["programs"]))
        assert program is not None
        for k in range(n):
            nid = make_national_id("001", "male", 2003, 201 + k)
            who = factories.person(
                s, cipher, nid, B_LEARNER["full_name"], "male", dt.date(2003, 1, 2)
            )
            factories.learner(s, program, who, code=f"{B_MARKER}-S{k + 2}")
            out.append((nid, who.id))
        s.commit()
    return out


def test_probing_another_institutions_learner_answers_as_an_unknown_id(
    api: Api,
    world: World,
    db: TestDB,
    sessions: sessionmaker[HemisSession],
    cipher: IdCipher,
) -> None:
    theirs = b_learners(sessions, cipher, world, len(PROBES))
    b_before = b_person_rows(db, world)
    for n, (name, details) in enumerate(PROBES.items()):
        b_id = theirs[n][0]
        probe = api.post("officer_a", "learners", learner(world, b_id, details, f"P{n}"))
        fresh = make_national_id("001", "male", 2003, 777_000 + int(b_id[-3:]))
        assert fresh[-3:] == b_id[-3:]
        assert fresh != b_id
        control = api.post("officer_a", "learners", learner(world, fresh, details, f"C{n}"))
        assert control.status_code == 201, control.text
        assert normalized(probe) == normalized(control), name
    # The three that differ became claims on B's persons, pending review; the exact one was
    # linked; the unknown IDs are new persons. B's persons are untouched.
    pending = [(of, status) for _, of, status, _ in claims(db)]
    assert pending == [(theirs[n][1], "pending") for n in range(3)]
    assert b_person_rows(db, world) == b_before
    # A sees its learners with exactly the details it sent, nothing of B's.
    mine = api.items("officer_a", "learners", limit=500)
    probes = {row["student_code"]: row["person"] for row in mine if row["student_code"][0] == "P"}
    for n, details in enumerate(PROBES.values()):
        shown = probes[f"P{n}"]
        assert {k: shown[k] for k in ("full_name", "date_of_birth", "sex")} == {
            k: details[k] for k in ("full_name", "date_of_birth", "sex")
        }
        assert shown["ethnicity_code"] == details.get("ethnicity_code", "01")
    # Once A holds a person for an ID (claim, new or linked), it is A's own: a second write
    # with other details is a 409 about A's own data, whichever it was.
    for n in range(len(PROBES)):
        for nid in (theirs[n][0], make_national_id("001", "male", 2003, 777_000 + 201 + n)):
            other = {"full_name": "Tên Khác Nữa", "date_of_birth": "2003-12-12", "sex": "male"}
            again = api.post("officer_a", "learners", learner(world, nid, other, f"Q{nid}"))
            assert again.status_code == 409
            fields = again.json()["details"]["fields"]
            assert fields == ["full_name", "date_of_birth"]


def test_probing_another_institutions_staff_member_answers_as_an_unknown_id(
    api: Api, world: World, db: TestDB
) -> None:
    b_id = world.b.national_ids[1]
    body = {
        "full_name": "Phan Thị Dò",
        "date_of_birth": "1980-09-09",
        "sex": "female",
        "unit": "Khoa Toán",
        "position": "lecturer",
        "contract_type": "indefinite",
        "full_time": True,
        "permanent": True,
        "fte": 1,
        "highest_degree": "doctor",
    }
    probe = api.post("officer_a", "staff", body | {"national_id": b_id, "staff_code": "D1"})
    fresh = make_national_id("001", "female", 1980, 555_102)  # no one's; B's last digits
    control = api.post("officer_a", "staff", body | {"national_id": fresh, "staff_code": "D2"})
    assert control.status_code == 201, control.text
    assert normalized(probe) == normalized(control)
    assert [(of, status) for _, of, status, _ in claims(db)] == [
        (world.b.ids["persons"] + 1, "pending")  # B's staff person (seeded after the learner's)
    ]


def test_an_institutions_own_person_with_other_details_is_still_a_409(
    api: Api, world: World
) -> None:
    a_id = world.a.national_ids[0]  # A's own learner
    own = api.post(
        "officer_a",
        "learners",
        learner(
            world,
            a_id,
            {"full_name": "Tên Khác", "date_of_birth": "2003-01-02", "sex": "male"},
            "O1",
        ),
    )
    assert own.status_code == 409
    assert own.json()["details"] == {"code": "person.mismatch", "fields": ["full_name"]}


@pytest.mark.parametrize("decision", ["merge", "merge_claimed", "reject"])
def test_the_ministry_settles_a_claim_on_its_review_page(
    api: Api, world: World, db: TestDB, decision: str
) -> None:
    b_id = world.b.national_ids[0]
    details = PROBES["other details"]
    created = api.post("officer_a", "learners", learner(world, b_id, details, "R1")).json()
    [(claim_id, registered, _, _)] = claims(db)
    client = api.client
    # Officers cannot see the queue.
    client.cookies.clear()
    assert login(client, "officer_a", PASSWORD).status_code == 303
    assert client.get("/persons/reviews").status_code == 403
    client.cookies.clear()
    assert login(client, "admin", PASSWORD).status_code == 303
    home = client.get("/").text
    assert 'href="/persons/reviews"' in home
    page = client.get("/persons/reviews")
    assert page.status_code == 200
    assert "Lê Văn Thử" in page.text
    assert f"Nguyễn Văn {B_MARKER}" in page.text
    assert b_id not in page.text  # masked
    action = f"/persons/reviews/{claim_id}"
    form = {"csrf_token": csrf_of(page.text), **hidden_fields(page.text, action)}
    done = client.post(action, data=form | {"decision": decision}, follow_redirects=False)
    assert done.status_code == 303, done.text
    # The same (now stale) form again: refused with the page's message, nothing settled twice.
    again = client.post(action, data=form | {"decision": "reject"}, follow_redirects=False)
    assert again.status_code == 409
    assert "Bản ghi đã được thay đổi sau khi bạn mở trang này" in again.text
    [(_, _, status, _)] = claims(db)
    assert status == ("rejected" if decision == "reject" else "merged")
    shown = api.get("officer_a", f"learners/{created['id']}").json()
    if decision == "reject":
        assert shown["person_id"] == claim_id
        assert shown["person"]["full_name"] == details["full_name"]
    else:
        assert shown["person_id"] == registered
        expected = details["full_name"] if decision == "merge_claimed" else B_LEARNER["full_name"]
        assert shown["person"]["full_name"] == expected
        # A now enrols the registered person: its next write with that ID meets them as its own.
        clash = api.post(
            "officer_a",
            "learners",
            learner(world, b_id, {**details, "full_name": "Tên Thứ Ba"}, "R2"),
        )
        assert clash.status_code == 409
