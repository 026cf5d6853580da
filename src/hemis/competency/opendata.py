"""The public open data of the competency indicators: for each population and each competency
and domain, learners at or above target and below it, by region (and by sex for the domains),
with small-cell suppression (hemis.indicators.suppression: no published cell or total under 5
persons, no hidden cell recoverable from the totals). The row totals are the learners assessed;
no institution, no person."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hemis.competency.framework import framework
from hemis.competency.indicators import POPULATIONS
from hemis.competency.models import CompetencyIndicator
from hemis.indicators.opendata import OpenTable
from hemis.indicators.suppression import suppress

CI = CompetencyIndicator
COLUMNS = ["met", "below"]


def _table(
    session: Session, year: int, population: str, code: str, by: str, title: tuple[str, str]
) -> OpenTable | None:
    dimension = CI.region if by == "region" else CI.sex
    rows = session.execute(
        select(dimension, func.sum(CI.met), func.sum(CI.below))
        .where(CI.year == year, CI.population == population, CI.code == code)
        .group_by(dimension)
    ).all()
    counts = {str(k) or "—": (int(m or 0), int(b or 0)) for k, m, b in rows}
    keys = sorted(k for k, v in counts.items() if sum(v))
    if not keys:
        return None
    matrix = [list(counts[k]) for k in keys]
    return OpenTable(
        f"{population}_{code}_{by}", title[0], title[1], keys, COLUMNS, suppress(matrix)
    )


def open_tables(session: Session, year: int) -> list[OpenTable]:
    fw = framework()
    out: list[OpenTable] = []
    for population in POPULATIONS:
        who_vi = "người học" if population == "learners" else "người tốt nghiệp"
        who_en = "learners" if population == "learners" else "graduates"
        for c in fw.competencies:
            table = _table(
                session, year, population, c.code, "region",
                (f"Năng lực {c.code}: {who_vi} đạt/dưới mục tiêu theo vùng",
                 f"Competency {c.code}: {who_en} at/below target by region"),
            )  # fmt: skip
            if table is not None:
                out.append(table)
        for d in fw.domains:
            for by, vi, en in (("region", "vùng", "region"), ("sex", "giới tính", "sex")):
                table = _table(
                    session, year, population, f"D{d.code}", by,
                    (f"Miền {d.code}: {who_vi} đạt/dưới mục tiêu theo {vi}",
                     f"Domain {d.code}: {who_en} at/below target by {en}"),
                )  # fmt: skip
                if table is not None:
                    out.append(table)
    return out
