"""The cross-institution guard: a person actively enrolled full-time at another institution is
flagged. Submissions flag it per file row with rule LRN.national_id.elsewhere (tier e, see
hemis.imports.rules_db and hemis.submissions.persons); this is the same query for one record or
a few, for an API write or a sync job."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from hemis.imports.rules_db import db_catalogue

RULE = db_catalogue()["LRN.national_id.elsewhere"]
# The condition of hemis.submissions.persons.ELSEWHERE["learners"], for person ids given.
ENROLLED_ELSEWHERE = text(
    "SELECT DISTINCT person_id, institution_id FROM learner WHERE institution_id <> :iid "
    "AND status = 'enrolled' AND study_mode = 'full_time' AND person_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def enrolled_elsewhere(
    conn: Connection, institution_id: int, person_ids: Iterable[int]
) -> dict[int, list[int]]:
    """Person id → the other institutions where that person studies full-time now. The
    connection must see every institution (a national scope: this is a ministry check)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    out: dict[int, list[int]] = {}
    for pid, iid in conn.execute(ENROLLED_ELSEWHERE, {"iid": institution_id, "ids": ids}):
        out.setdefault(int(pid), []).append(int(iid))
    return out
