"""A candidate's admission score for an offer: the best converted result over methods and
combinations, with offsets, floor and priority — explained, and equal to the vectorised pass."""

from __future__ import annotations

import random
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hemis.admissions.codes import SUBJECT_INDEX, Method
from hemis.admissions.explain import (
    CandidateResults,
    OfferRules,
    PriorityProfile,
    explain_score,
    tiebreak_value,
)
from hemis.admissions.rules import RULES, ConversionTable, to_h
from hemis.admissions.vector import (
    METHOD_INDEX,
    TEST_METHODS,
    Candidates,
    Offers,
    Tables,
    best_scores,
    combination_key,
    criterion_code,
)

D = Decimal
R2025, R2026 = RULES[2025], RULES[2026]
NONE = PriorityProfile(None, None, None)
HSA = ConversionTable(Method.hsa, ((0, 0), (10000, 2400), (15000, 3000)))
TRANSCRIPT = ConversionTable(Method.transcript, ((0, 0), (2400, 2000), (3000, 3000)))


def exam(**scores: str) -> CandidateResults:
    return CandidateResults(exam={k: to_h(v) for k, v in scores.items()})


def test_the_best_combination_with_its_offset_counts() -> None:
    results = exam(math="8", physics="7", chemistry="6", english="9", literature="7.5")
    offer = OfferRules(["exam"], {"A00": 0, "A01": 0, "D01": to_h("-0.5")})
    x = explain_score(2025, R2025, offer, results, NONE, {})
    values = {o.combination: o.value for o in x.options}
    assert values == {"A00": D(21), "A01": D(24), "D01": D(24)}  # D01: 24.5 − 0.5
    assert x.chosen_option is not None
    assert x.chosen_option.combination == "A01"
    assert x.score == D("24.00")


def test_a_competency_test_converted_by_the_table_can_win() -> None:
    results = CandidateResults(
        exam={"math": 600, "physics": 600, "chemistry": 600}, tests={"hsa": 12000}
    )
    offer = OfferRules(["exam", "hsa"], {"A00": 0})
    x = explain_score(2025, R2025, offer, results, NONE, {"hsa": HSA})
    assert x.chosen_option is not None
    assert x.chosen_option.method == "hsa"
    # 24 + (120 − 100) × 6 / 50 = 26.4
    assert x.score == D("26.40")
    assert x.chosen_option.band is not None
    assert x.chosen_option.band.x0 == D(100)


def test_a_method_without_a_published_table_does_not_count() -> None:
    results = CandidateResults(tests={"hsa": 14000})
    x = explain_score(2025, R2025, OfferRules(["hsa"], {}), results, NONE, {})
    assert x.score is None
    assert x.reason == "no_result"
    assert x.options[0].note == "no_table"


def test_priority_is_added_and_the_floor_applies_to_the_admission_score() -> None:
    results = exam(math="6", physics="6", chemistry="5.5")
    kv1 = PriorityProfile("KV1", "01", 2025)
    x = explain_score(
        2025, R2025, OfferRules(["exam"], {"A00": 0}, floor_h=to_h(20)), results, kv1, {}
    )
    assert x.total is not None
    assert x.total.priority == D("2.75")
    assert x.score == D("20.25")
    # Graduated three years ago: KV1 has expired (Art. 7(1)), category 01 (UT1, +2) has not
    # (Art. 7(2)): 17.50 + 2.00 = 19.50, below the floor of 20.
    old = PriorityProfile("KV1", "01", 2022)
    y = explain_score(
        2025, R2025, OfferRules(["exam"], {"A00": 0}, floor_h=to_h(20)), results, old, {}
    )
    assert not y.area_year_ok
    assert (y.area_points, y.category_points) == (D(0), D(2))
    assert y.total is not None
    assert y.total.total == D("19.50")
    assert y.score is None
    assert y.reason == "below_floor"


def test_category_points_outlive_the_area_points() -> None:
    # Circular 08/2022 as amended, Art. 7(1)–(2): UT1 + KV1, graduated 2023, admitted 2025,
    # 20.00 before priority → 22.00 (KV1 expired, UT1 kept).
    results = exam(math="7", physics="7", chemistry="6")
    offer = OfferRules(["exam"], {"A00": 0})
    x = explain_score(2025, R2025, offer, results, PriorityProfile("KV1", "01", 2023), {})
    assert x.score == D("22.00")
    # UT2 only, graduated 2022: 23.50 tapers (Art. 7(4)): 23.5 + 0.87 = 24.37.
    results = exam(math="8", physics="8", chemistry="7.5")
    y = explain_score(2025, R2025, offer, results, PriorityProfile("KV3", "06", 2022), {})
    assert y.score == D("24.37")


def test_a_weighted_offer_scores_on_its_own_scale() -> None:
    # Mathematics × 2 (A00 on 40): 2 × 8 + 8.5 + 8.5 = 33.00; KV1 converted to 40 and tapered
    # (Art. 7): 33.70.
    results = exam(math="8", physics="8.5", chemistry="8.5")
    offer = OfferRules(["exam"], {"A00": 0}, weights={"math": 2})
    x = explain_score(2025, R2025, offer, results, PriorityProfile("KV1", None, 2025), {})
    assert x.scale == D(40)
    assert x.options[0].raw == D(33)
    assert x.score == D("33.70")
    # A transcript sum is brought to 30 for the table and back: 2 × 9 + 8.5 + 8.5 = 35/40 →
    # 26.25/30 → 20 + (26.25 − 24) × 10 / 6 = 23.75 → × 4/3 = 31.666… → 31.67.
    marks = CandidateResults(transcript={"math": 900, "physics": 850, "chemistry": 850})
    offer = OfferRules(["transcript"], {"A00": 0}, weights={"math": 2})
    y = explain_score(2025, R2025, offer, marks, NONE, {"transcript": TRANSCRIPT})
    assert y.score == D("31.67")


def test_2026_rules_require_15_points_from_the_three_subjects() -> None:
    results = exam(math="5", physics="5", chemistry="4.75")
    offer = OfferRules(["exam"], {"A00": 0})
    assert explain_score(2025, R2025, offer, results, NONE, {}).score == D("14.75")
    x = explain_score(2026, R2026, offer, results, NONE, {})
    assert x.score is None
    assert x.options[0].note == "below_minimum"


def test_transcript_sums_are_converted_and_offset() -> None:
    results = CandidateResults(transcript={"math": 900, "physics": 850, "chemistry": 850})
    offer = OfferRules(["transcript"], {"A00": to_h("0.25")})
    x = explain_score(2025, R2025, offer, results, NONE, {"transcript": TRANSCRIPT})
    # 26.0 → 20 + (26 − 24) × 10 / 6 = 23.33, + 0.25
    assert x.score == D("23.58")


def test_tie_break_values() -> None:
    results = exam(math="8.25")
    assert tiebreak_value("math", results, 3) == 825
    assert tiebreak_value("physics", results, 3) == -1
    assert tiebreak_value("wish_rank", results, 3) == -3


# --- the vectorised pass equals the explained one -------------------------------------------

SUBJECTS = ["math", "literature", "physics", "chemistry", "english", "history", "geography"]
COMBOS = ["A00", "A01", "D01", "C00", "B00"]


def _random_world(
    rng: random.Random, n_cand: int, n_offers: int
) -> tuple[list[CandidateResults], list[PriorityProfile], list[OfferRules], list[int]]:
    cands, profiles = [], []
    for _ in range(n_cand):
        exam_scores = {s: rng.randrange(0, 41) * 25 for s in SUBJECTS if rng.random() < 0.7}
        transcript = {s: rng.randrange(500, 1001) for s in SUBJECTS if rng.random() < 0.5}
        tests = {m: rng.randrange(0, 15001) for m in ["hsa"] if rng.random() < 0.4}
        cands.append(CandidateResults(exam_scores, transcript, tests))
        profiles.append(
            PriorityProfile(
                rng.choice(["KV1", "KV2-NT", "KV2", "KV3"]),
                rng.choice([None, "01", "05"]),
                rng.choice([2023, 2024, 2025]),
            )
        )
    offers, institution = [], []
    for _ in range(n_offers):
        methods = rng.sample(["exam", "transcript", "hsa"], rng.randint(1, 3))
        combos = {c: rng.choice([0, 0, -50, 25]) for c in rng.sample(COMBOS, rng.randint(1, 3))}
        # Mathematics weighted (× 2 or 3) where every combination holds it: a 40- or 50-point
        # scale for the exam, the transcript and the tests alike.
        with_math = all(c in ("A00", "A01", "D01", "B00") for c in combos)
        weights = {"math": rng.choice([2, 3])} if with_math and rng.random() < 0.5 else {}
        offers.append(
            OfferRules(
                methods,
                combos,
                rng.choice([0, 1500, 2000]),
                rng.sample(["math", "wish_rank", "english"], 2),
                weights,
            )
        )
        institution.append(rng.randrange(2))
    return cands, profiles, offers, institution


@settings(max_examples=25)
@given(st.integers(0, 10_000))
def test_vectorised_scores_equal_the_explained_ones(seed: int) -> None:
    rng = random.Random(seed)
    cands, profiles, offers, institution = _random_world(rng, 12, 6)
    tables = {
        (0, "hsa"): HSA,
        (0, "transcript"): TRANSCRIPT,
        (1, "hsa"): ConversionTable(Method.hsa, ((0, 0), (15000, 3000))),
    }
    table_list = list(tables)
    rules = R2025
    n = len(cands)

    def matrix(get: str) -> np.ndarray:
        out = np.full((n, len(SUBJECT_INDEX)), -1, dtype=np.int64)
        for c, res in enumerate(cands):
            for s, v in getattr(res, get).items():
                out[c, SUBJECT_INDEX[s]] = v
        return out

    tests = np.full((n, len(TEST_METHODS)), -1, dtype=np.int64)
    for c, res in enumerate(cands):
        for m, v in res.tests.items():
            tests[c, TEST_METHODS.index(Method(m))] = v
    normal = []
    for p in profiles:
        x = explain_score(2025, rules, OfferRules(["exam"], {}), CandidateResults(), p, {})
        normal.append(to_h(x.area_points + x.category_points))
    candidates = Candidates(
        matrix("exam"), matrix("transcript"), tests, np.array(normal, dtype=np.int64)
    )
    keys = [{c: combination_key(c, o.weights) for c in o.combinations} for o in offers]
    combos = sorted({k for mine in keys for k in mine.values()})
    methods = np.zeros((len(offers), len(METHOD_INDEX)), dtype=np.bool_)
    accept = np.zeros((len(offers), len(combos)), dtype=np.bool_)
    offset = np.zeros((len(offers), len(combos)), dtype=np.int64)
    table = np.full((len(offers), len(METHOD_INDEX)), -1, dtype=np.int64)
    criteria = np.array([[criterion_code(t) for t in o.tiebreaks] for o in offers], dtype=np.int64)
    for p, o in enumerate(offers):
        for m in o.methods:
            methods[p, METHOD_INDEX[m]] = True
            key = (institution[p], m)
            table[p, METHOD_INDEX[m]] = table_list.index(key) if key in tables else -1
        for code, value in o.combinations.items():
            accept[p, combos.index(keys[p][code])] = True
            offset[p, combos.index(keys[p][code])] = value
    floor = np.array([o.floor_h for o in offers], dtype=np.int64)
    built = Tables.build([tables[k].points for k in table_list])
    cand = np.repeat(np.arange(n), len(offers)).astype(np.int64)
    offer = np.tile(np.arange(len(offers)), n).astype(np.int64)
    rank = (offer + 1).astype(np.int64)
    got = best_scores(
        rules,
        candidates,
        Offers(
            methods,
            combos,
            accept,
            offset,
            floor,
            table,
            criteria,
            np.array([o.weight for o in offers], dtype=np.int64),
        ),
        built,
        cand,
        offer,
        rank,
    )
    for w in range(cand.shape[0]):
        c, p = int(cand[w]), int(offer[w])
        mine = {
            m: tables[(institution[p], m)]
            for m in ("hsa", "transcript")
            if (institution[p], m) in tables
        }
        x = explain_score(2025, rules, offers[p], cands[c], profiles[c], mine)
        expected = -1 if x.score is None else to_h(x.score)
        assert int(got.score_h[w]) == expected, (seed, c, p, x)
        if x.score is not None:
            assert x.chosen_option is not None
            assert int(got.method[w]) == METHOD_INDEX[x.chosen_option.method]
        for j, name in enumerate(offers[p].tiebreaks):
            assert int(got.tiebreaks[j, w]) == tiebreak_value(name, cands[c], int(rank[w]))
