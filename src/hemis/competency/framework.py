"""The digital competency framework (Circular 02/2025/TT-BGDĐT) as the files in competency/data
give it, read once and kept in memory: versions, domains, competencies with their positions, and
the eight levels. Pure (no database): the submission rules, the storage of levels and the
credentials read it; the framework tables (models.py) are loaded from the same files
(reference.py), so the database and this module always agree (a test checks it).

A competency's *position* (1–24, the file's order) is where its level sits in a stored
assessment: `competency_assessment.levels` holds one character per position.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

CURRENT_VERSION = "TT02-2025"
NO_LEVEL = "0"  # the character of a position that an assessment did not assess
LEVELS = range(1, 9)


def read_rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("hemis.competency.data").joinpath(name).open(encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


@dataclass(frozen=True)
class Domain:
    code: str  # "1" … "6"
    position: int
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class CompetencyDef:
    code: str  # "1.1" … "6.3"
    domain_code: str
    position: int  # 1–24
    name_vi: str
    name_en: str
    digcomp_equivalent: str
    source: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


@dataclass(frozen=True)
class LevelDef:
    level: int  # 1–8
    code: str  # CB1 … CS2
    code_inferred: bool  # NC2, CS1, CS2: inferred from the pattern, not seen in a source
    tier_code: str  # CB, TC, NC, CS
    tier_name_vi: str
    tier_name_en: str
    description_vi: str  # this project's translation of description_en
    description_en: str
    source: str

    def tier_name(self, lang: str) -> str:
        return self.tier_name_en if lang == "en" else self.tier_name_vi

    def description(self, lang: str) -> str:
        return self.description_en if lang == "en" else self.description_vi


@dataclass(frozen=True)
class Framework:
    version: str
    title_vi: str
    title_en: str
    legal_basis: str
    signed_on: dt.date
    in_force_from: dt.date
    domains: tuple[Domain, ...]
    competencies: tuple[CompetencyDef, ...]
    levels: tuple[LevelDef, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.competencies)

    @property
    def size(self) -> int:
        return len(self.competencies)

    def competency(self, code: str) -> CompetencyDef:
        for item in self.competencies:
            if item.code == code:
                return item
        raise KeyError(code)

    def domain(self, code: str) -> Domain:
        for item in self.domains:
            if item.code == code:
                return item
        raise KeyError(code)

    def level(self, level: int) -> LevelDef:
        for item in self.levels:
            if item.level == level:
                return item
        raise KeyError(level)

    def in_domain(self, domain_code: str) -> tuple[CompetencyDef, ...]:
        return tuple(c for c in self.competencies if c.domain_code == domain_code)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_vi


@cache
def framework(version: str = CURRENT_VERSION) -> Framework:
    """The framework of a version, from its files (KeyError for an unknown version)."""
    meta = next((r for r in read_rows("framework_versions.csv") if r["version"] == version), None)
    if meta is None:
        raise KeyError(version)
    rows = list(read_rows(meta["framework_file"]))
    domains: dict[str, Domain] = {}
    competencies = []
    for position, row in enumerate(rows, start=1):
        code = row["domain_code"]
        if code not in domains:
            domains[code] = Domain(
                code, len(domains) + 1, row["domain_name_vi"], row["domain_name_en"]
            )
        competencies.append(
            CompetencyDef(
                row["competency_code"],
                code,
                position,
                row["competency_name_vi"],
                row["competency_name_en"],
                row["digcomp_equivalent"],
                row["source_url"],
            )
        )
    translated = {int(r["level"]): r for r in read_rows(meta["levels_vi_file"])}
    levels = []
    for row in read_rows(meta["levels_file"]):
        number = int(row["level"])
        vi = translated[number]
        levels.append(
            LevelDef(
                number,
                vi["code"],
                vi["code_inferred"] == "true",
                row["tier_code"],
                row["tier_name_vi"],
                row["tier_name_en"],
                vi["description_vi"],
                row["description_en"],
                row["source_url"],
            )
        )
    return Framework(
        version,
        meta["title_vi"],
        meta["title_en"],
        meta["legal_basis"],
        dt.date.fromisoformat(meta["signed_on"]),
        dt.date.fromisoformat(meta["in_force_from"]),
        tuple(domains.values()),
        tuple(competencies),
        tuple(sorted(levels, key=lambda lv: lv.level)),
    )


@cache
def versions() -> tuple[str, ...]:
    return tuple(r["version"] for r in read_rows("framework_versions.csv"))


def level_code(level: int, version: str = CURRENT_VERSION) -> str:
    """CB1 … CS2 for 1 … 8."""
    return framework(version).level(level).code
