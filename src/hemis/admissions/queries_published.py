"""A candidate's published results, read from the results-day read model (published.py, ADR
0025): one indexed query returns every published round of the year with what the page shows.

The shapes mirror what the pages rendered when results were computed per request (a round with
its number and kind, the admitted wish, each wish considered with its offer, score, cutoff and
outcome), so the templates read them unchanged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions import access
from hemis.admissions.codes import RoundKind
from hemis.admissions.models_published import PublishedResult


@dataclass(frozen=True)
class ShownRound:
    id: int
    number: int
    kind: str
    is_final: bool


@dataclass(frozen=True)
class ShownOffer:
    code: str
    name_vi: str


@dataclass(frozen=True)
class ShownOfferRow:
    offer: ShownOffer
    institution_code: str
    institution_name: str
    institution_name_en: str | None


@dataclass(frozen=True)
class ShownWish:
    rank: int
    offer: ShownOfferRow | None
    bucket: str
    score_h: int | None
    cutoff_h: int | None
    outcome: str  # admitted | admitted_<path> | below_cutoff | tie_lost | not_eligible | …
    flag: str
    decided_by: str | None = None


@dataclass(frozen=True)
class ShownOutcome:
    round: ShownRound
    admitted: ShownWish | None
    wishes: list[ShownWish]
    confirm_deadline_at: dt.datetime | None  # a supplementary round's own deadline
    published_at: dt.datetime


def _offer(
    code: str | None,
    name: str | None,
    inst_code: str | None,
    inst_name: str | None,
    inst_name_en: str | None,
) -> ShownOfferRow | None:
    if code is None:
        return None
    return ShownOfferRow(
        ShownOffer(code, name or ""), inst_code or "", inst_name or "", inst_name_en
    )


def _wish(item: dict[str, Any]) -> ShownWish:
    return ShownWish(
        item["rank"],
        _offer(
            item["code"],
            item["name_vi"],
            item["institution_code"],
            item["institution_name_vi"],
            item["institution_name_en"],
        ),
        item["bucket"],
        item["score_h"],
        item["cutoff_h"],
        item["outcome"],
        item["flag"],
        item["decided_by"],
    )


def shown(row: PublishedResult) -> ShownOutcome:
    """One stored row as the page shows it."""
    round_ = ShownRound(row.round_id, row.round_number, row.round_kind, row.round_final)
    offer = _offer(
        row.offer_code,
        row.offer_name_vi,
        row.institution_code,
        row.institution_name_vi,
        row.institution_name_en,
    )
    if row.outcome is not None and row.outcome != "admitted":  # outside the matching
        direct = ShownWish(0, offer, "", row.score_h, None, row.outcome, "ok")
        return ShownOutcome(round_, direct, [direct], row.confirm_deadline_at, row.published_at)
    wishes = [_wish(item) for item in row.wishes]
    admitted = wishes[-1] if wishes and wishes[-1].outcome == "admitted" else None
    return ShownOutcome(round_, admitted, wishes, row.confirm_deadline_at, row.published_at)


def published_rows(session: Session, year: int, person_id: int) -> list[PublishedResult]:
    """The candidate's rows of the year, latest round first: one indexed read."""
    access.require_own_bound(session, person_id)
    return list(
        session.scalars(
            select(PublishedResult)
            .where(PublishedResult.person_id == person_id, PublishedResult.year == year)
            .order_by(PublishedResult.round_number.desc())
        )
    )


def published_results(session: Session, year: int, person_id: int) -> list[ShownOutcome]:
    """Every published round of the year the candidate took part in, latest first."""
    return [shown(row) for row in published_rows(session, year, person_id)]


@dataclass(frozen=True)
class Place:
    """Which admission the candidate may confirm (rounds.standing, from the read model)."""

    outcome: ShownOutcome
    held: bool
    deadline: dt.datetime | None


def place_of(outcomes: list[ShownOutcome], year_deadline: dt.datetime | None) -> Place | None:
    """The latest confirmation round (the final main round, or a supplementary round after it)
    the candidate took part in, as rounds.standing finds it; None if none."""
    for o in outcomes:  # latest first
        supplementary = o.round.kind == RoundKind.supplementary.value
        if not (o.round.is_final or supplementary):
            continue
        deadline = o.confirm_deadline_at if supplementary else year_deadline
        return Place(o, o.admitted is not None, deadline)
    return None
