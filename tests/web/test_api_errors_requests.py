"""Malformed requests (paths, query parameters, callers) are a clean 4xx with the error shape
{code, message, details}; the TestClient re-raises any server error, so a 500 fails loudly."""

from __future__ import annotations

import pytest

from tests.web.conftest import API, Shared
from tests.web.test_api_errors import Bad, send

CASES = [
    # --- paths ---
    Bad("id not a number", "GET", "campuses/abc", 422, "validation_failed"),
    Bad("id zero", "GET", "campuses/0", 422, "validation_failed"),
    Bad("id beyond bigint", "GET", f"campuses/{2**63}", 422, "validation_failed"),
    Bad("unknown id", "GET", "campuses/424242", 404, "not_found"),
    Bad("unknown learner nested", "GET", "learners/424242/status-events", 404, "not_found"),
    Bad(
        "unknown learner award",
        "POST",
        "learners/424242/award",
        404,
        "not_found",
        json={"diploma_number": "X", "awarded_on": "2024-01-01", "classification": "good"},
    ),
    Bad("unknown patch", "PATCH", "programs/424242", 404, "not_found", json={}),
    Bad("unknown path", "GET", "nothing-here", 404, "not_found"),
    Bad("method not allowed", "DELETE", "campuses/{a_campus}", 405, "method_not_allowed"),
    # --- query parameters ---
    Bad("limit zero", "GET", "campuses", 422, "validation_failed", params={"limit": 0}),
    Bad("limit too big", "GET", "campuses", 422, "validation_failed", params={"limit": 501}),
    Bad("limit not a number", "GET", "campuses", 422, "validation_failed", params={"limit": "x"}),
    Bad(
        "bad sort field",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"sort": "national_id"},
    ),
    Bad("bad sort dash", "GET", "learners", 422, "validation_failed", params={"sort": "-"}),
    Bad(
        "garbage cursor",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"cursor": "%%%not-base64"},
    ),
    Bad(
        "forged cursor",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"cursor": "WyJpZCIsImFiYyIsMV0"},
    ),  # ["id","abc",1]
    Bad(
        "cursor wrong shape",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"cursor": "eyJhIjoxfQ"},
    ),  # {"a":1}
    Bad(
        "cursor with NUL",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"sort": "student_code", "cursor": "WyJzdHVkZW50X2NvZGUiLCAiXHUwMDAwIiwgMV0"},
    ),
    Bad(
        "cursor value beyond bigint",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={
            "sort": "cohort_year",
            "cursor": "WyJjb2hvcnRfeWVhciIsIDExODA1OTE2MjA3MTc0MTEzMDM0MjQsIDFd",
        },
    ),
    Bad(
        "cursor impossible date",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"sort": "admitted_on", "cursor": "WyJhZG1pdHRlZF9vbiIsICIyMDI0LTEzLTQ1IiwgMV0"},
    ),
    Bad(
        "unknown filter",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"national_id": "001203000101"},
    ),
    Bad(
        "unknown enum filter",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"status": "zombie"},
    ),
    Bad(
        "filter wrong type",
        "GET",
        "learners",
        422,
        "validation_failed",
        params={"cohort_year": "recent"},
    ),
    Bad(
        "filter huge id", "GET", "learners", 422, "validation_failed", params={"program_id": 2**64}
    ),
    Bad("filter NUL", "GET", "programs", 422, "validation_failed", params={"code": "a\x00"}),
    Bad(
        "bad bool filter", "GET", "campuses", 422, "validation_failed", params={"is_main": "maybe"}
    ),
    # --- callers ---
    Bad("no token", "GET", "campuses", 401, "unauthorized", who=""),
    Bad(
        "bad token",
        "GET",
        "campuses",
        401,
        "unauthorized",
        who="",
        headers={"Authorization": "Bearer hms_forged"},
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_malformed_request_is_a_clean_4xx(shared: Shared, case: Bad) -> None:
    send(shared, case)


def test_messages_follow_the_language(shared: Shared) -> None:
    path = f"{API}/campuses/424242"
    vi = shared.api.client.get(path, headers=shared.api.headers("officer_a"))
    en = shared.api.client.get(path + "?lang=en", headers=shared.api.headers("officer_a"))
    assert vi.json()["message"] != en.json()["message"]
    assert "not found" in en.json()["message"]
