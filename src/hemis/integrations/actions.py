"""Syncs with the national databases as action jobs, started from the ministry's national
databases page. One run per registry at a time (the job's lock; the sync runner's own file lock
also refuses a run started meanwhile from the command line)."""

from __future__ import annotations

from typing import Any

from hemis.actions.kinds import ActionContext, ActionKind, Params, register
from hemis.errors import ValidationFailed
from hemis.integrations.codes import REGISTRY_LABELS, Registry
from hemis.integrations.sync import SyncParams
from hemis.integrations.wiring import run_sync

SYNC_KIND = "registry.sync"
SYSTEMS = tuple(r.value for r in Registry)


def system_of(params: Params) -> str:
    value = params.get("system")
    if value not in SYSTEMS:
        raise ValidationFailed(
            "Không có CSDL quốc gia này.",
            "No such national database.",
            details=[{"field": "system", "code": "action.system"}],
        )
    return str(value)


def year_of(params: Params) -> int | None:
    """The graduation year of an insurance sync (None: every year)."""
    value = params.get("year")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1950 <= value <= 2100:
        raise ValidationFailed(
            "Năm tốt nghiệp phải là năm từ 1950 đến 2100.",
            "The graduation year must be a year from 1950 to 2100.",
            details=[{"field": "year", "code": "action.year"}],
        )
    return value


def _lock(params: Params) -> str:
    year_of(params)  # checked when the job is queued, not when it runs
    return f"sync:{system_of(params)}"


def _sync(ctx: ActionContext, params: Params) -> dict[str, Any]:
    sync = SyncParams(system_of(params), year_of(params), batch_size=ctx.settings.sync_batch_size)
    ctx.progress("sending", 0, 0)
    summary = run_sync(
        ctx.engine,
        ctx.settings,
        sync,
        progress=lambda done, total: ctx.progress("sending", done, total),
    )
    return {"run_id": summary.run_id, **summary.as_dict()}


def _describe(params: Params, lang: str) -> str:
    vi, en = REGISTRY_LABELS.get(str(params.get("system")), ("", ""))
    year = params.get("year")
    name = en if lang == "en" else vi
    return f"{name} {year}" if year else name


register(
    ActionKind(
        SYNC_KIND,
        "Đồng bộ với CSDL quốc gia",
        "Sync with a national database",
        _sync,
        _lock,
        lambda _params: "/integrations",
        unit_vi="bản ghi",
        unit_en="records",
        describe=_describe,
    )
)
