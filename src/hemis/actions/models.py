"""The action-job table (national: ministry actions concern the whole nation).

A row is a request to run one long action and the record of how it went: its phase and counts
while it runs (written by the runner, polled by the progress page), its result or its error in
Vietnamese and English when it ends. `active_key` holds the action's lock key while the job is
queued or running and is cleared when it ends: its unique constraint is what refuses a second
start of the same action, on both databases and across server processes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hemis.actions.rules import ActionStatus
from hemis.db.base import Audited, Base, IdMixin
from hemis.db.types import utcnow
from hemis.registry.models._common import code_column_type, in_codes


class ActionJob(Audited, IdMixin, Base):
    __tablename__ = "action_job"
    __table_args__ = (
        UniqueConstraint("active_key"),
        in_codes("status", ActionStatus),
        Index("ix_action_job_status", "status"),
        Index("ix_action_job_kind_created", "kind", "created_at"),
    )

    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lock_key: Mapped[str] = mapped_column(String(120))
    active_key: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(
        code_column_type(ActionStatus), default=ActionStatus.queued.value
    )
    phase: Mapped[str] = mapped_column(String(30), default="queued")
    processed: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    actor: Mapped[str] = mapped_column(String(100))
    actor_role: Mapped[str] = mapped_column(String(30))
    worker: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    heartbeat_at: Mapped[dt.datetime | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
