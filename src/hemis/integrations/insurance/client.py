"""The social-insurance database over signed HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hemis.integrations.insurance.port import GRADUATES
from hemis.integrations.schemas import GraduateQuery, InsuranceAnswer, InsuranceReply
from hemis.integrations.transport import Reply, Transport


def _parse(data: Any) -> list[InsuranceAnswer]:
    return InsuranceReply.model_validate(data).results


class InsuranceClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def send_graduates(self, records: Sequence[GraduateQuery]) -> Reply[list[InsuranceAnswer]]:
        payload = {"records": [r.model_dump(mode="json") for r in records]}
        return self.transport.call(GRADUATES, payload, _parse)
