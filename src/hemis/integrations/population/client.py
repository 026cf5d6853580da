"""The population database over signed HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hemis.integrations.population.port import VERIFY
from hemis.integrations.schemas import IdentityAnswer, IdentityQuery, IdentityReply
from hemis.integrations.transport import Reply, Transport


def _parse(data: Any) -> list[IdentityAnswer]:
    return IdentityReply.model_validate(data).results


class PopulationClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def verify(self, records: Sequence[IdentityQuery]) -> Reply[list[IdentityAnswer]]:
        payload = {"records": [r.model_dump(mode="json") for r in records]}
        return self.transport.call(VERIFY, payload, _parse)
