"""Rounds as action jobs: snapshot, run, publish and verify run in the background with their
phases on a progress page instead of holding a request open (a national round takes tens of
seconds). One action at a time per round: the lock key is the round."""

from __future__ import annotations

from typing import Any

from hemis.actions.kinds import ActionContext, ActionKind, Params, register
from hemis.admissions import intake, round_verify, rounds
from hemis.admissions.models import AdmissionRound
from hemis.errors import ValidationFailed
from hemis.submissions.workspace import national

BACK = "/admissions/ministry"
ROUND_KINDS = ("round.snapshot", "round.run", "round.publish", "round.verify")


def round_id_of(params: Params) -> int:
    value = params.get("round_id")
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationFailed(
            "Thiếu mã đợt xét tuyển.",
            "The round is missing.",
            details=[{"field": "round_id", "code": "action.round"}],
        )
    return value


def _summary(round_: AdmissionRound, *keys: str) -> dict[str, Any]:
    stats = round_.stats or {}
    return {
        "round": round_.number,
        "status": round_.status,
        **{k: stats[k] for k in keys if k in stats},
    }


def _snapshot(ctx: ActionContext, params: Params) -> dict[str, Any]:
    with ctx.session() as session:
        round_ = rounds.take_snapshot(session, round_id_of(params), progress=ctx.progress)
        return _summary(round_, "candidates", "wishes", "counted_wishes", "programs", "seats") | {
            "sha256": round_.snapshot_sha256
        }


def _run(ctx: ActionContext, params: Params) -> dict[str, Any]:
    with ctx.session() as session:
        round_ = rounds.run_round(session, round_id_of(params), progress=ctx.progress)
        return _summary(round_, "candidates", "admitted", "over_quota")


def _publish(ctx: ActionContext, params: Params) -> dict[str, Any]:
    ctx.progress("publishing", 0, 1)
    with ctx.session() as session:
        return _summary(rounds.publish_round(session, round_id_of(params)), "admitted")


def _verify(ctx: ActionContext, params: Params) -> dict[str, Any]:
    ctx.progress("checking", 0, 1)
    with ctx.session() as session:
        check = round_verify.verify_round(session, round_id_of(params))
        return {
            "round": rounds.get_round(session, check.round_id).number,
            "sha256": check.sha256,
            "identical": check.identical,
            "differences": check.differences,
        }


def _lock(params: Params) -> str:
    return f"round:{round_id_of(params)}"


def _describe(params: Params, lang: str) -> str:
    number = params.get("number")
    if number is None:  # started through the API, which names the round by its id
        return (
            f"round #{params.get('round_id')}" if lang == "en" else f"đợt #{params.get('round_id')}"
        )
    return f"round {number}" if lang == "en" else f"đợt {number}"


def _back(_params: Params) -> str:
    return BACK


for name, vi, en, handler in (
    ("round.snapshot", "Chốt dữ liệu đợt xét tuyển", "Round snapshot", _snapshot),
    ("round.run", "Lọc ảo đợt xét tuyển", "Round run", _run),
    ("round.publish", "Công bố kết quả đợt", "Round publication", _publish),
    ("round.verify", "Kiểm tra lại kết quả đợt", "Round verification", _verify),
):
    register(ActionKind(name, vi, en, handler, _lock, _back, describe=_describe))


# --- the intake: confirmed candidates written into the registry ------------------------------

INTAKE_KIND = "admissions.intake"


def _intake_params(params: Params) -> tuple[int, int | None]:
    year, iid = params.get("year"), params.get("institution_id")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ValidationFailed(
            "Thiếu năm tuyển sinh.",
            "The admission year is missing.",
            details=[{"field": "year", "code": "action.year"}],
        )
    if iid is not None and (not isinstance(iid, int) or isinstance(iid, bool) or iid < 1):
        raise ValidationFailed(
            "Cơ sở đào tạo không hợp lệ.",
            "The institution is not valid.",
            details=[{"field": "institution_id", "code": "action.institution"}],
        )
    return year, iid


def _intake(ctx: ActionContext, params: Params) -> dict[str, Any]:
    year, iid = _intake_params(params)
    if iid is None:
        with ctx.engine.connect() as conn:
            national(conn)
            chosen = intake.institutions_with_intake(conn, year)
    else:
        chosen = [iid]
    totals = {"institutions": len(chosen), "confirmed": 0, "created": 0, "linked": 0}
    # One institution per transaction; progress is written between them (on SQLite a progress
    # write waits for the write lock an institution's transaction holds).
    for done, institution_id in enumerate(chosen):
        ctx.progress("writing", done, len(chosen))
        for outcome in intake.write_intake(
            ctx.engine, ctx.cipher, year, institution_id=institution_id, actor=ctx.scope.actor
        ):
            totals["confirmed"] += outcome.confirmed
            totals["created"] += outcome.created
            totals["linked"] += outcome.linked
    ctx.progress("writing", len(chosen), len(chosen))
    return {"year": year, **totals}


register(
    ActionKind(
        INTAKE_KIND,
        "Ghi tân sinh viên vào CSDL",
        "Intake into the registry",
        _intake,
        lambda params: f"intake:{_intake_params(params)[0]}",
        lambda _params: "/admissions/ministry/intake",
        unit_vi="cơ sở",
        unit_en="institutions",
        describe=lambda params, _lang: str(params.get("year", "")),
    )
)
