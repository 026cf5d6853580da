"""Read side of the what-if and of the published score distributions.

A reference round for each offer: this year's latest published round that has the offer, or
else last year's final round for the same institution and admission code. From it: the cutoff,
whether the offer filled its seats, and the published distribution (the offer's shared bucket).
The what-if reads the candidate's own scores (queries.explain_for_offer), never writes: a
proposed order is only shown until the candidate saves it (service_wishes.reorder_wishes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from hemis.admissions import access, queries
from hemis.admissions.codes import RoundStatus
from hemis.admissions.models import (
    AdmissionOffer,
    AdmissionRound,
    RoundDistribution,
    RoundOfferResult,
    Wish,
)
from hemis.admissions.queries_public import OfferRow, offer_rows
from hemis.admissions.rules import to_h
from hemis.admissions.service_offers import offer_rules
from hemis.admissions.whatif import Bin, Reference, chance_band, clears, held_today


@dataclass(frozen=True)
class Ref:
    reference: Reference
    round: AdmissionRound


def _published(catalogue: Session, year: int) -> list[AdmissionRound]:
    return list(
        catalogue.scalars(
            select(AdmissionRound)
            .where(
                AdmissionRound.year == year,
                AdmissionRound.status == RoundStatus.published.value,
            )
            .order_by(AdmissionRound.number.desc())
        )
    )


def _reference(
    catalogue: Session, round_: AdmissionRound, institution_id: int, offer_id: int, scale_h: int
) -> Reference | None:
    result = catalogue.scalar(
        select(RoundOfferResult).where(
            RoundOfferResult.round_id == round_.id,
            RoundOfferResult.institution_id == institution_id,
            RoundOfferResult.offer_id == offer_id,
            RoundOfferResult.bucket == "",
        )
    )
    if result is None:
        return None
    dist = catalogue.get(RoundDistribution, (round_.id, institution_id, offer_id, ""))
    bins = tuple(Bin(int(lo), a, b) for lo, a, b in (dist.bins if dist else []))
    filled = result.admitted >= result.quota
    return Reference(result.cutoff_h, filled, bins, scale_h)


def references(
    catalogue: Session, year: int, offers: Sequence[AdmissionOffer]
) -> dict[tuple[int, int], Ref]:
    """Per offer (institution, id): its reference round's figures (see the module)."""
    out: dict[tuple[int, int], Ref] = {}
    this_year = _published(catalogue, year)
    last_year = [r for r in _published(catalogue, year - 1) if r.is_final][:1]
    earlier = {
        (o.institution_id, o.code): o
        for o in catalogue.scalars(
            select(AdmissionOffer).where(
                AdmissionOffer.year == year - 1,
                tuple_(AdmissionOffer.institution_id, AdmissionOffer.code).in_(
                    [(o.institution_id, o.code) for o in offers] or [(0, "")]
                ),
            )
        )
    }
    for offer in offers:
        scale = 1000 * offer_rules(offer).weight
        key = (offer.institution_id, offer.id)
        for round_ in this_year:
            found = _reference(catalogue, round_, offer.institution_id, offer.id, scale)
            if found is not None:
                out[key] = Ref(found, round_)
                break
        else:
            before = earlier.get((offer.institution_id, offer.code))
            if before is not None and last_year:
                found = _reference(
                    catalogue,
                    last_year[0],
                    before.institution_id,
                    before.id,
                    1000 * offer_rules(before).weight,
                )
                if found is not None:
                    out[key] = Ref(found, last_year[0])
    return out


@dataclass(frozen=True)
class WhatIfRow:
    wish: Wish
    offer: OfferRow
    score_h: int | None
    ref: Ref | None
    band: str  # whatif.BANDS
    clears: bool
    held: bool  # the wish the candidate would hold today, in this order


@dataclass(frozen=True)
class WhatIf:
    rows: list[WhatIfRow]
    held: WhatIfRow | None
    proposed: bool  # the order differs from the saved one (nothing saved yet)
    order: list[int]  # wish ids in the order shown


def what_if(
    session: Session,
    catalogue: Session,
    year: int,
    person_id: int,
    order: Sequence[int] | None = None,
) -> WhatIf:
    """The candidate's wishes in `order` (wish ids; None or not a permutation of their wishes:
    the saved order) with a chance band each and the wish they would hold today."""
    access.require_own(session, person_id)
    mine = queries.my_wishes(session, catalogue, year, person_id)
    saved = [w.wish.id for w in mine]
    wanted = list(order or [])
    if sorted(wanted) != sorted(saved) or len(set(wanted)) != len(wanted):
        wanted = saved
    by_id = {w.wish.id: w for w in mine}
    ordered = [by_id[i] for i in wanted]
    refs = references(catalogue, year, [w.offer.offer for w in ordered])
    scores = [None if w.score.score is None else to_h(w.score.score) for w in ordered]
    found = [refs.get((w.offer.offer.institution_id, w.offer.offer.id)) for w in ordered]
    held = held_today(scores, [f.reference if f else None for f in found])
    rows = [
        WhatIfRow(
            w.wish,
            w.offer,
            score,
            ref,
            chance_band(score, ref.reference if ref else None),
            clears(score, ref.reference if ref else None),
            i == held,
        )
        for i, (w, score, ref) in enumerate(zip(ordered, scores, found, strict=True))
    ]
    return WhatIf(rows, rows[held] if held is not None else None, wanted != saved, wanted)


@dataclass(frozen=True)
class Distribution:
    offer: OfferRow
    round: AdmissionRound
    bins: list[Bin]
    cutoff_h: int | None


def published_distributions(
    catalogue: Session, year: int, offers: Sequence[AdmissionOffer]
) -> list[Distribution]:
    """The offers' distributions in their reference rounds (published rounds only)."""
    refs = references(catalogue, year, offers)
    out = []
    for row in offer_rows(catalogue, year, list(offers)):
        ref = refs.get((row.offer.institution_id, row.offer.id))
        if ref is not None:
            out.append(
                Distribution(row, ref.round, list(ref.reference.bins), ref.reference.cutoff_h)
            )
    return out
