"""Audit entries of account events.

Accounts are not an audited table (a row holds a password hash); what happens to them is
written to the audit chain explicitly, without the hash.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from hemis.accounts.models import User
from hemis.audit.chain import Change, append
from hemis.db.tenancy import get_scope


def record_account(session: Session, user: User, action: str, **after: object) -> None:
    """An audit entry for an account event (never the password or its hash)."""
    append(
        session.connection(),
        [
            Change(
                actor=get_scope(session).actor,
                institution_id=None,
                action=action,
                entity="app_user",
                entity_id=str(user.id),
                before=None,
                after={
                    "username": user.username,
                    "role": user.role,
                    "person_id": user.person_id,
                    **after,
                },
            )
        ],
    )
