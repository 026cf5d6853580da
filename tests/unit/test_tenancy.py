"""Tenancy: an institution scope sees and writes only its own rows, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope, TenancyError
from hemis.errors import Forbidden
from hemis.registry.models import Institution, Learner, Person, Program
from tests import factories


@pytest.fixture
def two_institutions(sessions: sessionmaker[HemisSession], cipher: IdCipher) -> tuple[int, int]:
    with scoped_session(sessions, Scope.system("test")) as s:
        a = factories.institution(s, "A01")
        b = factories.institution(s, "B01")
        pa, pb = factories.program(s, a), factories.program(s, b)
        factories.learner(
            s, pa, factories.person(s, cipher, "001099000001", "Lê Thị Hoa", "female")
        )
        factories.learner(s, pb, factories.person(s, cipher, "001099000002", "Trần Văn Bình"))
        s.commit()
        return a.id, b.id


def test_institution_scope_sees_only_its_rows(
    sessions: sessionmaker[HemisSession], two_institutions: tuple[int, int]
) -> None:
    a, b = two_institutions
    with scoped_session(sessions, Scope("user:1", a, role="institution_officer")) as s:
        assert [i.id for i in s.scalars(select(Institution))] == [a]
        assert {p.institution_id for p in s.scalars(select(Program))} == {a}
        assert {row.institution_id for row in s.scalars(select(Learner))} == {a}
        assert [p.full_name for p in s.scalars(select(Person))] == ["Lê Thị Hoa"]
        assert s.get(Institution, b) is None


def test_national_scope_sees_all(
    sessions: sessionmaker[HemisSession], two_institutions: tuple[int, int]
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        assert len(s.scalars(select(Learner)).all()) == 2


def test_writing_another_institution_is_refused(
    sessions: sessionmaker[HemisSession], two_institutions: tuple[int, int]
) -> None:
    a, b = two_institutions
    with scoped_session(sessions, Scope("user:1", a, role="institution_officer")) as s:
        prog = s.scalars(select(Program)).one()
        prog.institution_id = b
        with pytest.raises(Forbidden):
            s.flush()


def test_read_only_scope_cannot_write(
    sessions: sessionmaker[HemisSession], two_institutions: tuple[int, int]
) -> None:
    with scoped_session(
        sessions, Scope("user:2", None, writable=False, role="ministry_analyst")
    ) as s:
        prog = s.scalars(select(Program)).first()
        assert prog is not None
        prog.name_vi = "Đổi tên"
        with pytest.raises(Forbidden):
            s.flush()


def test_session_without_scope_is_refused(sessions: sessionmaker[HemisSession]) -> None:
    with sessions() as s, pytest.raises(TenancyError):
        s.scalars(select(Institution)).all()


def test_raw_sql_refused_in_institution_scope(
    sessions: sessionmaker[HemisSession], two_institutions: tuple[int, int]
) -> None:
    a, _ = two_institutions
    with scoped_session(sessions, Scope("user:1", a)) as s, pytest.raises(TenancyError):
        s.execute(text("SELECT * FROM learner"))


def test_candidate_scope_sees_no_registry_data(
    sessions: sessionmaker[HemisSession], two_institutions: tuple[int, int]
) -> None:
    from hemis.accounts.roles import Role
    from hemis.accounts.service import Principal

    candidate = Principal(99, "c", "C", Role.candidate, None)
    with scoped_session(sessions, candidate.scope()) as s:
        assert s.scalars(select(Institution)).all() == []
        assert s.scalars(select(Learner)).all() == []
        assert s.scalars(select(Person)).all() == []
    assert not candidate.scope().writable
