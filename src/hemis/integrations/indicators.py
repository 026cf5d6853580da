"""What the national databases give the indicator engine (hemis.indicators.sources): graduate
employment from the social-insurance sync, and how many records the registries confirmed."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from hemis.db.session import HemisSession
from hemis.db.tenancy import Scope, set_scope
from hemis.indicators.sources import EmploymentCounts, MatchCounts
from hemis.integrations import outcomes
from hemis.integrations.codes import SyncStatus
from hemis.integrations.models import SyncState

ANSWERED = (SyncStatus.actual.value, SyncStatus.different.value, SyncStatus.not_found.value)


class InsuranceEmployment:
    """Employment within 12 months among the graduates the insurance registry answered for
    (`outcomes.Funnel.employment_rate`): "not found" there means never insured."""

    def employment(self, conn: Connection, graduation_year: int) -> Mapping[int, EmploymentCounts]:
        # A session on the compute transaction's own connection, national in scope (the engine
        # reads every institution); closing it leaves that transaction alone.
        with HemisSession(bind=conn) as session:
            set_scope(session, Scope.system("indicators"))
            funnels = outcomes.graduate_outcomes(session, graduation_year, by="institution")
        return {
            f.institution_id: EmploymentCounts(
                graduates=f.graduates, matched=f.synced, employed=f.employed_within_12_months
            )
            for f in funnels
            if f.institution_id is not None and f.synced
        }


class RegistryMatch:
    """Records the national databases answered for, and how many of them matched exactly (a
    record with differing fields or unknown there lowers the score). Sync states are current,
    not per year: `year` is not used."""

    def match_counts(self, conn: Connection, year: int) -> Mapping[int, MatchCounts]:
        answered = SyncState.status.in_(ANSWERED)
        rows = conn.execute(
            select(
                SyncState.institution_id,
                func.count().filter(answered),
                func.sum(case((SyncState.status == SyncStatus.actual.value, 1), else_=0)),
            ).group_by(SyncState.institution_id)
        ).all()
        return {
            int(iid): MatchCounts(checked=int(checked), matched=int(matched or 0))
            for iid, checked, matched in rows
            if checked
        }
