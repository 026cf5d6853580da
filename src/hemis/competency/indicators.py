"""Computing a year's competency indicators into the national cube (competency_indicator), in
one transaction: the year's rows are replaced.

For every learner of a population (indicator_defs.POPULATION_RULE) whose program targets at
least one competency: the latest assessed level of each competency on or before the cut-off
(a sitting's '0' is "not assessed there"; self-assessments are in another table and never
read), compared with the program's target. Per competency: targeted, assessed, at or above the
target, below it, and the levels missing below it. Per domain: targeted (some competency of the
domain), assessed (every targeted competency of it assessed), met (every one at or above), below
(assessed, not met) and the levels missing over the domain. Summed by institution, field, sex
(region is the institution's), per population. Everything is polars over four reads; at national
size (3 M learners, 3 M sittings) nothing loops in Python per learner.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session, sessionmaker

from hemis.admissions.frames import read_frame
from hemis.competency.framework import CURRENT_VERSION, framework
from hemis.competency.models import CompetencyIndicator
from hemis.db.base import table_of
from hemis.db.ids import allocate_ids
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.db.types import utcnow

CUBE = table_of(CompetencyIndicator)
POPULATIONS = ("learners", "graduates")
MEASURES = ("with_target", "assessed", "met", "below", "gap_sum")
DIMENSIONS = ("population", "institution_id", "field_code", "region", "sex")
INSERT_BLOCK = 20_000


@dataclass
class Computed:
    year: int
    cutoff: dt.date
    learners: int = 0
    rows: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def _positions() -> list[str]:
    return [f"p{c.position}" for c in framework().competencies]


def _frame(session: Session, sql: str, schema: dict[str, Any]) -> pl.DataFrame:
    """read_frame with dates read as text and parsed here (SQLite hands them over as text)."""
    dates = [name for name, kind in schema.items() if kind == pl.Date]
    text = {name: pl.String if name in dates else kind for name, kind in schema.items()}
    frame = read_frame(session, sql, text)
    return frame.with_columns(pl.col(d).str.slice(0, 10).str.to_date("%Y-%m-%d") for d in dates)


def _read(session: Session) -> dict[str, pl.DataFrame]:
    """The four inputs, each one read (national scope)."""
    learners = _frame(
        session,
        "SELECT l.id AS learner_id, l.institution_id, l.program_id, pe.sex, l.status, "
        "l.admitted_on, l.status_date, l.graduated_on "
        "FROM learner l JOIN person pe ON pe.id = l.person_id",
        {
            "learner_id": pl.Int64,
            "institution_id": pl.Int64,
            "program_id": pl.Int64,
            "sex": pl.String,
            "status": pl.String,
            "admitted_on": pl.Date,
            "status_date": pl.Date,
            "graduated_on": pl.Date,
        },
    )
    programs = _frame(
        session,
        "SELECT p.id AS program_id, p.institution_id, substr(p.discipline_code, 2, 2) AS "
        "field_code, coalesce(pr.region, '') AS region FROM program p "
        "JOIN institution i ON i.id = p.institution_id "
        "LEFT JOIN province pr ON pr.generation = 34 AND pr.code = i.province_code",
        {
            "program_id": pl.Int64,
            "institution_id": pl.Int64,
            "field_code": pl.String,
            "region": pl.String,
        },
    )
    targets = _frame(
        session,
        "SELECT program_id, competency_code, level FROM program_competency_target",
        {"program_id": pl.Int64, "competency_code": pl.String, "level": pl.Int8},
    )
    sittings = _frame(
        session,
        "SELECT learner_id, assessed_on, levels FROM competency_assessment",
        {"learner_id": pl.Int64, "assessed_on": pl.Date, "levels": pl.String},
    )
    return {"learners": learners, "programs": programs, "targets": targets, "sittings": sittings}


def populations(learners: pl.DataFrame, year: int, cutoff: dt.date) -> pl.DataFrame:
    """(learner, population) pairs: studying at the cut-off, and graduated in the year."""
    start = dt.date(year, 1, 1)
    graduated_on = pl.coalesce(
        pl.col("graduated_on"),
        pl.when(pl.col("status") == "graduated").then(pl.col("status_date")),
    )
    studying = learners.filter(
        (pl.col("status") == "enrolled") & (pl.col("admitted_on") <= cutoff)
    ).with_columns(pl.lit("learners").alias("population"))
    graduates = learners.filter(graduated_on.is_between(start, cutoff)).with_columns(
        pl.lit("graduates").alias("population")
    )
    keep = ["learner_id", "program_id", "sex", "population"]
    return pl.concat([studying.select(keep), graduates.select(keep)])


def latest_levels(sittings: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    """learner_id and p1 … p24: the latest assessed level of each position by the cut-off."""
    positions = _positions()
    levels = (
        sittings.filter(pl.col("assessed_on") <= cutoff)
        .sort("learner_id", "assessed_on")
        .select(
            "learner_id",
            *(
                pl.col("levels").str.slice(i, 1).cast(pl.Int8, strict=False).alias(p)
                for i, p in enumerate(positions)
            ),
        )
    )
    zero_as_null = [pl.when(pl.col(p) > 0).then(pl.col(p)).alias(p) for p in positions]
    # Most learners have one sitting: only those with several are grouped.
    several = pl.col("learner_id").is_duplicated()
    single = levels.filter(~several).with_columns(zero_as_null)
    grouped = (
        levels.filter(several)
        .group_by("learner_id", maintain_order=True)
        .agg(pl.col(p).filter(pl.col(p) > 0).last() for p in positions)
    )
    return pl.concat([single, grouped.select(single.columns)])


def target_columns(targets: pl.DataFrame) -> pl.DataFrame:
    """program_id and t1 … t24: the level each program targets per position (null: none)."""
    fw = framework()
    position = pl.col("competency_code").replace_strict(
        list(fw.codes), [c.position for c in fw.competencies], default=None
    )
    keyed = targets.with_columns(position.alias("_at")).drop_nulls("_at")
    return keyed.group_by("program_id").agg(
        pl.col("level").filter(pl.col("_at") == c.position).first().alias(f"t{c.position}")
        for c in fw.competencies
    )


def per_learner(people: pl.DataFrame, latest: pl.DataFrame, goals: pl.DataFrame) -> pl.DataFrame:
    """Each learner's 0/1 (and gap) columns per competency and per domain, one byte each (at
    national size 150 columns × 3 M learners)."""
    fw = framework()
    frame = people.join(goals, on="program_id", how="inner").join(
        latest, on="learner_id", how="left"
    )
    columns: list[pl.Expr] = []
    for c in fw.competencies:
        target, level = pl.col(f"t{c.position}"), pl.col(f"p{c.position}")
        has_target = target.is_not_null()
        assessed = has_target & level.is_not_null()
        below = assessed & (level < target)
        columns += [
            has_target.cast(pl.Int8).alias(f"with_target:{c.code}"),
            assessed.cast(pl.Int8).alias(f"assessed:{c.code}"),
            (assessed & (level >= target)).cast(pl.Int8).alias(f"met:{c.code}"),
            below.cast(pl.Int8).alias(f"below:{c.code}"),
            pl.when(below).then(target - level).otherwise(0).cast(pl.Int8).alias(f"gap:{c.code}"),
        ]
    frame = frame.with_columns(columns)
    domains: list[pl.Expr] = []
    for d in fw.domains:
        codes = [c.code for c in fw.in_domain(d.code)]
        targeted = pl.sum_horizontal(pl.col(f"with_target:{k}") for k in codes)
        assessed = pl.sum_horizontal(pl.col(f"assessed:{k}") for k in codes)
        met = pl.sum_horizontal(pl.col(f"met:{k}") for k in codes)
        complete = (targeted > 0) & (assessed == targeted)
        domains += [
            (targeted > 0).cast(pl.Int8).alias(f"with_target:D{d.code}"),
            complete.cast(pl.Int8).alias(f"assessed:D{d.code}"),
            (complete & (met == targeted)).cast(pl.Int8).alias(f"met:D{d.code}"),
            (complete & (met < targeted)).cast(pl.Int8).alias(f"below:D{d.code}"),
            pl.when(complete)
            .then(pl.sum_horizontal(pl.col(f"gap:{k}") for k in codes))
            .otherwise(0)
            .cast(pl.Int8)  # at most 7 levels × 6 competencies
            .alias(f"gap:D{d.code}"),
        ]
    return frame.with_columns(domains)


def cube(frame: pl.DataFrame, programs: pl.DataFrame) -> pl.DataFrame:
    """The per-learner columns summed by the cube's dimensions, one row per (group, code)."""
    fw = framework()
    codes = [c.code for c in fw.competencies] + [f"D{d.code}" for d in fw.domains]
    places = programs.select("program_id", "institution_id", "field_code", "region")
    keyed = frame.join(places, on="program_id", how="left").with_columns(
        pl.col("sex", "field_code", "region").fill_null("")
    )
    sums = keyed.group_by(list(DIMENSIONS)).agg(
        pl.col(f"{m}:{k}").sum()
        for k in codes
        for m in ("with_target", "assessed", "met", "below", "gap")
    )
    long = sums.unpivot(index=list(DIMENSIONS), variable_name="_m", value_name="n")
    long = long.with_columns(pl.col("_m").str.split_exact(":", 1).alias("_s")).unnest("_s")
    wide = long.rename({"field_0": "measure", "field_1": "code"}).pivot(
        on="measure", index=[*DIMENSIONS, "code"], values="n"
    )
    return (
        wide.rename({"gap": "gap_sum"})
        .filter(pl.col("with_target") > 0)
        .with_columns(
            pl.when(pl.col("code").str.starts_with("D"))
            .then(pl.lit("domain"))
            .otherwise(pl.lit("competency"))
            .alias("scope")
        )
    )


def build(inputs: dict[str, pl.DataFrame], year: int, cutoff: dt.date) -> pl.DataFrame:
    people = populations(inputs["learners"], year, cutoff)
    latest = latest_levels(inputs["sittings"], cutoff)
    goals = target_columns(inputs["targets"])
    return cube(per_learner(people, latest, goals), inputs["programs"])


def compute_year(
    factory: sessionmaker[HemisSession], year: int, cutoff: dt.date | None = None
) -> Computed:
    """Compute and store the year's competency indicators (national scope; one transaction)."""
    chosen = cutoff or dt.date(year, 12, 31)
    out = Computed(year, chosen)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        out.seconds[name] = round(now - clock, 2)
        clock = now

    with scoped_session(factory, Scope.system("competency-indicators")) as session:
        inputs = _read(session)
        out.learners = inputs["learners"].height
        lap("read")
        result = build(inputs, year, chosen)
        del inputs
        lap("compute")
        out.rows = store(session, year, result)
        session.commit()
        lap("store")
    return out


def store(session: Session, year: int, result: pl.DataFrame) -> int:
    conn = session.connection()
    conn.execute(delete(CUBE).where(CUBE.c.year == year))
    if result.is_empty():
        return 0
    first = allocate_ids(conn, CUBE.name, result.height)
    now = utcnow()
    frame = result.with_columns(
        (pl.int_range(0, result.height, dtype=pl.Int64) + first).alias("id"),
        pl.lit(year).alias("year"),
        pl.lit(CURRENT_VERSION).alias("framework_version"),
    ).select("id", "year", "framework_version", *DIMENSIONS, "scope", "code", *MEASURES)
    for offset in range(0, frame.height, INSERT_BLOCK):
        rows: list[dict[str, Any]] = frame.slice(offset, INSERT_BLOCK).to_dicts()
        for row in rows:
            row["computed_at"] = now
        conn.execute(insert(CUBE), rows)
    return frame.height
