"""The demo year's pure parts: each phase's calendar around any moment, and the seeded plans of
the cohort (valid identities and registrations, offers with their rules, wishes a candidate can
reach, reproducible draws)."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from hemis.admissions.codes import Method
from hemis.admissions.combinations import subjects_of
from hemis.admissions.eligibility import graduation_problems, subject_problems
from hemis.demo import cohort, offers
from hemis.demo.rules import DEMO_YEAR, PHASES, Phase, layout, phase_index, reporting_window
from hemis.registry.rules import national_id_problems

moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),
    max_value=dt.datetime(2090, 12, 31),
    timezones=st.just(dt.UTC),
)


@given(moments)
def test_every_phase_opens_and_closes_its_windows_around_now(now: dt.datetime) -> None:
    for phase in PHASES:
        cal = layout(phase, now)
        registration = cal.registration_opens_at <= now < cal.registration_closes_at
        wishes = cal.wishes_open_at <= now < cal.wishes_close_at
        paying = cal.payment_opens_at <= now < cal.payment_closes_at
        deadline_ahead = now < cal.confirm_deadline_at
        assert (registration, wishes, paying, deadline_ahead) == {
            Phase.registration: (True, False, False, True),
            Phase.wishes: (False, True, False, True),
            Phase.rounds: (False, False, True, True),
            Phase.confirmation: (False, False, False, True),
            Phase.enrolled: (False, False, False, False),
        }[phase]
        # the year's order: registration, wishes, payment, confirmation
        assert cal.registration_closes_at < cal.wishes_open_at < cal.wishes_close_at
        assert cal.wishes_close_at < cal.payment_opens_at < cal.payment_closes_at
        assert cal.payment_closes_at < cal.confirm_deadline_at
        assert cal.wishes_close_at <= now or phase_index(phase) < phase_index(Phase.rounds)


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_the_reporting_period_is_open_today(today: dt.date) -> None:
    window = reporting_window(today)
    assert window.opens_on <= today <= window.closes_on


def test_the_cohort_is_valid_and_the_same_for_the_same_seed() -> None:
    people = cohort.plan_applicants(3, 400)
    assert people == cohort.plan_applicants(3, 400)
    assert people != cohort.plan_applicants(4, 400)
    assert len({p.national_id for p in people}) == 400
    for p in people:
        assert national_id_problems(p.national_id, p.sex, p.date_of_birth) == []
        assert subject_problems(list(p.electives), p.foreign_language, p.technology_track) == []
        assert graduation_problems(DEMO_YEAR, p.graduation_year) == []
        assert p.exam_site.isdigit()
        assert len(p.exam_site) == 2


def test_offers_carry_their_rules_at_every_institution() -> None:
    programs = [
        offers.ProgramRow(inst, inst * 100 + k, f"P{k}", code)
        for inst in (1, 2, 3)
        for k, code in enumerate(("7480201", "7340101", "7220201", "7720101", "7140202"))
    ]
    plans = offers.plan_offers(5, programs, 500)
    assert plans == offers.plan_offers(5, programs, 500)
    assert {o.institution_id for o in plans} == {1, 2, 3}
    assert sum(o.quota for o in plans) == round(500 * offers.SEATS_PER_CANDIDATE)
    for offer in plans:
        assert offer.quota >= 5
        assert Method.exam.value in offer.methods
        assert all(subjects_of(code) is not None for code in offer.combinations)
        assert sum(offer.method_quotas.values()) <= offer.quota
        assert set(offer.method_quotas) <= set(offer.methods)
    selective = [o for o in plans if float(o.floor) >= 22]
    assert len(selective) == 3  # one per institution


def test_results_files_hold_every_sitting_and_the_fixed_scores() -> None:
    sittings = [
        cohort.Sitting(i, f"01{i:06d}", ("math", "literature", "physics", "english"))
        for i in range(1, 201)
    ]
    files = cohort.plan_results(9, sittings, {"01000001": {"math": 875, "hsa": 10500}})
    exam = pl.read_csv(io.BytesIO(files.exam), infer_schema=False)
    assert exam.height == 200
    assert exam.filter(pl.col("candidate_number") == "01000001")["math"].item() == "8.75"
    scores = exam.select("math", "literature", "physics", "english").unpivot()["value"]
    hundredths = (scores.cast(pl.Float64) * 100).round(0).cast(pl.Int64)
    assert ((hundredths % 5) == 0).all()  # the exam's step of 0.05 from 2025
    assert ((hundredths % 25) != 0).any()  # and steps finer than the old 0.25 do occur
    assert hundredths.is_between(0, 1000).all()
    hsa = pl.read_csv(io.BytesIO(files.tests[Method.hsa]), infer_schema=False)
    assert "01000001,105" in files.tests[Method.hsa].decode()
    assert 5 < hsa.height < 100


def test_wishes_reach_only_offers_the_candidate_can_be_scored_for() -> None:
    views = [
        offers.OfferView(1, 10, {"A00": 0}, ("exam",), 1500, 20),
        offers.OfferView(1, 11, {"C00": 0}, ("exam",), 1500, 20),
        offers.OfferView(2, 20, {"D01": 0}, ("exam", "hsa"), 2200, 5),
    ]
    strong = offers.Scores(
        1, {"math": 900, "physics": 900, "chemistry": 850, "literature": 700}, {}
    )
    weak = offers.Scores(2, {"math": 200, "physics": 300, "chemistry": 200, "literature": 300}, {})
    tested = offers.Scores(
        3, {"math": 500, "literature": 500, "biology": 500, "history": 500}, {"hsa": 12000}
    )
    plans = offers.plan_wishes(1, [strong, weak, tested], views)
    assert set(plans.get(1, [])) <= {(1, 10)}
    assert 2 not in plans  # 7.0 in A00: no floor within reach
    assert set(plans.get(3, [])) <= {(2, 20)}
    assert plans == offers.plan_wishes(1, [tested, weak, strong], views)


def test_chosen_shares_are_reproducible() -> None:
    keys = list(range(1000, 3000))
    picked = cohort.chosen(1, cohort.Stream.payments, keys, 0.9)
    assert picked == cohort.chosen(1, cohort.Stream.payments, list(reversed(keys)), 0.9)
    assert 1700 < len(picked) < 1900


@given(
    st.integers(min_value=0, max_value=2**31),
    st.integers(min_value=1, max_value=99_999_999),
    st.sampled_from(
        [
            ("math", "literature", "physics", "english"),
            ("math", "literature", "history", "geography"),
            ("math", "literature", "chemistry", "biology"),
        ]
    ),
)
def test_a_portal_candidate_scores_as_a_good_student_the_same_every_time(
    seed: int, number: int, subjects: tuple[str, ...]
) -> None:
    sitting = cohort.Sitting(1, f"{number:08d}", subjects)
    scores = cohort.self_served_scores(seed, sitting)
    assert scores == cohort.self_served_scores(seed, cohort.Sitting(2, f"{number:08d}", subjects))
    assert set(scores) == set(subjects)
    assert all(0 <= s <= 1000 and s % 25 == 0 for s in scores.values())
    # well above each subject's national mean: a good student's exam
    assert all(s / 100 >= cohort.SUBJECT_MEAN[k] + 1.0 for k, s in scores.items() if s < 1000)


def test_some_selective_offers_weight_mathematics() -> None:
    programs = [
        offers.ProgramRow(inst, inst * 100 + k, f"P{k}", code)
        for inst in (1, 2, 3, 4, 5, 6)
        for k, code in enumerate(("7480201", "7520103", "7340101", "7220201"))
    ]
    plans = offers.plan_offers(7, programs, 900)
    weighted = [o for o in plans if o.weights]
    assert weighted
    for offer in weighted:
        assert offer.weights == {"math": 2}
        assert all(
            (subjects := subjects_of(code)) and "math" in {s.value for s in subjects}
            for code in offer.combinations
        )
        assert float(offer.floor) > 28  # a selective floor on the 40-point scale
