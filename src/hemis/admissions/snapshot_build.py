"""Building a round's snapshot from the database: read in bulk, score every wish vectorised.

Reads (national scope): the year's offers and conversion tables, wishes, registrations (priority
area, category, graduation year) and results; bonus points and the accepted direct and priority
admissions (snapshot_paths.py); which wishes are paid (payments.queries), when the year lets no
unpaid wish into its rounds. A supplementary round takes the seats left after
confirmations (quota − confirmed, per program) and the candidates who have not confirmed,
without the wishes they were admitted to in the final or an earlier supplementary round and did
not confirm (they declined them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from hemis.admissions.codes import SUBJECT_INDEX, TOTAL, OfferStatus, RoundKind
from hemis.admissions.eligibility import is_teacher_training
from hemis.admissions.frames import read_frame
from hemis.admissions.models import AdmissionOffer, AdmissionRound, AdmissionYear, ConversionTable
from hemis.admissions.rules import RuleSet, rules_for, to_h
from hemis.admissions.service_offers import offer_rules
from hemis.admissions.snapshot import (
    FLAG_BELOW_FLOOR,
    FLAG_CLOSED,
    FLAG_NO_RESULT,
    FLAG_OK,
    FLAG_TEACHER_RANK,
    FLAG_UNPAID,
    Snapshot,
    make,
)
from hemis.admissions.snapshot_paths import (
    NO_PATHS,
    PATH_CODES,
    bonus_of_wishes,
    read_bonus,
    read_paths,
)
from hemis.admissions.vector import (
    METHOD_INDEX,
    TEST_METHODS,
    Candidates,
    Offers,
    Tables,
    best_scores,
    combination_key,
    criterion_code,
    subject_matrix,
)
from hemis.payments import queries as payments

I64 = NDArray[np.int64]


def _programs(
    offers: list[AdmissionOffer], taken: dict[tuple[int, int, str], int]
) -> tuple[dict[str, list[Any]], I64, I64]:
    """Program rows (institution, offer, bucket, quota, tie-break criteria); per offer its first
    program, and per (offer, method) the program offset of its bucket (0: the offer's shared
    bucket)."""
    rows: dict[str, list[Any]] = {
        "inst": [],
        "offer": [],
        "bucket": [],
        "quota": [],
        "criteria": [],
    }
    first = np.zeros(len(offers), dtype=np.int64)
    bucket_of = np.zeros((len(offers), len(METHOD_INDEX)), dtype=np.int64)
    for p, offer in enumerate(offers):
        first[p] = len(rows["inst"])
        quotas = dict(offer.method_quotas)
        open_ = offer.status == OfferStatus.open.value
        shared = offer.quota - sum(quotas.values())
        buckets = [("", shared), *sorted(quotas.items())]
        for k, (method, quota) in enumerate(buckets):
            left = quota - taken.get((offer.institution_id, offer.id, method), 0)
            rows["inst"].append(offer.institution_id)
            rows["offer"].append(offer.id)
            rows["bucket"].append(METHOD_INDEX[method] if method else -1)
            rows["quota"].append(max(left, 0) if open_ else 0)
            rows["criteria"].append(list(offer.tiebreaks))
            if method:
                bucket_of[p, METHOD_INDEX[method]] = k
    return rows, first, bucket_of


def offer_arrays(
    offers: list[AdmissionOffer], tables: list[ConversionTable]
) -> tuple[Offers, Tables]:
    n = len(offers)
    keys = [
        {code: combination_key(code, o.weights or {}) for code in o.combinations} for o in offers
    ]
    combos = sorted({key for mine in keys for key in mine.values()})
    col = {key: k for k, key in enumerate(combos)}
    methods = np.zeros((n, len(METHOD_INDEX)), dtype=np.bool_)
    accept = np.zeros((n, len(combos)), dtype=np.bool_)
    offset = np.zeros((n, len(combos)), dtype=np.int64)
    table = np.full((n, len(METHOD_INDEX)), -1, dtype=np.int64)
    width = max((len(o.tiebreaks) for o in offers), default=0)
    criteria = np.full((n, width), -1, dtype=np.int64)
    table_id = {(t.institution_id, t.method): i for i, t in enumerate(tables)}
    for p, offer in enumerate(offers):
        for method in offer.methods:
            methods[p, METHOD_INDEX[method]] = True
            table[p, METHOD_INDEX[method]] = table_id.get((offer.institution_id, method), -1)
        for code, value in offer.combinations.items():
            accept[p, col[keys[p][code]]] = True
            offset[p, col[keys[p][code]]] = value
        for j, name in enumerate(offer.tiebreaks):
            criteria[p, j] = criterion_code(name)
    floor = np.array([o.floor_h for o in offers], dtype=np.int64)
    weight = np.array([offer_rules(o).weight for o in offers], dtype=np.int64)
    built = Tables.build([[(int(x), int(y)) for x, y in t.points] for t in tables])
    return Offers(methods, combos, accept, offset, floor, table, criteria, weight), built


def read_candidates(
    session: Session,
    year: int,
    rules: RuleSet,
    person: I64,
    within: str = "",
    params: Mapping[str, int] | None = None,
) -> Candidates:
    """The results and normal priority of the candidates `person` (sorted ids); `within`, an
    SQL condition on person_id (integer `params` besides :year), narrows what is read when they
    are few."""
    n = person.shape[0]
    bound = {"year": year, **(params or {})}
    index = pl.DataFrame({"person_id": person, "c": np.arange(n, dtype=np.int64)})
    regs = read_frame(
        session,
        "SELECT person_id, area, category, graduation_year FROM exam_registration "  # noqa: S608
        f"WHERE year = :year {within}",
        {
            "person_id": pl.Int64,
            "area": pl.String,
            "category": pl.String,
            "graduation_year": pl.Int64,
        },
        bound,
    ).join(index, on="person_id", how="inner")
    areas = {k: to_h(v) for k, v in rules.area_points.items()}
    cats = {k: to_h(v) for k, v in rules.category_points.items()}
    since = year - pl.col("graduation_year")
    # Area points only in the graduation year and the year after (Art. 7(1)); category points
    # without a time limit (Art. 7(2)).
    area_ok = (since >= 0) & (since <= rules.years_after_graduation)
    regs = regs.with_columns(
        (
            pl.col("area").replace_strict(areas, default=0, return_dtype=pl.Int64)
            * area_ok.fill_null(False).cast(pl.Int64)
            + pl.col("category").replace_strict(cats, default=0, return_dtype=pl.Int64).fill_null(0)
        ).alias("normal")
    )
    normal = np.zeros(n, dtype=np.int64)
    normal[regs["c"].to_numpy()] = regs["normal"].to_numpy()
    results = read_frame(
        session,
        "SELECT person_id, method, subject, score_h FROM result_score "  # noqa: S608
        f"WHERE year = :year {within}",
        {"person_id": pl.Int64, "method": pl.String, "subject": pl.String, "score_h": pl.Int64},
        bound,
    ).join(index, on="person_id", how="inner")
    subjects = dict(SUBJECT_INDEX)
    width = len(SUBJECT_INDEX)
    matrices = {}
    for method in ("exam", "transcript"):
        part = (
            results.filter(pl.col("method") == method)
            .with_columns(
                pl.col("subject")
                .replace_strict(subjects, default=None, return_dtype=pl.Int64)
                .alias("s")
            )
            .drop_nulls("s")
        )
        matrices[method] = subject_matrix(
            n, part["c"].to_numpy(), part["s"].to_numpy(), part["score_h"].to_numpy(), width
        )
    tests = (
        results.filter(pl.col("subject") == TOTAL)
        .with_columns(
            pl.col("method")
            .replace_strict(
                {m.value: i for i, m in enumerate(TEST_METHODS)},
                default=None,
                return_dtype=pl.Int64,
            )
            .alias("m")
        )
        .drop_nulls("m")
    )
    test_matrix = subject_matrix(
        n,
        tests["c"].to_numpy(),
        tests["m"].to_numpy(),
        tests["score_h"].to_numpy(),
        len(TEST_METHODS),
    )
    return Candidates(matrices["exam"], matrices["transcript"], test_matrix, normal)


def _supplementary(
    session: Session, year: int, wishes: pl.DataFrame
) -> tuple[pl.DataFrame, dict[tuple[int, int, str], int]]:
    confirmed = read_frame(
        session,
        "SELECT person_id, institution_id, offer_id, bucket FROM enrolment_confirmation "
        "WHERE year = :year",
        {
            "person_id": pl.Int64,
            "institution_id": pl.Int64,
            "offer_id": pl.Int64,
            "bucket": pl.String,
        },
        {"year": year},
    )
    taken: dict[tuple[int, int, str], int] = {}
    for inst, offer, bucket in confirmed.select("institution_id", "offer_id", "bucket").iter_rows():
        key = (int(inst), int(offer), str(bucket or ""))
        taken[key] = taken.get(key, 0) + 1
    wishes = wishes.join(confirmed.select("person_id"), on="person_id", how="anti")
    # Seats held in the final main round or an earlier supplementary round and not confirmed
    # by their deadline were declined.
    declined = read_frame(
        session,
        "SELECT c.person_id, c.institution_id, c.offer_id FROM round_candidate c "
        "JOIN admission_round r ON r.id = c.round_id "
        "WHERE r.year = :year AND r.status = 'published' "
        "AND (r.is_final = true OR r.kind = 'supplementary') AND c.offer_id IS NOT NULL",
        {"person_id": pl.Int64, "institution_id": pl.Int64, "offer_id": pl.Int64},
        {"year": year},
    )
    wishes = wishes.join(declined, on=["person_id", "institution_id", "offer_id"], how="anti")
    return wishes, taken


def _covered(wishes: pl.DataFrame, paid: pl.DataFrame) -> NDArray[np.int64]:
    """Per wish (in order): how many wishes its candidate's paid invoice covers (0: none)."""
    joined = wishes.select("person_id").join(
        paid, on="person_id", how="left", maintain_order="left"
    )
    out: NDArray[np.int64] = joined["paid_wishes"].fill_null(0).to_numpy().astype(np.int64)
    return out


def build_snapshot(session: Session, round_: AdmissionRound) -> Snapshot:
    """Read everything the round needs and compute every wish's admission score."""
    calendar = session.get(AdmissionYear, round_.year)
    assert calendar is not None
    rules = rules_for(calendar.rules_version)
    year = round_.year
    offers = list(
        session.scalars(
            select(AdmissionOffer)
            .where(AdmissionOffer.year == year)
            .order_by(AdmissionOffer.institution_id, AdmissionOffer.id)
        )
    )
    tables = list(
        session.scalars(
            select(ConversionTable)
            .where(ConversionTable.year == year)
            .order_by(ConversionTable.institution_id, ConversionTable.id)
        )
    )
    wishes = read_frame(
        session,
        "SELECT person_id, rank, institution_id, offer_id FROM wish WHERE year = :year",
        {"person_id": pl.Int64, "rank": pl.Int64, "institution_id": pl.Int64, "offer_id": pl.Int64},
        {"year": year},
    )
    taken: dict[tuple[int, int, str], int] = {}
    paths = NO_PATHS
    if round_.kind == RoundKind.supplementary.value:
        wishes, taken = _supplementary(session, year, wishes)
    else:  # direct and priority admissions stand in the main rounds (snapshot_paths.py)
        paths = read_paths(session, year)
    # An accepted path is scored like a wish (rank 0, `path` set) and leaves the matching below.
    wishes = pl.concat(
        [
            wishes.with_columns(pl.lit(0, dtype=pl.Int64).alias("path")),
            paths.select(
                "person_id",
                pl.lit(0, dtype=pl.Int64).alias("rank"),
                "institution_id",
                "offer_id",
                "path",
            ),
        ]
    )
    keys = pl.DataFrame(
        {
            "institution_id": [o.institution_id for o in offers],
            "offer_id": [o.id for o in offers],
            "p": np.arange(len(offers), dtype=np.int64),
        },
        schema={"institution_id": pl.Int64, "offer_id": pl.Int64, "p": pl.Int64},
    )
    wishes = wishes.join(keys, on=["institution_id", "offer_id"], how="inner")
    wishes = wishes.sort("person_id", "rank")
    person = np.unique(wishes["person_id"].to_numpy())
    cand = np.searchsorted(person, wishes["person_id"].to_numpy()).astype(np.int64)
    offer_idx = wishes["p"].to_numpy().astype(np.int64)
    rank = wishes["rank"].to_numpy().astype(np.int64)
    programs, first, bucket_of = _programs(offers, taken)
    offer_data, table_arrays = offer_arrays(offers, tables)
    candidates = read_candidates(session, year, rules, person)
    bonus = bonus_of_wishes(read_bonus(session, year), wishes)
    scores = best_scores(rules, candidates, offer_data, table_arrays, cand, offer_idx, rank, bonus)
    flag = np.full(cand.shape[0], FLAG_OK, dtype=np.int64)
    flag[scores.base_h < 0] = FLAG_NO_RESULT
    flag[(scores.base_h >= 0) & (scores.score_h < 0)] = FLAG_BELOW_FLOOR
    score = scores.score_h.copy()
    if calendar.teacher_wish_limit is not None:
        teacher = np.array(
            [is_teacher_training(o.discipline_code, rules.teacher_group) for o in offers],
            dtype=np.bool_,
        )
        late = (
            teacher[offer_idx] & (rank > calendar.teacher_wish_limit)
            if len(offers)
            else np.zeros(0, np.bool_)
        )
        flag[late], score[late] = FLAG_TEACHER_RANK, -1
    closed = np.array([o.status != OfferStatus.open.value for o in offers], dtype=np.bool_)
    if len(offers):
        shut = closed[offer_idx]
        flag[shut], score[shut] = FLAG_CLOSED, -1
    if not calendar.unpaid_wishes_count and payments.wish_fee(session, year) > 0:
        # a paid invoice covers the wishes it counted, by rank; the rest (and every wish of a
        # candidate who has not paid) stay out of the round
        covered = _covered(wishes, payments.paid_wishes(session, year))
        unpaid = (wishes["path"].to_numpy() == 0) & (rank > covered) & (flag != FLAG_CLOSED)
        flag[unpaid], score[unpaid] = FLAG_UNPAID, -1
    method = np.clip(scores.method, 0, None)
    program = first[offer_idx] + np.where(scores.method >= 0, bucket_of[offer_idx, method], 0)
    # Paths: a direct admission stands, a priority admission when it has a score (it reached
    # the offer's floor); they take a seat of the offer's shared bucket and leave the matching.
    path = wishes["path"].to_numpy().astype(np.int64)
    shut = closed[offer_idx] if len(offers) else np.zeros(0, dtype=np.bool_)
    stands = ((path == PATH_CODES["direct"]) & ~shut) | (
        (path == PATH_CODES["priority"]) & (score >= 0)
    )
    direct = np.flatnonzero(stands)
    direct = direct[np.unique(cand[direct], return_index=True)[1]]  # one seat per candidate
    quota = np.array(programs["quota"], dtype=np.int64)
    np.subtract.at(quota, first[offer_idx[direct]], 1)
    gone = np.isin(person[cand], person[cand[direct]])
    keep = (path == 0) & ~gone
    person_kept, cand_kept = np.unique(person[cand[keep]], return_inverse=True)
    offsets = np.zeros(person_kept.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(cand_kept, minlength=person_kept.shape[0]), out=offsets[1:])
    header = {
        "year": year,
        "round": round_.number,
        "kind": round_.kind,
        "is_final": round_.is_final,
        "tie_policy": round_.tie_policy,
        "rules_version": rules.version,
        "wish_cap": calendar.wish_cap,
        "teacher_wish_limit": calendar.teacher_wish_limit,
        "criteria": programs["criteria"],
        "unpaid_wishes_count": bool(calendar.unpaid_wishes_count),
    }
    arrays = {
        "program_institution": np.array(programs["inst"], dtype=np.int64),
        "program_offer": np.array(programs["offer"], dtype=np.int64),
        "program_bucket": np.array(programs["bucket"], dtype=np.int64),
        "quota": np.maximum(quota, 0),
        "person": person_kept,
        "offsets": offsets,
        "wish_program": program[keep],
        "wish_rank": rank[keep],
        "wish_score": score[keep],
        "wish_flag": flag[keep],
        "tiebreaks": scores.tiebreaks[:, keep],
        "direct_person": person[cand[direct]],
        "direct_program": first[offer_idx[direct]],
        "direct_path": path[direct],
        "direct_score": score[direct],
    }
    return make(header, arrays)
