"""National indicators read from the cube: enrolment and graduates by level, field (Vietnamese
and ISCED-F broad), region, ownership and sex; the gender parity index; staff by qualification
and title; the tertiary gross enrolment ratio (SDG 4.3.2) from the loaded population table;
trends across the computed years. ORM statements only (the cube is national, not tenant data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.indicators.models import IndicatorCube, PopulationByAge
from hemis.registry.models import DisciplineGroup, IscedField

# UIS: the gross enrolment ratio for tertiary education divides enrolment of all ages by the
# population of the five-year age group following the end of upper-secondary school (18–22 in
# Viet Nam, where upper-secondary school ends at 17).
GER_AGES = (18, 22)
Q = IndicatorCube


def counts(
    session: Session, year: int, measure: str, by: str, province: str = ""
) -> dict[str, int]:
    column = getattr(Q, by)
    stmt = (
        select(column, func.sum(Q.count))
        .where(Q.year == year, Q.measure == measure)
        .group_by(column)
        .order_by(column)
    )
    if province:
        stmt = stmt.where(Q.province_code == province)
    return {str(k): int(v) for k, v in session.execute(stmt).all()}


def total(session: Session, year: int, measure: str, province: str = "") -> int:
    stmt = select(func.coalesce(func.sum(Q.count), 0)).where(Q.year == year, Q.measure == measure)
    if province:
        stmt = stmt.where(Q.province_code == province)
    return int(session.scalar(stmt) or 0)


def population(session: Session, year: int, sex: str) -> int | None:
    low, high = GER_AGES
    stmt = select(func.sum(PopulationByAge.population)).where(
        PopulationByAge.year == year,
        PopulationByAge.sex == sex,
        PopulationByAge.age.between(low, high),
    )
    found = session.scalar(stmt)
    return int(found) if found is not None else None


@dataclass(frozen=True)
class Ratio:
    value: float | None
    numerator: float | None
    denominator: float | None
    reason_vi: str = ""
    reason_en: str = ""


def ger(session: Session, year: int, enrolled: dict[str, int]) -> dict[str, Ratio]:
    """GER overall and by sex (percent), and the gender parity index of the GER."""
    out: dict[str, Ratio] = {}
    pops = {sex: population(session, year, sex) for sex in ("total", "male", "female")}
    if pops["total"] is None and pops["male"] is not None and pops["female"] is not None:
        pops["total"] = pops["male"] + pops["female"]
    for sex, pop in pops.items():
        num = float(sum(enrolled.values()) if sex == "total" else enrolled.get(sex, 0))
        if not pop:
            out[sex] = Ratio(
                None,
                num,
                None,
                f"Chưa nạp dân số 18–22 tuổi năm {year}.",
                f"No population aged 18–22 loaded for {year}.",
            )
        else:
            out[sex] = Ratio(100.0 * num / pop, num, float(pop))
    male, female = out["male"].value, out["female"].value
    out["gpi"] = (
        Ratio(female / male, female, male)
        if male and female is not None
        else Ratio(None, None, None, "Cần dân số theo giới tính.", "Needs population by sex.")
    )
    return out


def parity(by_sex: dict[str, int]) -> Ratio:
    """Female over male enrolment (a parity index of counts, used when no population is loaded)."""
    male, female = by_sex.get("male", 0), by_sex.get("female", 0)
    if not male:
        return Ratio(None, female, male, "Không có người học nam.", "No male learners.")
    return Ratio(female / male, female, male)


def field_names(session: Session) -> dict[str, str]:
    stmt = select(DisciplineGroup.code, DisciplineGroup.name_vi).where(
        DisciplineGroup.kind == "field"
    )
    return {str(code)[1:]: str(name) for code, name in session.execute(stmt).all()}


def isced_names(session: Session) -> dict[str, tuple[str, str]]:
    stmt = select(IscedField.code, IscedField.name_vi, IscedField.name_en).where(
        func.length(IscedField.code) == 2
    )
    return {str(c): (str(vi or en), str(en)) for c, vi, en in session.execute(stmt).all()}


def by_isced_broad(session: Session, year: int, measure: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for code, n in counts(session, year, measure, "isced_code").items():
        key = code[:2] if code else ""
        out[key] = out.get(key, 0) + n
    return out


def trend(session: Session, measure: str) -> list[tuple[int, int]]:
    stmt = (
        select(Q.year, func.sum(Q.count))
        .where(Q.measure == measure)
        .group_by(Q.year)
        .order_by(Q.year)
    )
    return [(int(y), int(n)) for y, n in session.execute(stmt).all()]


def national(session: Session, year: int, province: str = "") -> dict[str, Any]:
    """Everything the overview (or a province's page) shows, in one dictionary."""
    enrolled_sex = counts(session, year, "enrolled", "sex", province)
    lecturers_degree = counts(session, year, "lecturers", "degree", province)
    lecturers = sum(lecturers_degree.values())
    out: dict[str, Any] = {
        "year": year,
        "enrolled": total(session, year, "enrolled", province),
        "graduates": total(session, year, "graduates", province),
        "staff": total(session, year, "staff", province) + lecturers,
        "lecturers": lecturers,
        "doctorate_share": (lecturers_degree.get("doctor", 0) / lecturers) if lecturers else None,
        "enrolled_by_level": counts(session, year, "enrolled", "level", province),
        "graduates_by_level": counts(session, year, "graduates", "level", province),
        "enrolled_by_sex": enrolled_sex,
        "graduates_by_sex": counts(session, year, "graduates", "sex", province),
        "enrolled_by_ownership": counts(session, year, "enrolled", "ownership", province),
        "enrolled_by_field": counts(session, year, "enrolled", "field_code", province),
        "lecturers_by_degree": lecturers_degree,
        "lecturers_by_title": counts(session, year, "lecturers", "title", province),
        "parity": parity(enrolled_sex),
    }
    if not province:
        out["enrolled_by_region"] = counts(session, year, "enrolled", "region")
        out["enrolled_by_province"] = counts(session, year, "enrolled", "province_code")
        out["enrolled_by_isced"] = by_isced_broad(session, year, "enrolled")
        out["ger"] = ger(session, year, enrolled_sex)
        out["trend_enrolled"] = trend(session, "enrolled")
        out["trend_graduates"] = trend(session, "graduates")
    return out
