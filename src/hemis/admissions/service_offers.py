"""Offer catalogue use cases: what each institution opens for admission in a year, and its
published conversion tables. Offers are tenant rows: an officer writes only their own (the
tenancy hooks refuse the rest), the ministry names the institution. Quotas may change between
rounds, never while a round is between its snapshot and its publication.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions.codes import COMBINATION_METHODS, WISH_RANK, Method, RoundStatus, Subject
from hemis.admissions.combinations import subjects_of
from hemis.admissions.explain import OfferRules
from hemis.admissions.frames import read_frame
from hemis.admissions.models import AdmissionOffer, AdmissionRound, ConversionTable
from hemis.admissions.rules import (
    UNWEIGHTED,
    TableError,
    combination_weight,
    from_h,
    percentile_points,
    rules_for,
    scale_max,
    to_h,
)
from hemis.admissions.rules import ConversionTable as Table
from hemis.admissions.schemas import ConversionTableCreate, OfferCreate, OfferUpdate
from hemis.admissions.service import get_year
from hemis.db.rows import commit, get_for_update
from hemis.db.versions import ANY, Precondition
from hemis.errors import Conflict, NotFound, ValidationFailed, invalid, problem
from hemis.registry.models import Program
from hemis.registry.service import target_institution

# Highest score a table converts from, in hundredths: a transcript combination sums 3 averages.
SOURCE_MAX_H: dict[Method, int] = {
    Method.transcript: 3000,
    Method.hsa: 15000,
    Method.vact: 120000,
    Method.tsa: 10000,
}
TIEBREAK_NAMES = frozenset({*(s.value for s in Subject), WISH_RANK})


def offer_rules(offer: AdmissionOffer) -> OfferRules:
    return OfferRules(
        methods=tuple(offer.methods),
        combinations=dict(offer.combinations),
        floor_h=offer.floor_h,
        tiebreaks=tuple(offer.tiebreaks),
        weights=dict(offer.weights or {}),
    )


def table_rules(row: ConversionTable) -> Table:
    return Table(Method(row.method), tuple((int(x), int(y)) for x, y in row.points))


def offer_read_values(offer: AdmissionOffer) -> dict[str, Any]:
    return {
        "id": offer.id,
        "institution_id": offer.institution_id,
        "year": offer.year,
        "program_id": offer.program_id,
        "code": offer.code,
        "name_vi": offer.name_vi,
        "discipline_code": offer.discipline_code,
        "quota": offer.quota,
        "method_quotas": dict(offer.method_quotas),
        "methods": list(offer.methods),
        "combinations": {k: from_h(v) for k, v in offer.combinations.items()},
        "weights": dict(offer.weights or {}),
        "scale": scale_max(offer_rules(offer).weight),
        "floor": from_h(offer.floor_h),
        "tiebreaks": list(offer.tiebreaks),
        "status": offer.status,
        "row_version": offer.row_version,
    }


def _check_offer(
    methods: list[str],
    combinations: dict[str, int],
    method_quotas: dict[str, int],
    quota: int,
    tiebreaks: list[str],
    weights: dict[str, int] | None = None,
    floor_h: int = 0,
) -> None:
    details = []
    weights = weights or {}
    totals = {
        combination_weight((s.value for s in subjects), weights)
        for code in combinations
        if (subjects := subjects_of(code)) is not None
    }
    if len(totals) > 1:
        details.append(
            (
                "weights",
                "offer.weights",
                "Các tổ hợp của một ngành phải có cùng tổng hệ số (cùng thang điểm, ví dụ thang "
                "40 khi Toán nhân đôi): mỗi tổ hợp phải chứa môn nhân hệ số.",
                "Every combination of an offer must have the same total weight (one scale, e.g. "
                "40 with Mathematics doubled): each must hold the weighted subjects.",
            )
        )
    elif weights and not (totals - {UNWEIGHTED}):
        details.append(
            (
                "weights",
                "offer.weights",
                "Môn nhân hệ số không có trong tổ hợp nào của ngành.",
                "No combination of the offer holds a weighted subject.",
            )
        )
    top = 1000 * (max(totals) if totals else UNWEIGHTED)
    if floor_h > top:
        details.append(
            (
                "floor",
                "offer.floor_scale",
                f"Ngưỡng đầu vào vượt thang điểm {top // 100} của ngành.",
                f"The floor exceeds the offer's scale of {top // 100}.",
            )
        )
    if any(Method(m) in COMBINATION_METHODS for m in methods) and not combinations:
        details.append(
            (
                "combinations",
                "offer.combinations",
                "Cần ít nhất một tổ hợp môn.",
                "At least one subject combination is needed.",
            )
        )
    if set(method_quotas) - set(methods):
        details.append(
            (
                "method_quotas",
                "offer.method_quotas",
                "Chỉ tiêu theo phương thức phải thuộc các phương thức xét tuyển.",
                "Method quotas must name accepted methods.",
            )
        )
    if sum(method_quotas.values()) > quota:
        details.append(
            (
                "method_quotas",
                "offer.method_quota_sum",
                "Tổng chỉ tiêu theo phương thức vượt chỉ tiêu.",
                "Method quotas exceed the quota.",
            )
        )
    unknown = [t for t in tiebreaks if t not in TIEBREAK_NAMES]
    if unknown or len(set(tiebreaks)) != len(tiebreaks):
        details.append(
            (
                "tiebreaks",
                "offer.tiebreaks",
                "Tiêu chí phụ phải là môn thi hoặc thứ tự nguyện vọng (wish_rank), không lặp.",
                "Tie-breaks must be exam subjects or wish_rank, without repeats.",
            )
        )
    if details:
        _, _, vi, en = details[0]
        raise ValidationFailed(
            vi,
            en,
            details=[
                {"field": f, "code": c, "message": v, "message_en": e} for f, c, v, e in details
            ],
        )


def _offsets(combinations: dict[str, Decimal]) -> dict[str, int]:
    return {code: to_h(value) for code, value in sorted(combinations.items())}


def _weights(weights: dict[Subject, int]) -> dict[str, int]:
    """Only the weights above 1 are kept (1 is every subject's default)."""
    return {Subject(k).value: int(v) for k, v in sorted(weights.items()) if int(v) != 1}


def create_offer(session: Session, data: OfferCreate) -> AdmissionOffer:
    iid = target_institution(session, data)
    get_year(session, data.year)
    program = session.scalar(
        select(Program).where(Program.id == data.program_id, Program.institution_id == iid)
    )
    if program is None:
        raise invalid(
            "program_id", "offer.program", "Không có chương trình đào tạo này.", "No such program."
        )
    taken = session.scalar(
        select(AdmissionOffer.id).where(
            AdmissionOffer.institution_id == iid,
            AdmissionOffer.year == data.year,
            AdmissionOffer.code == data.code,
        )
    )
    if taken is not None:
        raise Conflict(
            "Mã xét tuyển này đã có trong năm tuyển sinh.",
            "This admission code is already used in the year.",
            code="offer.code_taken",
            details=[
                problem(
                    "code",
                    "offer.code_taken",
                    "đã được dùng cho một ngành khác trong năm tuyển sinh",
                    "is already used by another offer of the year",
                )
            ],
        )
    methods = [m.value for m in data.methods]
    combinations = _offsets(data.combinations)
    quotas = {m.value: q for m, q in data.method_quotas.items()}
    weights = _weights(data.weights)
    floor_h = to_h(data.floor)
    _check_offer(methods, combinations, quotas, data.quota, data.tiebreaks, weights, floor_h)
    offer = AdmissionOffer(
        institution_id=iid,
        year=data.year,
        program_id=program.id,
        code=data.code,
        name_vi=data.name_vi or program.name_vi,
        discipline_code=program.discipline_code,
        quota=data.quota,
        method_quotas=quotas,
        methods=methods,
        combinations=combinations,
        weights=weights,
        floor_h=floor_h,
        tiebreaks=list(data.tiebreaks),
        status=data.status.value,
    )
    session.add(offer)
    commit(session)
    return offer


def round_in_progress(session: Session, year: int) -> AdmissionRound | None:
    """A round of the year that has its snapshot but is not yet published."""
    return session.scalar(
        select(AdmissionRound).where(
            AdmissionRound.year == year,
            AdmissionRound.status.in_([RoundStatus.snapshotted.value, RoundStatus.run.value]),
        )
    )


def update_offer(
    session: Session, offer_id: int, data: OfferUpdate, expected: Precondition = ANY
) -> AdmissionOffer:
    """Change an offer (quota edits between rounds included; audited)."""
    offer = get_for_update(session, AdmissionOffer, offer_id, expected)
    changes = data.model_dump(exclude_unset=True)
    if changes and round_in_progress(session, offer.year) is not None:
        raise Conflict(
            "Đang có đợt lọc ảo chưa công bố; chỉ được sửa giữa các đợt.",
            "A round is in progress; offers may only change between rounds.",
            code="round_in_progress",
        )
    if "floor" in changes:
        offer.floor_h = to_h(changes.pop("floor"))
    if "combinations" in changes:
        offer.combinations = _offsets(changes.pop("combinations"))
    if "weights" in changes:
        offer.weights = _weights(changes.pop("weights") or {})
    if "methods" in changes:
        offer.methods = [Method(m).value for m in changes.pop("methods")]
    if "method_quotas" in changes:
        offer.method_quotas = {Method(m).value: q for m, q in changes.pop("method_quotas").items()}
    if "status" in changes:
        offer.status = str(changes.pop("status"))
    for name, value in changes.items():
        setattr(offer, name, value)
    _check_offer(
        offer.methods,
        offer.combinations,
        offer.method_quotas,
        offer.quota,
        offer.tiebreaks,
        dict(offer.weights or {}),
        offer.floor_h,
    )
    commit(session)
    return offer


# --- conversion tables ----------------------------------------------------------------------------


def publish_table(session: Session, data: ConversionTableCreate) -> ConversionTable:
    """Publish (or replace) an institution's conversion table for a method and year."""
    iid = target_institution(session, data)
    get_year(session, data.year)
    if data.method not in SOURCE_MAX_H:
        raise invalid(
            "method",
            "table.method",
            "Điểm thi không cần bảng quy đổi.",
            "Exam scores need no conversion table.",
        )
    points = [[to_h(x), to_h(y)] for x, y in data.points]
    try:
        Table(data.method, tuple((x, y) for x, y in points)).check(SOURCE_MAX_H[data.method])
    except TableError as exc:
        raise invalid(
            "points", "table.points", f"Bảng quy đổi không hợp lệ: {exc}", f"Invalid table: {exc}"
        ) from None
    if round_in_progress(session, data.year) is not None:
        raise Conflict(
            "Đang có đợt lọc ảo chưa công bố.", "A round is in progress.", code="round_in_progress"
        )
    row = session.scalar(
        select(ConversionTable).where(
            ConversionTable.institution_id == iid,
            ConversionTable.year == data.year,
            ConversionTable.method == data.method.value,
        )
    )
    if row is None:
        row = ConversionTable(institution_id=iid, year=data.year, method=data.method.value)
        session.add(row)
    row.points = points
    row.note = data.note or ""
    commit(session)
    return row


def suggest_points(
    session: Session, year: int, method: Method, reference: str = "A00"
) -> tuple[tuple[int, int], ...]:
    """Percentile bands of `method`'s national distribution onto the distribution of the exam
    combination `reference` (the ministry's published suggestion; institutions may adopt it)."""
    subjects = subjects_of(reference)
    if method not in SOURCE_MAX_H or subjects is None:
        raise invalid(
            "method",
            "table.method",
            "Không quy đổi được phương thức này.",
            "This method cannot be converted.",
        )
    target = _combination_sums(session, year, Method.exam, [s.value for s in subjects])
    if method is Method.transcript:
        source = _combination_sums(session, year, Method.transcript, [s.value for s in subjects])
    else:
        source = read_frame(
            session,
            f"SELECT score_h FROM result_score WHERE year = :year AND method = '{method.value}'",  # noqa: S608
            {"score_h": pl.Int64},
            {"year": year},
        )["score_h"].to_numpy()
    if source.size == 0 or target.size == 0:
        raise invalid(
            "method",
            "table.no_data",
            "Chưa có dữ liệu điểm để quy đổi.",
            "No scores to build a table from.",
        )
    return percentile_points(
        source.tolist(), target.tolist(), SOURCE_MAX_H[method], rules_for(year).percentiles
    )


def _combination_sums(
    session: Session, year: int, method: Method, subjects: list[str]
) -> np.ndarray[Any, Any]:
    listed = ", ".join(f"'{s}'" for s in subjects)
    frame = read_frame(
        session,
        "SELECT person_id, SUM(score_h) AS total FROM result_score WHERE year = :year "  # noqa: S608
        f"AND method = '{method.value}' AND subject IN ({listed}) "
        "GROUP BY person_id HAVING COUNT(*) = 3",
        {"person_id": pl.Int64, "total": pl.Int64},
        {"year": year},
    )
    return frame["total"].to_numpy()


def get_offer(session: Session, offer_id: int) -> AdmissionOffer:
    row = session.scalar(select(AdmissionOffer).where(AdmissionOffer.id == offer_id))
    if row is None:
        raise NotFound("admission_offer", offer_id)
    return row
