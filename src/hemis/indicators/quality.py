"""Data-quality score per institution: completeness (fields filled, yearly returns present),
validity (rows without errors in the period's files), timeliness (submission date against the
period's closing date), consistency (tier-f continuity warnings per program) and the external
match rate (a port, sources.py). The score is the mean of the components that are known."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from hemis.db.base import table_of
from hemis.indicators.rules import Outcome, unknown
from hemis.indicators.sources import MatchCounts
from hemis.indicators.sql import EXP, REV, I, P, R, S, total
from hemis.registry.models import ReportingPeriod
from hemis.submissions.models import Submission, SubmissionJob

SUB = table_of(Submission)
JOB = table_of(SubmissionJob)
RP = table_of(ReportingPeriod)
DONE = ("submitted", "accepted")
FINISHED = ("applied", "checked", "rejected")
LATE_SCALE_DAYS = 30.0


def _info(numerator: float, denominator: float) -> Outcome:
    return Outcome(numerator, denominator, numerator / denominator, None, "info")


def completeness(conn: Connection, year: int) -> dict[int, Outcome]:
    """Mean share filled over four areas: institution profile, staff records, programs and the
    year's returns (resource summary, revenue, expenditure). Only fields that apply are
    expected."""
    shares: dict[int, list[float]] = defaultdict(list)
    inst = select(
        I.c.id,
        (
            func.count(I.c.name_en)
            + func.count(I.c.established_on)
            + func.count(I.c.website)
            + func.count(I.c.province_code_63)
        ).label("filled"),
    ).group_by(I.c.id)
    for iid, filled in conn.execute(inst):
        shares[int(iid)].append(float(filled) / 4)
    # A degree's country and year apply only to staff holding a degree: for the others they are
    # not expected, so not missing (NOT_APPLICABLE_RULE); the hiring date applies to everyone.
    holds = S.c.highest_degree != "none"
    staff = select(
        S.c.institution_id,
        (func.count() + 2 * total(holds)).label("expected"),
        (
            func.count(S.c.hired_on)
            + total(and_(holds, S.c.degree_country.is_not(None)))
            + total(and_(holds, S.c.degree_year.is_not(None)))
        ).label("filled"),
    ).group_by(S.c.institution_id)
    for iid, expected, filled in conn.execute(staff):
        shares[int(iid)].append(float(filled) / float(expected))
    prog = select(P.c.institution_id, func.count(), func.count(P.c.name_en)).group_by(
        P.c.institution_id
    )
    for iid, rows, filled in conn.execute(prog):
        shares[int(iid)].append(float(filled) / rows)
    returns: dict[int, int] = defaultdict(int)
    for table, column in ((R, R.c.year), (REV, REV.c.fiscal_year), (EXP, EXP.c.fiscal_year)):
        for (iid,) in conn.execute(select(table.c.institution_id).where(column == year).distinct()):
            returns[int(iid)] += 1
    for iid in list(shares):
        shares[iid].append(returns.get(iid, 0) / 3)
    return {iid: _info(sum(v), len(v)) for iid, v in shares.items()}


def _period(conn: Connection, year: int) -> dict[str, Any] | None:
    row = conn.execute(select(RP).where(RP.c.year == year)).first()
    return dict(row._mapping) if row else None


def _result(raw: Any) -> dict[str, Any]:
    if isinstance(raw, str):
        loaded = json.loads(raw)
        return loaded if isinstance(loaded, dict) else {}
    return raw if isinstance(raw, dict) else {}


def submission_components(
    conn: Connection, year: int, today: dt.date
) -> dict[str, dict[int, Outcome]]:
    """Validity, consistency and timeliness from the period's submissions and their jobs."""
    out: dict[str, dict[int, Outcome]] = {"validity": {}, "consistency": {}, "timeliness": {}}
    period = _period(conn, year)
    if period is None:
        return out
    # The latest finished, written or checked job per institution and entity.
    jobs = conn.execute(
        select(JOB.c.institution_id, JOB.c.entity, JOB.c.result)
        .select_from(
            JOB.join(
                SUB,
                and_(SUB.c.institution_id == JOB.c.institution_id, SUB.c.id == JOB.c.submission_id),
            )
        )
        .where(SUB.c.period_id == period["id"], JOB.c.status.in_(FINISHED))
        .order_by(JOB.c.institution_id, JOB.c.entity, JOB.c.id)
    ).all()
    latest: dict[tuple[int, str], dict[str, Any]] = {}
    for iid, entity, result in jobs:
        latest[(int(iid), str(entity))] = _result(result)
    rows: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    continuity: dict[int, float] = {}
    for (iid, entity), result in latest.items():
        rows[iid][0] += float(result.get("rows") or 0)
        rows[iid][1] += float(result.get("rows_with_errors") or 0)
        if entity == "learners":
            continuity[iid] = float(
                sum(
                    int(r.get("count") or 0)
                    for r in result.get("rules") or []
                    if r.get("tier") == "f"
                )
            )
    for iid, (n, bad) in rows.items():
        if n > 0:
            out["validity"][iid] = _info(n - bad, n)
    programs: dict[int, int] = {
        int(i): int(n)
        for i, n in conn.execute(
            select(P.c.institution_id, func.count()).group_by(P.c.institution_id)
        )
    }
    for iid, warnings in continuity.items():
        n = float(programs.get(iid, 0))
        if n > 0:
            out["consistency"][iid] = _info(max(0.0, n - warnings), n)
    first = conn.execute(
        select(SUB.c.institution_id, func.min(SUB.c.submitted_at))
        .where(SUB.c.period_id == period["id"], SUB.c.status.in_(DONE))
        .group_by(SUB.c.institution_id)
    ).all()
    closes = period["closes_on"]
    closes = closes if isinstance(closes, dt.date) else dt.date.fromisoformat(str(closes)[:10])
    submitted = {int(i): _as_date(at) for i, at in first if at is not None}
    for iid in (int(i) for (i,) in conn.execute(select(I.c.id))):
        at = submitted.get(iid)
        if at is not None:
            late = max(0, (at - closes).days)
            out["timeliness"][iid] = _info(max(0.0, 1 - late / LATE_SCALE_DAYS), 1.0)
        elif today > closes:
            out["timeliness"][iid] = Outcome(
                0.0,
                1.0,
                0.0,
                None,
                "info",
                "Chưa nộp, đã quá hạn.",
                "Not submitted; the period has closed.",
            )
    return out


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def quality_outcomes(
    conn: Connection,
    year: int,
    institution_ids: list[int],
    matches: dict[int, MatchCounts],
    today: dt.date,
) -> dict[int, dict[str, Outcome]]:
    complete = completeness(conn, year)
    parts = submission_components(conn, year, today)
    no_period = _period(conn, year) is None
    out: dict[int, dict[str, Outcome]] = {}
    for iid in institution_ids:
        mine: dict[str, Outcome] = {}
        mine["dq_completeness"] = complete.get(iid) or unknown("Không có dữ liệu.", "No data.")
        for key, name, reason in (
            (
                "validity",
                "dq_validity",
                ("Chưa có tệp nào được kiểm tra trong kỳ.", "No file checked in the period."),
            ),
            (
                "consistency",
                "dq_consistency",
                ("Chưa có tệp người học nào trong kỳ.", "No learners file in the period."),
            ),
            (
                "timeliness",
                "dq_timeliness",
                ("Kỳ báo cáo chưa đóng, chưa nộp.", "The period is open; not submitted yet."),
            ),
        ):
            if no_period:
                reason = (f"Không có kỳ báo cáo năm {year}.", f"No reporting period for {year}.")
            mine[name] = parts[key].get(iid) or unknown(*reason)
        match = matches.get(iid)
        mine["dq_external_match"] = (
            _info(match.matched, match.checked)
            if match and match.checked
            else unknown(
                "Chưa có dữ liệu đối sánh cơ sở dữ liệu quốc gia.",
                "No national-database match data.",
            )
        )
        known = [o.value for o in mine.values() if o.value is not None]
        mine["dq_score"] = (
            _info(sum(known), len(known))
            if known
            else unknown("Không thành phần nào đã biết.", "No component known.")
        )
        out[iid] = mine
    return out
