"""What HEMIS sends the social-insurance database: graduates; what it learns: insured or not,
the employer's tax code, its sector and the start date."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hemis.integrations.schemas import GraduateQuery, InsuranceAnswer
from hemis.integrations.transport import Reply

GRADUATES = "/v1/graduates:check"


class InsurancePort(Protocol):
    def send_graduates(self, records: Sequence[GraduateQuery]) -> Reply[list[InsuranceAnswer]]: ...
