"""An indicator is one declaration: the engine returns exactly the defined indicators, each
declared numerator and denominator names an aggregate the engine computes, and the drill-down
lists the very named sets the counts were taken over."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.indicators import criteria, drill
from hemis.indicators.definitions import DEFINITIONS, by_id
from hemis.indicators.engine import compute_year, cutoff_of
from hemis.indicators.history import Statuses
from hemis.indicators.models import IndicatorResult
from hemis.indicators.sources import EmploymentCounts
from tests.indicators import world as w
from tests.indicators.conftest import TODAY

CRITERIA = [d.id for d in DEFINITIONS if d.family == "criterion"]


def test_the_engine_returns_exactly_the_defined_indicators(
    sessions: sessionmaker[HemisSession], built: w.Built
) -> None:
    computed = compute_year(sessions, w.YEAR, today=TODAY)
    with scoped_session(sessions, Scope.system("test")) as s:
        rows = s.execute(
            select(IndicatorResult.institution_id, IndicatorResult.indicator_id).where(
                IndicatorResult.year == w.YEAR
            )
        ).all()
    for institution in (built.full, built.empty):
        ids = [i for iid, i in rows if iid == institution]
        assert sorted(ids) == sorted(by_id()), institution  # each once, none extra
    assert computed.results == len(rows) == 2 * len(DEFINITIONS)


def test_judging_without_data_returns_every_criterion_once() -> None:
    for employment in (None, EmploymentCounts(graduates=3, matched=2, employed=1)):
        judged = criteria.judge_institution(w.YEAR, {}, False, False, employment)
        assert list(judged) == CRITERIA


def test_every_declared_part_names_an_aggregate_the_engine_computes(
    sessions: sessionmaker[HemisSession], built: w.Built
) -> None:
    with scoped_session(sessions, Scope.system("test")) as s:
        conn = s.connection()
        cutoff = cutoff_of(conn, w.YEAR)
        computed: set[str] = set()
        for inputs in (
            criteria.learner_inputs(criteria.learner_frame(conn, w.YEAR, cutoff)),
            criteria.quota_inputs(conn, w.YEAR),
            criteria.staff_inputs(conn, cutoff),
            criteria.facility_inputs(conn, w.YEAR),
        ):
            computed |= set(inputs[built.full])
    followed = {"graduates_followed", "matched", "employed"}  # from the employment source
    for d in DEFINITIONS:
        if d.family != "criterion" or d.not_collected is not None:
            continue
        for part in d.parts().values():
            assert part.counted in computed | followed, (d.id, part.counted)
        assert d.denominator.empty_reason(w.YEAR)[1] or d.id in criteria.GUARDS, d.id


def test_the_drill_down_lists_the_sets_the_engine_counts() -> None:
    assert set(criteria.GUARDS) <= set(CRITERIA)
    cutoff = dt.date(w.YEAR, 12, 31)
    learner_sets = set(criteria.learner_conditions(w.YEAR, cutoff, Statuses.row()))
    staff_sets = set(criteria.staff_conditions(cutoff))
    assert drill.DRILL, "some parts have records"
    for indicator, parts in drill.DRILL.items():
        d = by_id()[indicator]
        for name, (family, named) in parts.items():
            assert family in ("learners", "staff")
            assert named in (learner_sets if family == "learners" else staff_sets)
            # the records listed are those counted: the part is read from the same named set
            counted = d.parts()[name].counted
            assert counted == named or (counted, named) in {
                ("converted", "students"),
                ("converted_full_time", "full_time_students"),
            }, (indicator, name)
