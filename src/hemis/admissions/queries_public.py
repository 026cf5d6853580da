"""Read side of admissions beyond a candidate's own records: the public offer catalogue (with last
year's cutoffs), an institution's applicants and round results, rounds, national statistics.
Every query runs in the caller's scope: an officer's session sees only their institution's
offers and results, so the joins through offers carry the tenancy filter to wishes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from hemis.admissions import access
from hemis.admissions.codes import RoundStatus
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    EnrolmentConfirmation,
    ExamRegistration,
    RoundCandidate,
    RoundOfferResult,
    Wish,
)
from hemis.common.text import fold
from hemis.registry.models import Institution, Person
from hemis.registry.queries import like_contains

PAGE = 50


# --- the catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferRow:
    offer: AdmissionOffer
    institution_code: str
    institution_name: str
    last_cutoff_h: int | None


def last_cutoffs(
    catalogue: Session, year: int, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """Cutoff of the same (institution, offer code) in the final round of the year before."""
    if not keys:
        return {}
    final = catalogue.scalar(
        select(AdmissionRound.id)
        .where(
            AdmissionRound.year == year - 1,
            AdmissionRound.is_final.is_(True),
            AdmissionRound.status == RoundStatus.published.value,
        )
        .order_by(AdmissionRound.number.desc())
    )
    if final is None:
        return {}
    rows = catalogue.execute(
        select(
            AdmissionOffer.institution_id, AdmissionOffer.code, func.min(RoundOfferResult.cutoff_h)
        )
        .join(
            RoundOfferResult,
            (RoundOfferResult.institution_id == AdmissionOffer.institution_id)
            & (RoundOfferResult.offer_id == AdmissionOffer.id),
        )
        .where(
            RoundOfferResult.round_id == final,
            AdmissionOffer.year == year - 1,
            tuple_(AdmissionOffer.institution_id, AdmissionOffer.code).in_(list(set(keys))),
        )
        .group_by(AdmissionOffer.institution_id, AdmissionOffer.code)
    )
    return {(inst, code): cutoff for inst, code, cutoff in rows if cutoff is not None}


def offer_rows(catalogue: Session, year: int, offers: Sequence[AdmissionOffer]) -> list[OfferRow]:
    names = {
        i.id: (i.moet_code, i.name_vi)
        for i in catalogue.scalars(
            select(Institution).where(Institution.id.in_({o.institution_id for o in offers}))
        )
    }
    cutoffs = last_cutoffs(catalogue, year, [(o.institution_id, o.code) for o in offers])
    return [
        OfferRow(
            o,
            names.get(o.institution_id, ("", ""))[0],
            names.get(o.institution_id, ("", ""))[1],
            cutoffs.get((o.institution_id, o.code)),
        )
        for o in offers
    ]


def search_offers(catalogue: Session, year: int, q: str = "", limit: int = 30) -> list[OfferRow]:
    stmt = select(AdmissionOffer).where(
        AdmissionOffer.year == year, AdmissionOffer.status == "open"
    )
    if q.strip():
        # the folded key on both sides: "cong nghe" finds "Công nghệ", as every search does
        like = like_contains(fold(q))
        stmt = stmt.join(Institution, Institution.id == AdmissionOffer.institution_id).where(
            func.lower(AdmissionOffer.code).like(like, escape="\\")
            | AdmissionOffer.name_folded.like(like, escape="\\")
            | func.lower(Institution.moet_code).like(like, escape="\\")
            | Institution.name_folded.like(like, escape="\\")
        )
    offers = list(
        catalogue.scalars(stmt.order_by(AdmissionOffer.code, AdmissionOffer.id).limit(limit))
    )
    return offer_rows(catalogue, year, offers)


# --- institutions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    wish_id: int
    rank: int
    candidate_number: str | None
    full_name: str
    score_h: int | None
    admitted: bool | None


def applicants(
    session: Session, offer: AdmissionOffer, page: int = 1
) -> tuple[list[Applicant], int]:
    """Candidates who placed a wish for the offer (the offer is read in the caller's scope, so an
    officer reaches only their own institution's applicants), with the last published round's
    score and outcome."""
    base = (
        select(Wish)
        .join(
            AdmissionOffer,
            (AdmissionOffer.institution_id == Wish.institution_id)
            & (AdmissionOffer.id == Wish.offer_id),
        )
        .where(AdmissionOffer.id == offer.id, AdmissionOffer.institution_id == offer.institution_id)
    )
    total = int(session.scalar(select(func.count()).select_from(base.subquery())) or 0)
    wishes = list(
        session.scalars(base.order_by(Wish.rank, Wish.id).offset((page - 1) * PAGE).limit(PAGE))
    )
    persons = [w.person_id for w in wishes]
    names = {
        p.id: p.full_name
        for p in session.scalars(
            select(Person).where(Person.id.in_(persons)).execution_options(person_lookup=True)
        )
    }
    registered = select(ExamRegistration.person_id, ExamRegistration.candidate_number).where(
        ExamRegistration.year == offer.year, ExamRegistration.person_id.in_(persons)
    )
    numbers: dict[int, str] = {int(p): str(n) for p, n in session.execute(registered)}
    latest = session.scalar(
        select(AdmissionRound.id)
        .where(
            AdmissionRound.year == offer.year, AdmissionRound.status == RoundStatus.published.value
        )
        .order_by(AdmissionRound.number.desc())
    )
    outcomes: dict[int, RoundCandidate] = {}
    results: set[int] = set()
    if latest is not None:
        results = set(
            session.scalars(
                select(RoundOfferResult.id).where(
                    RoundOfferResult.round_id == latest,
                    RoundOfferResult.institution_id == offer.institution_id,
                    RoundOfferResult.offer_id == offer.id,
                )
            )
        )
        outcomes = {
            rc.person_id: rc
            for rc in session.scalars(
                select(RoundCandidate).where(
                    RoundCandidate.round_id == latest, RoundCandidate.person_id.in_(persons)
                )
            )
        }
    out = []
    for w in wishes:
        rc = outcomes.get(w.person_id)
        score = None
        if rc is not None:
            score = next((item[2] for item in rc.wishes if item[1] in results), None)
        admitted = (
            None
            if rc is None
            else (rc.offer_id == w.offer_id and rc.institution_id == w.institution_id)
        )
        out.append(
            Applicant(
                w.id, w.rank, numbers.get(w.person_id), names.get(w.person_id, ""), score, admitted
            )
        )
    return out, total


def published_rounds(session: Session, year: int | None = None) -> list[AdmissionRound]:
    stmt = select(AdmissionRound).order_by(AdmissionRound.year.desc(), AdmissionRound.number.desc())
    if year is not None:
        stmt = stmt.where(AdmissionRound.year == year)
    rounds = list(session.scalars(stmt))
    if access.is_ministry(session):
        return rounds
    return [r for r in rounds if r.status == RoundStatus.published.value]


def offer_results(session: Session, round_id: int) -> list[tuple[RoundOfferResult, AdmissionOffer]]:
    rows = session.execute(
        select(RoundOfferResult, AdmissionOffer)
        .join(
            AdmissionOffer,
            (AdmissionOffer.institution_id == RoundOfferResult.institution_id)
            & (AdmissionOffer.id == RoundOfferResult.offer_id),
        )
        .where(RoundOfferResult.round_id == round_id)
        .order_by(AdmissionOffer.institution_id, AdmissionOffer.code, RoundOfferResult.bucket)
    )
    return [(r, o) for r, o in rows]


# --- national statistics --------------------------------------------------------------------------


def statistics(session: Session, year: int) -> dict[str, Any]:
    access.require_ministry(session, write=False)

    def count(stmt: Any) -> int:
        return int(session.scalar(stmt) or 0)

    rounds = list(
        session.scalars(
            select(AdmissionRound)
            .where(AdmissionRound.year == year)
            .order_by(AdmissionRound.number)
        )
    )
    return {
        "year": year,
        "registrations": count(
            select(func.count()).select_from(ExamRegistration).where(ExamRegistration.year == year)
        ),
        "candidates_with_wishes": count(
            select(func.count(func.distinct(Wish.person_id))).where(Wish.year == year)
        ),
        "wishes": count(select(func.count()).select_from(Wish).where(Wish.year == year)),
        "offers": count(
            select(func.count()).select_from(AdmissionOffer).where(AdmissionOffer.year == year)
        ),
        "seats": count(
            select(func.coalesce(func.sum(AdmissionOffer.quota), 0)).where(
                AdmissionOffer.year == year
            )
        ),
        "confirmed": count(
            select(func.count())
            .select_from(EnrolmentConfirmation)
            .where(EnrolmentConfirmation.year == year)
        ),
        "rounds": [
            {
                "number": r.number,
                "kind": r.kind,
                "status": r.status,
                "is_final": r.is_final,
                **r.stats,
            }
            for r in rounds
        ],
    }
