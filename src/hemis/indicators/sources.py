"""Ports for the data the registry does not hold: graduate employment (the social-insurance
match) and the match rate against the national databases. The defaults return nothing, so the
criterion and the quality component read "unknown", never zero.

The national-database integration plugs in by implementing these Protocols and returning them
from `default_sources()` (or passing a `Sources` to `engine.compute_year`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class EmploymentCounts:
    """The funnel for one institution's graduates of one year (shown with the rate)."""

    graduates: int  # graduates of the year
    matched: int  # those the social-insurance registry answered for (found or never insured)
    employed: int  # employed, self-employed or in further study within 12 months


@dataclass(frozen=True)
class MatchCounts:
    checked: int  # records sent to the national databases
    matched: int  # records found there with the same identity


class EmploymentSource(Protocol):
    def employment(
        self, conn: Connection, graduation_year: int
    ) -> Mapping[int, EmploymentCounts]:  # pragma: no cover - a Protocol
        """Per institution id: the funnel for graduates of `graduation_year`."""
        ...


class ExternalMatchSource(Protocol):
    def match_counts(
        self, conn: Connection, year: int
    ) -> Mapping[int, MatchCounts]:  # pragma: no cover - a Protocol
        """Per institution id: records checked against the national databases and matched."""
        ...


class NoEmploymentData:
    def employment(self, conn: Connection, graduation_year: int) -> Mapping[int, EmploymentCounts]:
        return {}


class NoExternalMatch:
    def match_counts(self, conn: Connection, year: int) -> Mapping[int, MatchCounts]:
        return {}


@dataclass(frozen=True)
class Sources:
    employment: EmploymentSource = field(default_factory=NoEmploymentData)
    external_match: ExternalMatchSource = field(default_factory=NoExternalMatch)


def default_sources() -> Sources:
    """The sources the CLI and the pages compute with: the national-database integrations."""
    from hemis.integrations.indicators import InsuranceEmployment, RegistryMatch

    return Sources(employment=InsuranceEmployment(), external_match=RegistryMatch())
