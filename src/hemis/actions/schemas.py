"""Shapes of the action-job API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import ConfigDict, Field

from hemis.registry.schemas import ReadSchema, Schema

ParamValue = Annotated[str, Field(max_length=40)] | Annotated[int, Field(ge=0, le=2**63 - 1)]


class ActionCreate(Schema):
    kind: Annotated[str, Field(max_length=40)] = Field(
        description="round.snapshot, round.run, round.publish, round.verify, registry.sync, "
        "payments.reconcile or payments.invoices."
    )
    params: dict[Annotated[str, Field(max_length=20)], ParamValue] = Field(
        default_factory=dict,
        max_length=5,
        description="round_id (rounds), system and year (registry.sync), year (invoices).",
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "round.run", "params": {"round_id": 1}}]}
    )


class ActionRead(ReadSchema):
    id: int
    kind: str
    params: dict[str, Any]
    status: str
    phase: str
    processed: int
    total: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: dict[str, Any] | None
    error: dict[str, Any] | None
