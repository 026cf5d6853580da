"""Data scopes of the competency pages and API beyond the caller's own: a read-only national
scope for what is public (the framework, a credential's status, the verify page), and the
learner's own scope (read-only, national, always filtered by the person linked to the account —
never by anything in the request)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends

from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.web.context import AppContext
from hemis.web.deps import Context

PUBLIC_ACTOR = "public"


def public_scope() -> Scope:
    return Scope(PUBLIC_ACTOR, None, False, "public")


@contextmanager
def public_session(ctx: AppContext) -> Iterator[HemisSession]:
    with scoped_session(ctx.sessions, public_scope()) as session:
        yield session


def get_public_db(ctx: Context) -> Iterator[HemisSession]:
    with public_session(ctx) as session:
        yield session


PublicDB = Annotated[HemisSession, Depends(get_public_db)]
