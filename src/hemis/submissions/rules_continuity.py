"""Tier f: continuity of a learners file with the institution's last accepted submission.

Per program, with the counts frozen at the last accepted sign-off (`opening`: learners enrolled
or suspended then) and the file (`intake`: admitted after that cut-off; `exits`: withdrawn,
transferred or graduated after it; `closing`: enrolled or suspended now), opening + intake −
exits must equal closing: a difference means learners vanished from (or appeared in) the data
without an admission or an exit. And the year-on-year change ln((closing+1)/(opening+1)) must
lie within robust bounds among peers — programs of the same level, in this file and in the other
institutions' latest accepted submissions: median ± K·max(1.4826·MAD, FLOOR). Both are warnings
that need an explanation.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from statistics import median
from typing import Any

import polars as pl
from sqlalchemy import text

from hemis.imports.catalogue import Context
from hemis.imports.report import ISSUE_SCHEMA
from hemis.registry.codes import LearnerStatus
from hemis.submissions.lookups import json_value
from hemis.submissions.workspace import Workspace

ACTIVE = (LearnerStatus.enrolled.value, LearnerStatus.suspended.value)
EXITS = (
    LearnerStatus.withdrawn.value,
    LearnerStatus.transferred.value,
    LearnerStatus.graduated.value,
)
K, FLOOR, MIN_PEERS, MIN_SIZE = 3.0, 0.05, 5, 20


@dataclass(frozen=True)
class Baseline:
    """The last accepted submission's learner counts per program and its cut-off date."""

    cutoff_on: dt.date
    programs: dict[str, dict[str, Any]]


def baseline(ws: Workspace) -> Baseline | None:
    year = ws.period.year if ws.period else ws.as_of.year
    row = ws.conn.execute(
        text(
            "SELECT s.stats, p.cutoff_on FROM submission s "
            "JOIN reporting_period p ON p.id = s.period_id "
            "WHERE s.institution_id = :iid AND s.status = 'accepted' AND p.year < :year "
            "ORDER BY p.year DESC, s.version DESC LIMIT 1"
        ),
        {"iid": ws.institution_id, "year": year},
    ).first()
    if row is None:
        return None
    stats = json_value(row[0]) or {}
    cutoff = row[1] if isinstance(row[1], dt.date) else dt.date.fromisoformat(str(row[1])[:10])
    return Baseline(cutoff, dict((stats.get("learners") or {}).get("programs") or {}))


def peer_growths(ws: Workspace) -> dict[str, list[float]]:
    """ln((active+1)/(opening+1)) of every program, by level, in the other institutions' latest
    accepted submissions that had an opening."""
    rows = ws.conn.execute(
        text(
            "SELECT s.institution_id, s.stats FROM submission s "
            "JOIN reporting_period p ON p.id = s.period_id "
            "WHERE s.status = 'accepted' AND s.institution_id <> :iid "
            "ORDER BY s.institution_id, p.year DESC, s.version DESC"
        ),
        {"iid": ws.institution_id},
    ).all()
    seen: set[int] = set()
    out: dict[str, list[float]] = {}
    for institution_id, raw in rows:
        if institution_id in seen:
            continue
        seen.add(institution_id)
        programs = ((json_value(raw) or {}).get("learners") or {}).get("programs") or {}
        for counts in programs.values():
            if counts.get("opening") is not None:
                growth = _growth(counts["opening"], counts["active"])
                out.setdefault(str(counts.get("level")), []).append(growth)
    return out


def _growth(opening: int, closing: int) -> float:
    return math.log((closing + 1) / (opening + 1))


def program_counts(data: pl.DataFrame, since: dt.date) -> pl.DataFrame:
    """Per program code: first row, intake, exits and closing counts of a learners frame."""
    status = pl.col("status")
    return (
        data.filter(pl.col("program_code").is_not_null())
        .group_by("program_code")
        .agg(
            pl.col("__row__").min().alias("__row__"),
            (pl.col("admitted_on") > since).sum().alias("intake"),
            (status.is_in(EXITS) & (pl.col("status_date") > since)).sum().alias("exits"),
            status.is_in(ACTIVE).sum().alias("closing"),
        )
        .sort("__row__")
    )


class ContinuityRules:
    """Tier f for learners files; nothing to compare against before a first acceptance."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def run(self, data: pl.DataFrame, ctx: Context) -> pl.DataFrame:
        from hemis.submissions.rules_registry import DETAIL, issues_of

        if ctx.entity.name != "learners" or data.is_empty():
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        base = baseline(self.ws)
        if base is None:
            return pl.DataFrame(schema=ISSUE_SCHEMA)
        counts = program_counts(data, base.cutoff_on)
        opening = pl.DataFrame(
            {
                "program_code": list(base.programs),
                "opening": [int(p.get("active", 0)) for p in base.programs.values()],
                "level": [str(p.get("level")) for p in base.programs.values()],
            },
            schema={"program_code": pl.String, "opening": pl.Int64, "level": pl.String},
        )
        joined = counts.join(opening, on="program_code", how="full", coalesce=True).with_columns(
            pl.col("intake", "exits", "closing", "opening").fill_null(0)
        )
        expected = pl.col("opening") + pl.col("intake") - pl.col("exits")
        broken = joined.filter(expected != pl.col("closing")).with_columns(
            pl.format(
                "{}: {} + {} − {} = {} ≠ {}",
                "program_code",
                "opening",
                "intake",
                "exits",
                expected,
                "closing",
            ).alias(DETAIL)
        )
        parts = [issues_of("LRN.program_code.continuity", broken, ctx)]
        parts.append(issues_of("LRN.program_code.jump", self._jumps(joined), ctx))
        kept = [p for p in parts if not p.is_empty()]
        return pl.concat(kept) if kept else pl.DataFrame(schema=ISSUE_SCHEMA)

    def _jumps(self, joined: pl.DataFrame) -> pl.DataFrame:
        from hemis.submissions.rules_registry import DETAIL

        rows = joined.filter(pl.col("__row__").is_not_null() & pl.col("level").is_not_null())
        if rows.is_empty():
            return rows
        peers = peer_growths(self.ws)
        own: dict[str, list[float]] = {}
        for level, opening, closing in rows.select("level", "opening", "closing").iter_rows():
            own.setdefault(level, []).append(_growth(opening, closing))
        flagged = []
        for row in rows.iter_rows(named=True):
            pool = peers.get(row["level"], []) + own[row["level"]]
            if len(pool) < MIN_PEERS or max(row["opening"], row["closing"]) < MIN_SIZE:
                continue
            centre = median(pool)
            spread = max(1.4826 * median(abs(g - centre) for g in pool), FLOOR)
            growth = _growth(row["opening"], row["closing"])
            if abs(growth - centre) > K * spread:
                change = (row["closing"] - row["opening"]) / max(row["opening"], 1)
                flagged.append(
                    {
                        "__row__": row["__row__"],
                        "program_code": row["program_code"],
                        DETAIL: f"{row['program_code']}: {row['opening']} → {row['closing']} "
                        f"({change:+.0%}; peers {math.exp(centre) - 1:+.0%})",
                    }
                )
        return pl.DataFrame(
            flagged,
            schema={"__row__": pl.Int64, "program_code": pl.String, DETAIL: pl.String},
        )
