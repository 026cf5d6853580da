"""Read side of admissions: a candidate's own records (registration, scores with provenance,
wishes with their scores and a risk hint, round outcomes with the explanation, confirmation).
The catalogue, institutions' views and statistics are in queries_public.py.

Candidate reads take two sessions: `session` (the candidate's own scope: national tables,
filtered here by person_id) and `catalogue` (the published offers, read-only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from hemis.admissions import access, service_paths
from hemis.admissions.codes import Method, RoundStatus
from hemis.admissions.eligibility import risk_hint
from hemis.admissions.explain import (
    CandidateResults,
    PriorityProfile,
    ScoreExplanation,
    explain_score,
)
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    AdmissionYear,
    ConversionTable,
    EnrolmentConfirmation,
    ExamRegistration,
    ResultBatch,
    ResultScore,
    RoundCandidate,
    RoundOfferResult,
    Wish,
)
from hemis.admissions.queries_public import OfferRow, offer_rows
from hemis.admissions.rules import bonus_points, rules_for, to_h
from hemis.admissions.service import find_registration, get_year
from hemis.admissions.service_offers import offer_rules, table_rules
from hemis.admissions.snapshot import FLAG_NAMES, FLAG_OK, FLAG_UNPAID
from hemis.payments import queries as payments


@dataclass(frozen=True)
class ScoreRow:
    method: str
    subject: str
    score_h: int
    source: str
    imported_at: Any
    batch_id: int


def my_scores(session: Session, year: int, person_id: int) -> list[ScoreRow]:
    access.require_own(session, person_id)
    rows = session.execute(
        select(ResultScore, ResultBatch)
        .join(ResultBatch, ResultBatch.id == ResultScore.batch_id)
        .where(ResultScore.year == year, ResultScore.person_id == person_id)
        .order_by(ResultScore.method, ResultScore.subject)
    )
    return [
        ScoreRow(r.method, r.subject, r.score_h, b.source, b.imported_at, b.id) for r, b in rows
    ]


def candidate_results(session: Session, year: int, person_id: int) -> CandidateResults:
    exam: dict[str, int] = {}
    transcript: dict[str, int] = {}
    tests: dict[str, int] = {}
    for row in session.scalars(
        select(ResultScore).where(ResultScore.year == year, ResultScore.person_id == person_id)
    ):
        if row.method == Method.exam.value:
            exam[row.subject] = row.score_h
        elif row.method == Method.transcript.value:
            transcript[row.subject] = row.score_h
        else:
            tests[row.method] = row.score_h
    return CandidateResults(exam, transcript, tests)


def profile_of(registration: ExamRegistration | None) -> PriorityProfile:
    if registration is None:
        return PriorityProfile(None, None, None)
    return PriorityProfile(registration.area, registration.category, registration.graduation_year)


def explain_for_offer(
    session: Session, catalogue: Session, year: int, person_id: int, offer: AdmissionOffer
) -> ScoreExplanation:
    """How the candidate's admission score for this offer is computed ("how was my 26.35
    computed"), from their current results."""
    access.require_own(session, person_id)
    calendar = get_year(session, year)
    tables = {
        t.method: table_rules(t)
        for t in catalogue.scalars(
            select(ConversionTable).where(
                ConversionTable.institution_id == offer.institution_id,
                ConversionTable.year == year,
            )
        )
    }
    bonus = bonus_points(
        service_paths.bonus_entries(catalogue, offer.institution_id, year),
        service_paths.as_achievements(service_paths.achievements_of(session, year, person_id)),
    )
    return explain_score(
        year,
        rules_for(calendar.rules_version),
        offer_rules(offer),
        candidate_results(session, year, person_id),
        profile_of(find_registration(session, year, person_id)),
        tables,
        bonus,
    )


# --- a candidate's wishes and results -------------------------------------------------------------


@dataclass(frozen=True)
class WishRow:
    wish: Wish
    offer: OfferRow
    score: ScoreExplanation
    risk: str
    paid: bool | None = None  # the wish fee paid; None: no fee this year


def my_wishes(session: Session, catalogue: Session, year: int, person_id: int) -> list[WishRow]:
    access.require_own(session, person_id)
    wishes = list(
        session.scalars(
            select(Wish).where(Wish.year == year, Wish.person_id == person_id).order_by(Wish.rank)
        )
    )
    offers = {
        (o.institution_id, o.id): o
        for o in catalogue.scalars(
            select(AdmissionOffer).where(
                tuple_(AdmissionOffer.institution_id, AdmissionOffer.id).in_(
                    [(w.institution_id, w.offer_id) for w in wishes] or [(0, 0)]
                )
            )
        )
    }
    rows = {
        (r.offer.institution_id, r.offer.id): r
        for r in offer_rows(catalogue, year, list(offers.values()))
    }
    fee = payments.wish_fee(session, year)
    covered = payments.paid_wish_count(session, year, person_id) if fee else 0
    out = []
    for w in wishes:
        row = rows[(w.institution_id, w.offer_id)]
        explanation = explain_for_offer(session, catalogue, year, person_id, row.offer)
        score_h = None if explanation.score is None else to_h(explanation.score)
        paid = None if not fee else w.rank <= covered
        out.append(WishRow(w, row, explanation, risk_hint(score_h, row.last_cutoff_h), paid))
    return out


@dataclass(frozen=True)
class ExplainedWish:
    rank: int
    offer: OfferRow | None
    bucket: str
    score_h: int | None
    cutoff_h: int | None
    outcome: str  # admitted | below_cutoff | tie_lost | not_eligible | no_seats | not_considered
    flag: str
    decided_by: str | None = None  # tie_lost: the criterion that decided (round_results)


@dataclass(frozen=True)
class RoundOutcome:
    round: AdmissionRound
    admitted: ExplainedWish | None
    wishes: list[ExplainedWish]


def outcome_of_wish(
    score_h: int | None, cutoff_h: int | None, quota: int, flag: int, held: bool
) -> str:
    if held:
        return "admitted"
    if flag == FLAG_UNPAID:
        return "unpaid"
    if flag != FLAG_OK or score_h is None:
        return "not_eligible"
    if quota == 0:
        return "no_seats"
    if cutoff_h is None:
        return "not_considered"
    return "tie_lost" if score_h == cutoff_h else "below_cutoff"


def my_results(
    session: Session, catalogue: Session, year: int, person_id: int
) -> list[RoundOutcome]:
    """Every published round with the candidate's outcome and, for each wish ranked above the
    admitted one (all wishes if none), its cutoff beside the candidate's score."""
    access.require_own(session, person_id)
    rounds = list(
        session.scalars(
            select(AdmissionRound)
            .where(
                AdmissionRound.year == year, AdmissionRound.status == RoundStatus.published.value
            )
            .order_by(AdmissionRound.number.desc())
        )
    )
    out = []
    for round_ in rounds:
        mine = session.get(RoundCandidate, (round_.id, person_id))
        if mine is None:
            continue
        results = {
            r.id: r
            for r in catalogue.scalars(
                select(RoundOfferResult).where(
                    RoundOfferResult.round_id == round_.id,
                    RoundOfferResult.id.in_([int(w[1]) for w in mine.wishes] or [0]),
                )
            )
        }
        keys = [(r.institution_id, r.offer_id) for r in results.values()]
        if mine.path and mine.institution_id and mine.offer_id:  # admitted outside the matching
            keys.append((mine.institution_id, mine.offer_id))
        offers = {
            (o.institution_id, o.id): o
            for o in catalogue.scalars(
                select(AdmissionOffer).where(
                    tuple_(AdmissionOffer.institution_id, AdmissionOffer.id).in_(keys or [(0, 0)])
                )
            )
        }
        rows = {
            (r.offer.institution_id, r.offer.id): r
            for r in offer_rows(catalogue, year, list(offers.values()))
        }
        explained = []
        for item in mine.wishes:
            rank, result_id, score_h, flag = item[:4]
            decided = item[4] if len(item) > 4 else None  # rounds run before it was stored
            result = results.get(result_id)
            if result is None:
                continue
            held = rank == mine.rank and result.offer_id == mine.offer_id
            cutoff, quota = result.cutoff_h, result.quota
            explained.append(
                ExplainedWish(
                    rank,
                    rows.get((result.institution_id, result.offer_id)),
                    result.bucket,
                    score_h,
                    cutoff,
                    outcome_of_wish(score_h, cutoff, quota, flag, held),
                    FLAG_NAMES.get(flag, "ok"),
                    decided,
                )
            )
            if held:
                break
        if mine.path and mine.institution_id and mine.offer_id:
            direct = ExplainedWish(
                0,
                rows.get((mine.institution_id, mine.offer_id)),
                "",
                mine.score_h,
                None,
                f"admitted_{mine.path}",
                "ok",
            )
            out.append(RoundOutcome(round_, direct, [direct]))
            continue
        admitted = explained[-1] if explained and explained[-1].outcome == "admitted" else None
        out.append(RoundOutcome(round_, admitted, explained))
    return out


def my_confirmation(session: Session, year: int, person_id: int) -> EnrolmentConfirmation | None:
    access.require_own(session, person_id)
    return session.scalar(
        select(EnrolmentConfirmation).where(
            EnrolmentConfirmation.year == year, EnrolmentConfirmation.person_id == person_id
        )
    )


def current_year(session: Session) -> int | None:
    """The latest admission year."""
    year = session.scalar(select(func.max(AdmissionYear.year)))
    return int(year) if year is not None else None
