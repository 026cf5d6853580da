"""Wishes: a candidate's ranked list (1 highest) of offers, edited inside the wish window.

Ranks stay 1..n without gaps. Every change is an audited write of the Wish rows (a reorder is one
update per moved wish, before → after). The offer catalogue is read through a separate session
(`catalogue`): for a candidate it is the read-only national catalogue scope, since the candidate's
own scope sees no institution's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from hemis.admissions import access
from hemis.admissions.codes import OfferStatus
from hemis.admissions.eligibility import (
    reorder_problems,
    teacher_rank_problems,
    wish_count_problems,
)
from hemis.admissions.models import AdmissionOffer, Wish
from hemis.admissions.rules import rules_for
from hemis.admissions.schemas import WishCreate
from hemis.admissions.service import failed, get_year, require_window, wish_window
from hemis.db.rows import commit
from hemis.errors import Conflict, NotFound, invalid

_PARKED = 10_000  # ranks are moved out of the way before being set (unique per candidate)


def list_wishes(session: Session, year: int, person_id: int) -> list[Wish]:
    access.require_own(session, person_id)
    return list(
        session.scalars(
            select(Wish).where(Wish.year == year, Wish.person_id == person_id).order_by(Wish.rank)
        )
    )


def offers_by_key(
    catalogue: Session, keys: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], AdmissionOffer]:
    if not keys:
        return {}
    rows = catalogue.scalars(
        select(AdmissionOffer).where(
            tuple_(AdmissionOffer.institution_id, AdmissionOffer.id).in_(list(set(keys)))
        )
    )
    return {(o.institution_id, o.id): o for o in rows}


def _check_rules(
    session: Session, catalogue: Session, year: int, ordered: Sequence[tuple[int, int]]
) -> None:
    calendar = get_year(session, year)
    rules = rules_for(calendar.rules_version)
    offers = offers_by_key(catalogue, ordered)
    problems = wish_count_problems(len(ordered), calendar.wish_cap)
    problems += teacher_rank_problems(
        [offers[k].discipline_code for k in ordered if k in offers],
        calendar.teacher_wish_limit,
        rules.teacher_group,
    )
    if problems:
        raise failed(problems, "Nguyện vọng không hợp lệ.", "The wishes break a rule.")


def _apply_order(session: Session, wishes: Sequence[Wish]) -> None:
    """Give `wishes` the ranks 1..n in this order, writing only the ranks that change.

    The parking update (out of the way of the unique rank) leaves the row versions alone: it
    is not a change anyone commits, and the ORM update right after raises each version once."""
    moved = [(w, i) for i, w in enumerate(wishes, start=1) if w.rank != i]
    if not moved:
        return
    session.execute(
        update(Wish)
        .where(Wish.id.in_([w.id for w, _ in moved]))
        .values(rank=Wish.rank + _PARKED)
        .execution_options(synchronize_session=False)
    )
    for wish, rank in moved:
        wish.rank = rank
    session.flush()


def add_wish(
    session: Session,
    catalogue: Session,
    year: int,
    person_id: int,
    data: WishCreate,
    now: dt.datetime | None = None,
) -> Wish:
    access.require_own(session, person_id)
    require_window(
        session, wish_window(get_year(session, year)), "đăng ký nguyện vọng", "wish", now
    )
    key = (data.institution_id, data.offer_id)
    offer = offers_by_key(catalogue, [key]).get(key)
    if offer is None or offer.year != year or offer.status != OfferStatus.open.value:
        raise invalid(
            "offer_id",
            "wish.offer",
            "Không có ngành/chương trình xét tuyển này.",
            "No such open offer.",
        )
    current = list_wishes(session, year, person_id)
    if any((w.institution_id, w.offer_id) == key for w in current):
        raise Conflict(
            "Nguyện vọng này đã có trong danh sách.",
            "This offer is already one of your wishes.",
            code="wish.duplicate",
        )
    position = len(current) if data.rank is None else min(data.rank, len(current) + 1) - 1
    keys = [(w.institution_id, w.offer_id) for w in current]
    keys.insert(position, key)
    _check_rules(session, catalogue, year, keys)
    # the wishes after the new one move down by one
    shifted = current[position:]
    if shifted:
        session.execute(
            update(Wish)
            .where(Wish.id.in_([w.id for w in shifted]))
            .values(rank=Wish.rank + _PARKED)
            .execution_options(synchronize_session=False)
        )
        for i, wish in enumerate(shifted, start=position + 2):
            wish.rank = i
        session.flush()
    wish = Wish(
        year=year,
        person_id=person_id,
        rank=position + 1,
        institution_id=offer.institution_id,
        offer_id=offer.id,
    )
    session.add(wish)
    commit(session)
    return wish


def reorder_wishes(
    session: Session,
    catalogue: Session,
    year: int,
    person_id: int,
    wish_ids: Sequence[int],
    now: dt.datetime | None = None,
) -> list[Wish]:
    access.require_own(session, person_id)
    require_window(
        session, wish_window(get_year(session, year)), "đăng ký nguyện vọng", "wish", now
    )
    current = list_wishes(session, year, person_id)
    problems = reorder_problems([w.id for w in current], wish_ids)
    if problems:
        raise failed(problems, "Thứ tự nguyện vọng không hợp lệ.", "The new order is not valid.")
    by_id = {w.id: w for w in current}
    ordered = [by_id[i] for i in wish_ids]
    _check_rules(session, catalogue, year, [(w.institution_id, w.offer_id) for w in ordered])
    _apply_order(session, ordered)
    commit(session)
    return ordered


def move_wish(
    session: Session,
    catalogue: Session,
    year: int,
    person_id: int,
    wish_id: int,
    step: int,
    now: dt.datetime | None = None,
) -> list[Wish]:
    """Move one wish up (step -1) or down (+1): the page's arrows."""
    current = list_wishes(session, year, person_id)
    ids = [w.id for w in current]
    if wish_id not in ids:
        raise NotFound("wish", wish_id)
    i = ids.index(wish_id)
    j = min(max(i + step, 0), len(ids) - 1)
    ids[i], ids[j] = ids[j], ids[i]
    return reorder_wishes(session, catalogue, year, person_id, ids, now)


def delete_wish(
    session: Session,
    year: int,
    person_id: int,
    wish_id: int,
    now: dt.datetime | None = None,
) -> None:
    access.require_own(session, person_id)
    require_window(
        session, wish_window(get_year(session, year)), "đăng ký nguyện vọng", "wish", now
    )
    current = list_wishes(session, year, person_id)
    target = next((w for w in current if w.id == wish_id), None)
    if target is None:
        raise NotFound("wish", wish_id)
    session.delete(target)
    session.flush()
    _apply_order(session, [w for w in current if w.id != wish_id])
    commit(session)
