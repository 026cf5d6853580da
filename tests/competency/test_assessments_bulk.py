"""The large-file path on PostgreSQL for assessed levels: with the owner role the sittings are
copied straight into the table, their learners locked in one statement instead of a foreign-key
trigger per row; what lands is what the ordinary path writes, and a re-submission writes
nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.competency.models import CompetencyAssessment
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.submissions import apply
from hemis.submissions.workspace import Workspace
from tests.competency.world import World, assessed, run

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(pg_db: Any) -> Any:  # PostgreSQL only: SQLite has no COPY
    return pg_db


def test_copied_sittings_skip_the_per_row_triggers_and_land_whole(
    owner_engine: Engine,
    cipher: IdCipher,
    sessions: sessionmaker[HemisSession],
    scene: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(apply, "FAST_MIN_ROWS", 1)
    copied: list[tuple[str, bool]] = []
    original = Workspace.copy_rows

    def spy(self: Workspace, table: str, *args: Any, **kwargs: Any) -> bool:
        copied.append(
            (
                table,
                self.conn.exec_driver_sql("SHOW session_replication_role").scalar() == "replica",
            )
        )
        return original(self, table, *args, **kwargs)

    monkeypatch.setattr(Workspace, "copy_rows", spy)
    rows = [
        assessed("SV1", "1.1", 4),
        assessed("SV1", "3.4", 5),
        assessed("SV2", "6.3", 2, on="2024-05-02", evidence=""),
    ]
    first = run(owner_engine, cipher, "digital_competencies", rows, scene.a)
    assert first.rows_written == 2, first.report.issues.to_dicts()
    assert copied == [("competency_assessment", True)]
    a = CompetencyAssessment
    with scoped_session(sessions, Scope.system("test")) as s:
        stored = set(s.execute(select(a.learner_id, a.evidence_ref, a.levels)).all())
    assert stored == {
        (scene.learners["SV1"], "KT-2025-01", "4" + "0" * 11 + "5" + "0" * 11),
        (scene.learners["SV2"], "", "0" * 23 + "2"),
    }
    assert run(owner_engine, cipher, "digital_competencies", rows, scene.a).rows_written == 0


def test_learners_read_in_blocks_keep_every_character_or_fall_back(
    owner_engine: Engine, cipher: IdCipher, scene: World
) -> None:
    import datetime as dt

    from sqlalchemy import text

    from hemis.competency.apply import _learners_in_blocks, learners
    from hemis.submissions.workspace import transaction

    odd = {"SV1": 'S,"V\\1', "SV2": "SV 2;'x"}
    with owner_engine.begin() as conn:
        for old, new in odd.items():
            conn.execute(
                text("UPDATE learner SET student_code = :new WHERE student_code = :old"),
                {"new": new, "old": old},
            )
    with transaction(owner_engine, scene.a) as conn:
        ws = Workspace(conn, scene.a, scene.a_code, cipher, dt.date(2025, 12, 31), "test")
        blocks = _learners_in_blocks(ws)
        assert blocks is not None
        assert set(blocks["student_code"]) == {*odd.values(), "SV3"}
        assert blocks["admitted_on"].to_list() == [dt.date(2023, 9, 5)] * 3
    with owner_engine.begin() as conn:
        conn.execute(text("UPDATE learner SET student_code = 'S\nV3' WHERE student_code = 'SV3'"))
    with transaction(owner_engine, scene.a) as conn:
        ws = Workspace(conn, scene.a, scene.a_code, cipher, dt.date(2025, 12, 31), "test")
        assert _learners_in_blocks(ws) is None  # a line feed splits a row: read row by row
        assert set(learners(ws)["student_code"]) == {*odd.values(), "S\nV3"}
