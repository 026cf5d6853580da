"""Import jobs: an attempt count and the runner's identity (a job is never resumed blindly, and a
job whose runner died is failed within a minute), and uploads no longer kept in clear.

From this revision `submission_job.payload` holds the upload encrypted (AES-GCM, ADR 0003) and
only until the job ends. Files stored in clear by earlier versions are dropped here: a finished
job's file is cleared, and a job still queued or running is failed and asks for the file again.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hemis.db.types import UTCDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESEND = {
    "code": "import.interrupted",
    "message": "Hệ thống đã được nâng cấp trong khi tệp đang chờ xử lý; chưa có dữ liệu nào được "
    "ghi. Hãy gửi lại tệp.",
    "message_en": "The system was upgraded while the file was waiting; nothing was written. Send "
    "the file again.",
    "details": None,
}


def upgrade() -> None:
    with op.batch_alter_table("submission_job", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("worker", sa.String(length=120), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT set_config('hemis.national', 'on', true)")  # every institution's rows
    job = sa.table(
        "submission_job",
        sa.column("status", sa.String()),
        sa.column("phase", sa.String()),
        sa.column("payload", sa.LargeBinary()),
        sa.column("finished_at", UTCDateTime()),
        sa.column("error", sa.JSON()),
    )
    waiting = job.c.status.in_(["queued", "running"]) & job.c.payload.is_not(None)
    op.execute(
        job.update()
        .where(waiting)
        .values(status="failed", phase="done", finished_at=dt.datetime.now(dt.UTC), error=RESEND)
    )
    op.execute(job.update().where(job.c.payload.is_not(None)).values(payload=None))


def downgrade() -> None:
    with op.batch_alter_table("submission_job", schema=None) as batch_op:
        batch_op.drop_column("worker")
        batch_op.drop_column("attempts")
