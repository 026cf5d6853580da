"""Creating users: the signatory flag (the institution's accountable officer) belongs to
institution officers only, in the service and in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from hemis.accounts import service
from hemis.accounts.models import User
from hemis.accounts.roles import Role
from hemis.accounts.schemas import UserCreate
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import ValidationFailed
from tests import factories


def test_an_officer_may_be_the_signatory_and_nobody_else(
    sessions: sessionmaker[HemisSession],
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        factories.institution(s, "SIG01")
        s.commit()
        head = service.create_user(
            s,
            UserCreate(
                username="hieutruong",
                password="mat-khau-dai-du",
                role=Role.institution_officer,
                institution_code="SIG01",
                signatory=True,
            ),
        )
        assert head.signatory
        assert service.is_signatory(s, f"user:{head.id}", head.institution_id or 0)
        assert not service.is_signatory(s, f"user:{head.id}", 999_999)
        assert not service.is_signatory(s, "system:cli", head.institution_id or 0)
        with pytest.raises(ValidationFailed) as refused:
            service.create_user(
                s,
                UserCreate(
                    username="phantich",
                    password="mat-khau-dai-du",
                    role=Role.ministry_analyst,
                    signatory=True,
                ),
            )
        assert refused.value.details == {"field": "signatory"}
        analyst = service.create_user(
            s,
            UserCreate(username="phantich", password="mat-khau-dai-du", role=Role.ministry_analyst),
        )
        with pytest.raises(IntegrityError):  # the database refuses it too
            s.execute(update(User).where(User.id == analyst.id).values(signatory=True))


def test_a_school_officer_needs_a_school_in_the_service_and_in_the_database(
    sessions: sessionmaker[HemisSession],
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        with pytest.raises(ValidationFailed) as refused:
            service.create_user(
                s,
                UserCreate(username="thpt.x", password="mat-khau-dai-du", role=Role.school_officer),
            )
        assert refused.value.details == {"field": "school_code"}
        officer = service.create_user(
            s,
            UserCreate(
                username="thpt.cva",
                password="mat-khau-dai-du",
                role=Role.school_officer,
                school_code="01001",
            ),
        )
        assert officer.school_code == "01001"
        with pytest.raises(IntegrityError):
            s.execute(update(User).where(User.id == officer.id).values(school_code=None))
        s.rollback()
        with pytest.raises(IntegrityError):  # an assurance level is 1 or 2
            s.execute(update(User).where(User.id == officer.id).values(assurance_level=3))
