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
