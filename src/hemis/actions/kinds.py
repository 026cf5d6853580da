"""The kinds of action job: each domain registers its long actions here (admissions/actions.py,
payments/actions.py, integrations/actions.py), and `hemis.actions.catalogue` imports them all.

A handler runs in the job runner's thread with an `ActionContext`: the database, the settings,
a session factory and the scope of the user who started the job (so what it writes is audited
under their name), and `progress(phase, done, total)`. On SQLite, progress must be reported
only between the handler's transactions: a progress write waits for the database's write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from hemis.common.crypto import IdCipher
from hemis.config import Settings
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import HemisError

Progress = Callable[[str, int, int], None]
Params = dict[str, Any]


def no_progress(phase: str, done: int, total: int) -> None:
    """A progress callback that reports nothing (direct calls, the CLI)."""


@dataclass(frozen=True)
class ActionContext:
    engine: Engine
    sessions: sessionmaker[HemisSession]
    settings: Settings
    cipher: IdCipher
    scope: Scope
    progress: Progress

    @contextmanager
    def session(self) -> Iterator[HemisSession]:
        """A session in the scope of the user who started the job."""
        with scoped_session(self.sessions, self.scope) as session:
            yield session


@dataclass(frozen=True)
class ActionKind:
    name: str
    label_vi: str
    label_en: str
    run: Callable[[ActionContext, Params], dict[str, Any]]
    lock_key: Callable[[Params], str]
    back: Callable[[Params], str]  # the page the action belongs to
    unit_vi: str = "bước"
    unit_en: str = "steps"
    describe: Callable[[Params, str], str] | None = None  # e.g. the round, in a language

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_vi

    def unit(self, lang: str) -> str:
        return self.unit_en if lang == "en" else self.unit_vi


KINDS: dict[str, ActionKind] = {}


def register(kind: ActionKind) -> ActionKind:
    KINDS[kind.name] = kind
    return kind


class UnknownAction(HemisError):
    code = "action_unknown"
    status = 404

    def __init__(self, kind: str) -> None:
        super().__init__(
            "Không có loại thao tác này.", "No such action.", details={"kind": kind[:40]}
        )


def get_kind(name: str) -> ActionKind:
    from hemis.actions import catalogue  # noqa: F401 - every domain's kinds registered

    kind = KINDS.get(name)
    if kind is None:
        raise UnknownAction(name)
    return kind
