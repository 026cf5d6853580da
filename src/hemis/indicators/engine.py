"""Computing a year: every criterion and quality component for every institution, and the
national cube, written in one transaction (a year's rows of the current definition versions
are replaced; older versions' rows stay)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, insert, select, tuple_
from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker

from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow
from hemis.indicators import criteria
from hemis.indicators.definitions import DEFINITIONS, by_id
from hemis.indicators.models import IndicatorResult
from hemis.indicators.national import build_cube
from hemis.indicators.quality import quality_outcomes
from hemis.indicators.rules import Outcome
from hemis.indicators.sources import Sources, default_sources
from hemis.indicators.sql import I
from hemis.registry.models import ReportingPeriod

RESULT = table_of(IndicatorResult)
RP = table_of(ReportingPeriod)
COMPUTED_STATUSES = ("active", "suspended")


@dataclass
class Computed:
    year: int
    cutoff: dt.date
    institutions: int = 0
    results: int = 0
    cube_rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)


def cutoff_of(conn: Connection, year: int) -> dt.date:
    """The reporting period's data cut-off, else 31 December (Circular 01/2024's cut-off)."""
    found = conn.execute(select(RP.c.cutoff_on).where(RP.c.year == year)).scalar()
    if found is None:
        return dt.date(year, 12, 31)
    return found if isinstance(found, dt.date) else dt.date.fromisoformat(str(found)[:10])


def compute_year(
    factory: sessionmaker[HemisSession],
    year: int,
    sources: Sources | None = None,
    today: dt.date | None = None,
) -> Computed:
    """Compute and store `year` (national scope; one transaction)."""
    chosen = sources or default_sources()
    today = today or dt.date.today()
    with scoped_session(factory, Scope.system("indicators")) as session:
        conn = session.connection()
        computed = run(conn, year, chosen, today)
        session.commit()
    return computed


def run(conn: Connection, year: int, sources: Sources, today: dt.date) -> Computed:
    cutoff = cutoff_of(conn, year)
    out = Computed(year, cutoff)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        out.seconds[name] = now - clock
        clock = now

    institutions = conn.execute(
        select(I.c.id, I.c.trains_doctorates, I.c.specialised).where(
            I.c.status.in_(COMPUTED_STATUSES)
        )
    ).all()
    if conn.dialect.name == "postgresql":
        # Hash joins over millions of learners and persons spill to disk at the default 4 MB.
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        # JIT compiling the ~100 aggregate expressions took 9.5 s of a 29 s pass (EXPLAIN
        # ANALYZE); evaluated without it, the pass is as fast or faster.
        conn.exec_driver_sql("SET LOCAL jit = off")
    frame = criteria.learner_frame(conn, year, cutoff)
    learners = criteria.learner_inputs(frame)
    lap("learners")
    quotas = criteria.quota_inputs(conn, year)
    staff = criteria.staff_inputs(conn, cutoff)
    facilities = criteria.facility_inputs(conn, year)
    employment = sources.employment.employment(conn, year - 1)
    lap("staff, facilities, quotas")
    ids = [int(i) for i, _, _ in institutions]
    quality = quality_outcomes(
        conn, year, ids, dict(sources.external_match.match_counts(conn, year)), today
    )
    lap("quality")
    results: dict[int, dict[str, Outcome]] = {}
    for iid, doctoral, specialised in institutions:
        iid = int(iid)
        data = {
            **learners.get(iid, {}),
            **quotas.get(iid, {}),
            **staff.get(iid, {}),
            **facilities.get(iid, {}),
        }
        results[iid] = criteria.judge_institution(
            year, data, bool(doctoral), bool(specialised), employment.get(iid)
        )
        results[iid].update(quality[iid])
    lap("judging")
    out.results = store(conn, year, results)
    out.institutions = len(results)
    lap("storing results")
    out.cube_rows = build_cube(conn, year, cutoff, frame)
    lap("national cube")
    for mine in results.values():
        for outcome in mine.values():
            out.statuses[outcome.status] = out.statuses.get(outcome.status, 0) + 1
    return out


def store(conn: Connection, year: int, results: dict[int, dict[str, Outcome]]) -> int:
    keys = [(d.id, d.version) for d in DEFINITIONS]
    conn.execute(
        delete(RESULT).where(
            and_(
                RESULT.c.year == year,
                tuple_(RESULT.c.indicator_id, RESULT.c.definition_version).in_(keys),
            )
        )
    )
    n = sum(len(v) for v in results.values())
    if n == 0:
        return 0
    next_id = allocate_ids(conn, RESULT.name, n)
    now = utcnow()
    definitions = by_id()
    rows = []
    for iid, mine in results.items():
        for indicator_id, o in mine.items():
            d = definitions[indicator_id]
            rows.append(
                {
                    "institution_id": iid,
                    "id": next_id,
                    "indicator_id": indicator_id,
                    "definition_version": d.version,
                    "year": year,
                    "numerator": o.numerator,
                    "denominator": o.denominator,
                    "value": o.value,
                    "threshold": o.threshold,
                    "status": o.status,
                    "reason_vi": o.reason_vi,
                    "reason_en": o.reason_en,
                    "threshold_verified": d.threshold_verified,
                    "computed_at": now,
                }
            )
            next_id += 1
    conn.execute(insert(RESULT), rows)
    return n
