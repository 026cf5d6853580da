"""The results-day read model (ADR 0025): publishing a round writes what each candidate is shown,
in the same transaction; the pages and the API read it with one indexed query; round verify
notices a changed row; a candidate only ever reads their own rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import sessionmaker

from hemis.accounts.roles import Role
from hemis.admissions import published, queries, queries_published, round_verify, rounds
from hemis.admissions.models import AdmissionRound, RoundCandidate
from hemis.admissions.models_published import PublishedResult
from hemis.admissions.schemas import RoundCreate
from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.types import utcnow
from hemis.errors import Conflict, Forbidden
from hemis.web.app import create_app
from tests import factories
from tests.admissions import world
from tests.admissions.conftest import CandidateSession
from tests.admissions.test_rounds import AFTER_WISHES, run, scene
from tests.admissions.world import YEAR
from tests.conftest import TestDB
from tests.web.page_factories import login, make_user


def _as_shown(outcome: Any) -> tuple[Any, ...]:
    """What the page renders of one round outcome (either source)."""

    def wish(w: Any) -> tuple[Any, ...] | None:
        if w is None:
            return None
        offer = w.offer and (w.offer.offer.code, w.offer.offer.name_vi, w.offer.institution_name)
        return (w.rank, offer, w.bucket, w.score_h, w.cutoff_h, w.outcome, w.flag, w.decided_by)

    r = outcome.round
    return (
        (r.id, r.number, r.kind, r.is_final),
        wish(outcome.admitted),
        [wish(w) for w in outcome.wishes],
    )


def _count(s: HemisSession, round_id: int) -> tuple[int, int]:
    def n(model: Any) -> int:
        return int(s.scalar(select(func.count()).where(model.round_id == round_id)) or 0)

    return n(RoundCandidate), n(PublishedResult)


def test_publishing_writes_what_each_candidate_was_shown(s: HemisSession, cipher: IdCipher) -> None:
    sc = scene(s, cipher)
    r = run(s)
    assert _count(s, r.id) == (4, 4)
    assert r.stats["published_rows"] == r.stats["candidates"] == 4
    for c in sc.c:
        computed = queries.my_results(s, s, YEAR, c.person_id)
        stored = queries_published.published_results(s, YEAR, c.person_id)
        assert [_as_shown(o) for o in stored] == [_as_shown(o) for o in computed]
    first = queries_published.published_results(s, YEAR, sc.c[0].person_id)[0]
    assert first.admitted is not None
    assert first.admitted.offer is not None
    assert first.admitted.offer.offer.code == "X"
    assert first.admitted.outcome == "admitted"
    last = queries_published.published_results(s, YEAR, sc.c[3].person_id)[0]
    assert last.admitted is None
    assert [(w.outcome, w.cutoff_h) for w in last.wishes] == [("below_cutoff", 2100)]


def test_a_large_round_is_written_in_batches_while_it_is_read(
    s: HemisSession, cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # batches of 4 rows read and 4 written: inserts interleave with the streamed read
    monkeypatch.setattr(published, "BATCH", 1)
    sc = scene(s, cipher)
    for number in (5, 6, 7):  # no results: their wish is not eligible, still shown
        world.wish(s, world.candidate(s, cipher, number), sc.inst, sc.y)
    r = run(s)
    assert _count(s, r.id) == (7, 7)
    assert r.stats["published_rows"] == 7
    assert round_verify.verify_round(s, r.id).identical


def test_a_round_not_yet_published_has_no_read_model_and_is_published_once(
    s: HemisSession, cipher: IdCipher
) -> None:
    scene(s, cipher)
    r = rounds.create_round(s, RoundCreate(year=YEAR, is_final=True))
    rounds.take_snapshot(s, r.id, now=utcnow() + AFTER_WISHES)
    rounds.run_round(s, r.id)
    assert _count(s, r.id) == (4, 0)
    rounds.publish_round(s, r.id)
    with pytest.raises(Conflict):
        rounds.publish_round(s, r.id)
    s.rollback()
    assert _count(s, r.id) == (4, 4)


def test_publishing_is_all_or_nothing(
    s: HemisSession, cipher: IdCipher, monkeypatch: pytest.MonkeyPatch
) -> None:
    scene(s, cipher)
    r = rounds.create_round(s, RoundCreate(year=YEAR, is_final=True))
    rounds.take_snapshot(s, r.id, now=utcnow() + AFTER_WISHES)
    rounds.run_round(s, r.id)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(published, "write_frame", broken)
    with pytest.raises(RuntimeError):
        rounds.publish_round(s, r.id)
    s.rollback()
    again = s.get(AdmissionRound, r.id)
    assert again is not None
    assert again.status == "run"
    assert again.published_at is None
    assert _count(s, r.id) == (4, 0)
    monkeypatch.undo()
    rounds.publish_round(s, r.id)
    assert _count(s, r.id) == (4, 4)


def test_verify_notices_a_changed_or_missing_read_model_row(
    s: HemisSession, cipher: IdCipher, owner_engine: Engine
) -> None:
    sc = scene(s, cipher)
    r = run(s)
    assert round_verify.verify_round(s, r.id).identical
    s.commit()
    with owner_engine.begin() as conn:  # the application role may not change a row
        conn.execute(
            text("UPDATE published_result SET score_h = score_h + 1 WHERE person_id = :p"),
            {"p": sc.c[0].person_id},
        )
    s.rollback()
    check = round_verify.verify_round(s, r.id)
    s.rollback()
    assert not check.identical
    assert check.read_model_differences == 1
    with owner_engine.begin() as conn:
        conn.execute(
            text("DELETE FROM published_result WHERE person_id = :p"), {"p": sc.c[1].person_id}
        )
    assert round_verify.verify_round(s, r.id).read_model_differences == 2
    s.rollback()
    with owner_engine.begin() as conn:  # the explanation counts too
        conn.execute(
            text(
                "UPDATE published_result SET wishes = :w, score_h = score_h - 1 "
                "WHERE person_id = :p"
            ),
            {"w": '[{"rank": 9}]', "p": sc.c[0].person_id},
        )
    assert round_verify.verify_round(s, r.id).read_model_differences == 2


def test_a_round_published_before_the_read_model_gets_it_once(
    s: HemisSession, cipher: IdCipher, owner_engine: Engine
) -> None:
    sc = scene(s, cipher)
    r = run(s)
    s.commit()
    with owner_engine.begin() as conn:  # as a round published before migration 0024
        conn.execute(text("DELETE FROM published_result"))
    assert queries_published.published_results(s, YEAR, sc.c[0].person_id) == []
    s.rollback()
    assert published.backfill_published(s, r.id) == 4
    assert round_verify.verify_round(s, r.id).identical
    with pytest.raises(Conflict):
        published.backfill_published(s, r.id)
    s.rollback()
    assert _count(s, r.id) == (4, 4)


def test_a_candidate_reads_only_their_own_rows(
    s: HemisSession,
    cipher: IdCipher,
    sessions: sessionmaker[HemisSession],
    as_candidate: CandidateSession,
) -> None:
    sc = scene(s, cipher)
    run(s)
    s.commit()
    world.account(sessions, "c.one", sc.c[0].person_id)
    own = as_candidate("c.one")
    assert [
        o.round.number for o in queries_published.published_results(own, YEAR, sc.c[0].person_id)
    ] == [1]
    with pytest.raises(Forbidden):
        queries_published.published_results(own, YEAR, sc.c[1].person_id)
    # even a query naming nobody sees only the candidate's own rows
    assert set(own.scalars(select(PublishedResult.person_id))) == {sc.c[0].person_id}


# --- the page and the API: one indexed read, whatever the number of wishes and candidates -----


class Statements:
    def __init__(self, engine: Engine) -> None:
        self.sql: list[str] = []
        self.engine = engine
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.sql.append(statement)

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def of(self, table: str) -> list[str]:
        return [q for q in self.sql if f"FROM {table}" in q]


@pytest.fixture
def site(db: TestDB, sessions: sessionmaker[HemisSession], cipher: IdCipher) -> Iterator[Any]:
    """Two candidates: `few` with one wish, `many` with six; 30 more candidates with wishes."""
    with scoped_session(sessions, world.system()) as s:
        world.calendar(s)
        inst = factories.institution(s, "DHP")
        offers = [world.offer(s, world.program(s, inst, f"P{i}"), 2) for i in range(6)]
        cs = [world.candidate(s, cipher, i) for i in range(1, 33)]
        world.import_exam(
            s,
            {
                c.number: {"math": "7", "physics": str(5 + i % 5), "chemistry": "6"}
                for i, c in enumerate(cs)
            },
        )
        world.wish(s, cs[0], inst.id, offers[0])
        for o in offers:
            world.wish(s, cs[1], inst.id, o)
        for c in cs[2:]:
            for o in offers[:3]:
                world.wish(s, c, inst.id, o)
        r = rounds.create_round(s, RoundCreate(year=YEAR, is_final=True))
        rounds.take_snapshot(s, r.id, now=utcnow() + AFTER_WISHES)
        rounds.run_round(s, r.id)
        rounds.publish_round(s, r.id)
    world.account(sessions, "few", cs[0].person_id)
    world.account(sessions, "many", cs[1].person_id)
    app = create_app(db.settings())
    yield app, cs
    app.state.ctx.dispose()


def _statements_of(app: Any, username: str, url: str) -> tuple[str, list[str]]:
    client = TestClient(app)
    client.__enter__()
    assert login(client, username).status_code == 303
    seen = Statements(app.state.ctx.engine)
    try:
        page = client.get(url)
        assert page.status_code == 200, page.text
    finally:
        seen.close()
        client.__exit__(None, None, None)
    return page.text, seen.sql


def test_the_results_page_is_one_read_of_the_read_model(site: Any) -> None:
    app, _ = site
    counts = []
    for username in ("few", "many"):
        html, sql = _statements_of(app, username, "/admissions/results")
        assert "Đợt 1" in html
        reads = [q for q in sql if "published_result" in q]
        assert len(reads) == 1, reads
        assert not [q for q in sql if "round_candidate" in q or "round_offer_result" in q]
        counts.append(len(sql))
    assert counts[0] == counts[1] <= 12  # independent of the wishes shown


def test_the_api_gives_the_candidate_their_results(site: Any) -> None:
    app, _cs = site
    body, sql = _statements_of(app, "many", "/api/v1/me/admission-results")
    assert len([q for q in sql if "published_result" in q]) == 1
    assert len(sql) <= 8
    data = json.loads(body)
    assert data["year"] == YEAR
    (round_,) = data["rounds"]
    assert round_["number"] == 1
    assert round_["is_final"] is True
    assert [w["rank"] for w in round_["wishes"]] == list(range(1, len(round_["wishes"]) + 1))
    if round_["admitted"] is not None:
        assert round_["admitted"]["outcome"] == "admitted"


def test_the_api_refuses_everyone_but_a_candidate(site: Any, db: TestDB) -> None:
    app, _ = site
    make_user(app.state.ctx.sessions, "bo.admin", Role.ministry_admin)
    client = TestClient(app)
    with client:
        assert client.get("/api/v1/me/admission-results").status_code == 401
        assert login(client, "bo.admin").status_code == 303
        assert client.get("/api/v1/me/admission-results").status_code == 403
