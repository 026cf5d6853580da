"""Programs: disciplines from the `discipline` table, level consistent with the code's first digit
(7 bachelor, 8 master, 9 doctor), chosen to fit each institution's theme; and how many learners
each program has over the cohorts the snapshot covers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from hemis.synth.common import (
    AS_OF_DAY,
    FloatArray,
    IntArray,
    Stream,
    apportion,
    as_dates,
    day_number,
    group_rank,
    pick,
    rng,
    stamps,
    weighted,
    years_of,
)
from hemis.synth.institutions import InstitutionPlan

LEVELS = ("bachelor", "master", "doctor")
LEVEL_DIGIT = {"7": 0, "8": 1, "9": 2}
MODES = ("full_time", "part_time", "distance")
FIRST_COHORT = (2015, 2019, 2016)  # earliest cohort still in the registry, by level
_VARIANTS = (
    ("CLC", " (chất lượng cao)", "vi"),
    ("TT", " (chương trình tiên tiến)", "en"),
    ("EN", " (dạy bằng tiếng Anh)", "en"),
    ("LK", " (liên kết quốc tế)", "en"),
)
_LEARNER_WEIGHT = np.array([1.0, 0.18, 0.03])
_MODE_MIX = np.array([[0.85, 0.10, 0.05], [0.70, 0.30, 0.0], [0.80, 0.20, 0.0]])
_ACCREDITATION = ("none", "in_progress", "accredited", "expired")
_LATEST_OPENING = day_number(dt.date(2025, 9, 1))


@dataclass(frozen=True)
class ProgramPlan:
    frame: pl.DataFrame  # program rows, column "inst" = institution index (ids come later)
    inst: IntArray
    level: IntArray  # index into LEVELS
    duration: FloatArray  # years
    first_cohort: IntArray
    mode: IntArray  # index into MODES
    learners: IntArray  # learners of every cohort in the snapshot

    def __len__(self) -> int:
        return len(self.inst)


def discipline_pools(disciplines: pl.DataFrame) -> list[pl.DataFrame]:
    """Open disciplines by level, the level taken from the code's first digit."""
    usable = disciplines.filter(pl.col("code").str.slice(0, 1).is_in(list(LEVEL_DIGIT)))
    return [
        usable.filter(pl.col("code").str.slice(0, 1) == digit).sort("code") for digit in LEVEL_DIGIT
    ]


def _levels(g: np.random.Generator, plan: InstitutionPlan, i: int, k: int) -> IntArray:
    if plan.trains_doctorates[i]:
        mix = [0.78, 0.15, 0.07]
    elif plan.type[i] == 3:
        mix = [1.0, 0.0, 0.0]
    elif plan.ownership[i] == 0:
        mix = [0.88, 0.12, 0.0]
    else:
        mix = [0.93, 0.07, 0.0]
    levels = weighted(g, mix, k)
    levels[0] = 0  # every institution has a bachelor program
    return levels


def _choose(
    g: np.random.Generator, pool: pl.DataFrame, fields: tuple[str, ...], k: int
) -> IntArray:
    field = pool["field_code"].to_numpy()
    security = "86" in fields
    w = np.where(np.isin(field, fields), 8.0, 1.0)
    w = np.where(field == "86", 20.0 if security else 0.01, w * (0.2 if security else 1.0))
    p = w / w.sum()
    first = g.choice(len(pool), size=min(k, len(pool)), replace=False, p=p)
    extra = g.choice(len(pool), size=k - len(first), replace=True, p=p)
    return np.asarray(np.r_[first, extra], dtype=np.int64)


def _durations(g: np.random.Generator, level: IntArray, field: list[str]) -> FloatArray:
    n = len(level)
    f = np.array(field)
    u = g.random(n)
    bachelor = np.where(u < 0.85, 4.0, 3.5)
    bachelor = np.where(np.isin(f, ["52", "58"]), np.where(u < 0.5, 4.5, 4.0), bachelor)
    bachelor = np.where(f == "72", np.where(u < 0.4, 6.0, 4.0), bachelor)
    master = np.where(u < 0.8, 2.0, 1.5)
    doctor = np.where(u < 0.6, 3.0, 4.0)
    return np.asarray(np.choose(level, [bachelor, master, doctor]), dtype=np.float64)


def plan_programs(
    seed: int, plan: InstitutionPlan, disciplines: pl.DataFrame, n_programs: int, n_learners: int
) -> ProgramPlan:
    g = rng(seed, Stream.programs)
    pools = discipline_pools(disciplines)
    per_inst = apportion(n_programs, plan.size**0.6, minimum=1)
    inst_parts, level_parts, pick_parts = [], [], []
    for i, k in enumerate(per_inst):
        if k == 0:
            continue
        levels = _levels(g, plan, i, int(k))
        levels[[lvl for lvl in range(len(levels)) if len(pools[levels[lvl]]) == 0]] = 0
        for lvl in range(3):
            count = int((levels == lvl).sum())
            if count:
                inst_parts.append(np.full(count, i, dtype=np.int64))
                level_parts.append(np.full(count, lvl, dtype=np.int64))
                pick_parts.append(_choose(g, pools[lvl], plan.theme[i].fields, count))
    inst = np.concatenate(inst_parts)
    level = np.concatenate(level_parts)
    chosen = np.concatenate(pick_parts)
    n = len(inst)
    rows = _gather(pools, level, chosen)
    variant = group_rank(inst * 10_000_000 + rows["code"].cast(pl.Int64).to_numpy())
    code_suffix = ["", *(f"_{v[0]}" for v in _VARIANTS)] + [f"_{k:02d}" for k in range(5, 100)]
    name_suffix = ["", *(v[1] for v in _VARIANTS)] + [f" (chương trình {k})" for k in range(5, 100)]
    language = ["vi", *(v[2] for v in _VARIANTS)] + ["vi"] * 95
    variant = np.minimum(variant, len(code_suffix) - 1)
    duration = _durations(g, level, rows["field_code"].to_list())
    credits = np.round(
        np.choose(level, [duration * 32, np.full(n, 60.0), duration * 30]) + g.integers(0, 7, n)
    ).astype(np.int64)
    mode = np.zeros(n, dtype=np.int64)
    for lvl in range(3):
        mask = level == lvl
        mode[mask] = weighted(g, _MODE_MIX[lvl], int(mask.sum()))
    start = plan.established[inst]
    opened = start + ((_LATEST_OPENING - start) * g.beta(1.0, 2.5, n)).astype(np.int64)
    first_cohort = np.minimum(np.maximum(years_of(opened) + 1, np.array(FIRST_COHORT)[level]), 2025)
    accreditation = weighted(g, [0.40, 0.15, 0.40, 0.05], n)
    accredited = np.isin(accreditation, [2, 3])
    earliest = np.maximum(opened + 4 * 365, day_number(dt.date(2017, 1, 1)))
    latest = np.where(accreditation == 3, day_number(dt.date(2020, 12, 31)), AS_OF_DAY)
    latest = np.maximum(latest, earliest + 1)
    accredited_on = earliest + (g.random(n) * (latest - earliest)).astype(np.int64)
    accredited = accredited & (accredited_on <= AS_OF_DAY)
    accreditation = np.where(accredited | ~np.isin(accreditation, [2, 3]), accreditation, 1)
    share = g.lognormal(0.0, 0.8, n) * _LEARNER_WEIGHT[level]
    inst_total = np.bincount(inst, weights=share, minlength=len(plan))
    weight = share / inst_total[inst] * plan.size[inst]
    learners = apportion(n_learners, weight)
    cohorts = 2025 - first_cohort + 1
    yearly = learners / np.minimum(cohorts, np.ceil(duration) + 1)
    quota = np.maximum(10, np.ceil(yearly * g.uniform(1.0, 1.4, n))).astype(np.int64)
    frame = pl.DataFrame(
        {
            "inst": inst,
            "discipline_code": rows["code"],
            "code": rows["code"] + pick(code_suffix, variant),
            "name_vi": rows["name_vi"] + pick(name_suffix, variant),
            "name_en": pl.Series([None] * n, dtype=pl.String),
            "level": pick(LEVELS, level),
            "mode": pick(MODES, mode),
            "language": pick(language, variant),
            "credits": credits,
            "duration_years": duration,
            "accreditation_status": pick(_ACCREDITATION, accreditation),
            "accredited_on": as_dates(accredited_on).zip_with(
                pl.Series(accredited), pl.Series([None] * n, dtype=pl.Date)
            ),
            "opened_on": as_dates(opened),
            "annual_quota": quota,
            "status": pick(["open", "suspended"], (g.random(n) < 0.05).astype(np.int64)),
        }
    )
    return ProgramPlan(
        frame=stamps(frame),
        inst=inst,
        level=level,
        duration=duration,
        first_cohort=np.asarray(first_cohort, dtype=np.int64),
        mode=mode,
        learners=learners,
    )


def _gather(pools: list[pl.DataFrame], level: IntArray, chosen: IntArray) -> pl.DataFrame:
    """Rows of the chosen disciplines, in program order."""
    offsets = np.cumsum([0, *(len(p) for p in pools)])[:3]
    allpool = pl.concat(pools)
    return allpool[pl.Series(offsets[level] + chosen)]
