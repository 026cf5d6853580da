"""Lists: equality filters, sorting, and cursor pagination that visits every row exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hemis.common.text import fold
from hemis.db.session import scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Institution, Program, Revenue
from tests import factories
from tests.web.conftest import Api, Shared, World, error_of, national_id

SOURCES = ["state_budget", "tuition_fees", "sponsorship_contracts", "other"]
ACTIVITIES = ["training", "science_technology", "other"]
STATUSES = ["enrolled", "suspended", "withdrawn", "graduated"]


@pytest.fixture(scope="module")
def data(shared: Shared) -> Shared:
    """Institution A gets 60 more learners, 47 more revenues and a second program."""
    world = shared.world
    with scoped_session(shared.sessions, Scope.system("test")) as s:
        program = s.get(Program, (world.a.institution_id, world.a.ids["programs"]))
        inst = s.get(Institution, world.a.institution_id)
        assert program is not None
        assert inst is not None
        second = factories.program(s, inst, code="Alpha-P2", level="master")
        for n in range(60):
            sex = "female" if n % 2 else "male"
            who = factories.person(
                s,
                shared.cipher,
                national_id(sex, 2000 + n % 5, 1000 + n),
                f"Học viên {n:02d}",
                sex,
                dt.date(2000 + n % 5, 1, 1 + n % 28),
            )
            factories.learner(
                s,
                second if n % 3 == 0 else program,
                who,
                code=f"L{(n * 37) % 60:03d}",  # codes not in id order
                cohort_year=2020 + n % 4,  # many ties
                status=STATUSES[n % 4],
                study_mode="part_time" if n % 5 == 0 else "full_time",
            )
        n = 0
        for year in (2021, 2022, 2023, 2024):
            for source in SOURCES:
                for activity in ACTIVITIES:
                    if (year, source, activity) == (2024, "tuition_fees", "training"):
                        continue  # seeded by the world
                    s.add(
                        Revenue(
                            institution_id=world.a.institution_id,
                            fiscal_year=year,
                            source=source,
                            activity=activity,
                            amount_vnd=(n * 7919) % 1000 * 1_000_000,
                        )
                    )
                    n += 1
        s.commit()
    return shared


def _all(api: Api, path: str, who: str = "officer_a", **params: Any) -> list[dict[str, Any]]:
    return api.items(who, path, limit=500, **params)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("learners", {"status": "suspended"}),
        ("learners", {"cohort_year": 2021, "study_mode": "part_time"}),
        ("learners", {"student_code": "L037"}),
        ("revenues", {"fiscal_year": 2022, "source": "other"}),
        ("revenues", {"activity": "science_technology"}),
        ("programs", {"level": "master"}),
        ("programs", {"code": "Alpha-P1"}),
        ("campuses", {"is_main": "true"}),
        ("staff", {"position": "lecturer", "full_time": "true"}),
        ("institutions", {"type": "university", "ownership": "public"}),
        ("reporting-periods", {"year": 2024}),
        ("assets", {"category": "equipment"}),
        ("facilities", {"kind": "laboratory"}),
        ("expenditures", {"category": "salaries"}),
        ("resource-summaries", {"year": 2024}),
    ],
)
def test_equality_filters(data: Shared, path: str, params: dict[str, Any]) -> None:
    everything = _all(data.api, path)
    expected = [
        row
        for row in everything
        if all(str(row[k]).lower() == str(v).lower() for k, v in params.items())
    ]
    got = _all(data.api, path, **params)
    assert got == expected
    assert got, "the filter should match something in the test data"


def test_filter_by_program_and_institution(data: Shared) -> None:
    world = data.world
    in_program = _all(data.api, "learners", program_id=world.a.ids["programs"])
    assert in_program
    assert {r["program_id"] for r in in_program} == {world.a.ids["programs"]}
    national = _all(data.api, "learners", who="admin", institution_id=world.b.institution_id)
    assert {r["institution_id"] for r in national} == {world.b.institution_id}
    assert _all(data.api, "learners", institution_id=world.b.institution_id) == []


@pytest.mark.parametrize(
    ("path", "sort", "key"),
    [
        ("learners", "student_code", lambda r: (r["student_code"], r["id"])),
        ("learners", "-cohort_year", lambda r: (-r["cohort_year"], -r["id"])),
        ("learners", "admitted_on", lambda r: (r["admitted_on"], r["id"])),
        ("learners", "-id", lambda r: -r["id"]),
        ("revenues", "-amount_vnd", lambda r: (-r["amount_vnd"], -r["id"])),
        ("revenues", "fiscal_year", lambda r: (r["fiscal_year"], r["id"])),
        ("persons", "name", lambda r: (fold(r["full_name"]), r["id"])),
        ("persons", "-date_of_birth", lambda r: (r["date_of_birth"], r["id"])),
    ],
)
def test_sorting(data: Shared, path: str, sort: str, key: Any) -> None:
    who = "admin" if path == "persons" else "officer_a"
    rows = _all(data.api, path, who=who, sort=sort)
    assert len(rows) > 40
    if sort == "-date_of_birth":
        assert rows == sorted(rows, key=key, reverse=True)
    else:
        assert rows == sorted(rows, key=key)


@pytest.mark.parametrize(
    ("path", "sort", "limit"),
    [
        ("learners", None, 7),
        ("learners", "-id", 10),
        ("learners", "cohort_year", 4),  # ties across page boundaries
        ("learners", "-status_date", 9),
        ("learners", "student_code", 1),
        ("revenues", "fiscal_year", 5),
        ("revenues", "-amount_vnd", 6),
        ("persons", "name", 8),
    ],
)
def test_cursor_walk_visits_every_row_exactly_once(
    data: Shared, path: str, sort: str | None, limit: int
) -> None:
    who = "admin" if path == "persons" else "officer_a"
    params: dict[str, Any] = {"limit": limit}
    if sort:
        params["sort"] = sort
    full = _all(data.api, path, who=who, **({"sort": sort} if sort else {}))
    walked: list[dict[str, Any]] = []
    pages = 0
    while True:
        response = data.api.get(who, path, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        walked += body["items"]
        pages += 1
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert [r["id"] for r in walked] == [r["id"] for r in full]
    assert len({r["id"] for r in walked}) == len(walked)
    assert pages == -(-len(full) // limit)


def test_default_and_maximum_limit(data: Shared) -> None:
    page = data.api.get("officer_a", "learners").json()
    assert len(page["items"]) == 50
    assert page["next_cursor"] is not None
    assert len(data.api.items("officer_a", "learners", limit=500)) == 61
    assert data.api.get("officer_a", "learners", limit=501).status_code == 422


def test_cursor_is_bound_to_its_sort(data: Shared) -> None:
    cursor = data.api.get("officer_a", "learners", limit=5, sort="cohort_year").json()[
        "next_cursor"
    ]
    response = data.api.get("officer_a", "learners", limit=5, sort="student_code", cursor=cursor)
    assert response.status_code == 422
    assert error_of(response)["details"][0]["field"] == "cursor"


def test_nested_lists_paginate(data: Shared) -> None:
    world: World = data.world
    path = f"learners/{world.a.ids['learners']}/status-events"
    for day in range(1, 8):
        created = data.api.post(
            "officer_a", path, {"status": "enrolled", "effective_on": f"2024-01-0{day}"}
        )
        assert created.status_code == 201
    first = data.api.get("officer_a", path, limit=3).json()
    second = data.api.get("officer_a", path, limit=3, cursor=first["next_cursor"]).json()
    assert len(first["items"]) == len(second["items"]) == 3
    assert {e["id"] for e in first["items"]}.isdisjoint(e["id"] for e in second["items"])
