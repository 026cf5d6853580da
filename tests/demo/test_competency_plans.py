"""The demo's competency plans: seeded, within the framework, dated within each learner's
enrolment, and only on what the program targets."""

from __future__ import annotations

import datetime as dt

import polars as pl

from hemis.competency.framework import framework
from hemis.demo.competency import plan_sittings, plan_targets

PROGRAMS = pl.DataFrame(
    {
        "institution_id": [1] * 40,
        "program_id": list(range(1, 41)),
        "level": ["bachelor"] * 30 + ["master"] * 10,
        "discipline_code": ["7480201"] * 20 + ["7340101"] * 20,
    }
)
AS_OF = dt.date(2025, 12, 31)


def test_targets_are_seeded_and_at_the_level_of_training() -> None:
    first, again = plan_targets(7, PROGRAMS), plan_targets(7, PROGRAMS)
    assert first.equals(again)
    assert not first.equals(plan_targets(8, PROGRAMS))
    assert set(first["competency_code"]) <= set(framework().codes)
    assert first["level"].is_between(1, 8).all()
    # programming: computing bachelors one level above NC1, other bachelors one below
    prog = first.filter(pl.col("competency_code") == "3.4")
    computing = prog.filter(pl.col("program_id") <= 20)["level"].unique().to_list()
    business = prog.filter(pl.col("program_id").is_between(21, 30))["level"].unique().to_list()
    assert computing == [6]
    assert business == [4]
    assert first["program_id"].n_unique() < 40  # some programs declare no target


def test_sittings_lie_within_enrolment_and_only_on_targets() -> None:
    targets = plan_targets(7, PROGRAMS)
    learners = pl.DataFrame(
        {
            "institution_id": [1] * 400,
            "learner_id": list(range(1, 401)),
            "program_id": [1 + n % 40 for n in range(400)],
            "admitted_on": [dt.date(2022 + n % 4, 9, 5) for n in range(400)],
        }
    )
    sittings = plan_sittings(7, learners, targets, AS_OF)
    assert sittings.height > 200
    joined = sittings.join(learners, on=["institution_id", "learner_id"])
    assert (joined["assessed_on"] > joined["admitted_on"]).all()
    assert (joined["assessed_on"] <= AS_OF).all()
    goals: dict[int, set[int]] = {}
    for _, program, code, _level in targets.iter_rows():
        goals.setdefault(program, set()).add(framework().competency(code).position)
    for program, levels in joined.select("program_id", "levels").iter_rows():
        assert len(levels) == 24
        assessed = {i + 1 for i, ch in enumerate(levels) if ch != "0"}
        assert assessed
        assert assessed <= goals[program]
        assert all(ch in "012345678" for ch in levels)
    assert set(sittings["method"]) == {"exam", "coursework"}
