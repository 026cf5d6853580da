"""A candidate's own published results over the API (`GET /api/v1/me/admission-results`): the
results-day read model (ADR 0025), one indexed read per request. The rest of the admissions
API stays closed to candidates (api_deps); this route is open to them only, and only ever
reads the candidate's own rows (the session is bound to their person, row-level security
behind it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query

from hemis.accounts.roles import Role
from hemis.admissions import access, queries_published
from hemis.admissions.queries import current_year
from hemis.admissions.queries_published import ShownOutcome, ShownWish
from hemis.admissions.rules import from_h
from hemis.db.session import scoped_session
from hemis.errors import Forbidden, NotFound
from hemis.registry.schemas import Schema
from hemis.web.api_deps import ERROR_RESPONSES
from hemis.web.deps import Context, CurrentPrincipal

router = APIRouter(prefix="/api/v1/me", tags=["admissions"], responses=ERROR_RESPONSES)


class PublishedWishRead(Schema):
    rank: int  # 0: admitted outside the matching (direct or priority admission)
    offer_code: str | None
    offer_name_vi: str | None
    institution_code: str | None
    institution_name_vi: str | None
    institution_name_en: str | None
    bucket: str
    score: Decimal | None
    cutoff: Decimal | None
    outcome: str
    flag: str
    decided_by: str | None


class PublishedRoundRead(Schema):
    round_id: int
    number: int
    kind: str
    is_final: bool
    published_at: dt.datetime
    admitted: PublishedWishRead | None
    wishes: list[PublishedWishRead]  # each wish considered, up to the admitted one


class MyResultsRead(Schema):
    year: int
    rounds: list[PublishedRoundRead]  # latest first


def _score(value: int | None) -> Decimal | None:
    return None if value is None else from_h(value)


def _wish(w: ShownWish) -> PublishedWishRead:
    offer = w.offer
    return PublishedWishRead(
        rank=w.rank,
        offer_code=offer.offer.code if offer else None,
        offer_name_vi=offer.offer.name_vi if offer else None,
        institution_code=offer.institution_code if offer else None,
        institution_name_vi=offer.institution_name if offer else None,
        institution_name_en=offer.institution_name_en if offer else None,
        bucket=w.bucket,
        score=_score(w.score_h),
        cutoff=_score(w.cutoff_h),
        outcome=w.outcome,
        flag=w.flag,
        decided_by=w.decided_by,
    )


def _round(o: ShownOutcome) -> PublishedRoundRead:
    return PublishedRoundRead(
        round_id=o.round.id,
        number=o.round.number,
        kind=o.round.kind,
        is_final=o.round.is_final,
        published_at=o.published_at,
        admitted=_wish(o.admitted) if o.admitted else None,
        wishes=[_wish(w) for w in o.wishes if w.rank],
    )


@router.get("/admission-results")
def my_admission_results(
    ctx: Context,
    principal: CurrentPrincipal,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> MyResultsRead:
    """The caller's published admission results of a year (default: the latest), every round
    they took part in with the explanation of each wish. Candidates only."""
    if principal.role is not Role.candidate:
        raise Forbidden("Chỉ dành cho thí sinh.", "For candidates only.")
    with scoped_session(ctx.sessions, access.own_scope(principal)) as own:
        person = access.bind_candidate(own, principal)
        chosen = year if year is not None else current_year(own)
        if chosen is None:
            raise NotFound("admission_year")
        outcomes = queries_published.published_results(own, chosen, person)
    return MyResultsRead(year=chosen, rounds=[_round(o) for o in outcomes])
