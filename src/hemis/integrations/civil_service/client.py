"""The civil-servant database over signed HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hemis.integrations.civil_service.port import LINK, ROSTER
from hemis.integrations.schemas import (
    CivilServantAnswer,
    CivilServiceReply,
    RosterPage,
    StaffQuery,
)
from hemis.integrations.transport import Reply, Transport


def _parse_link(data: Any) -> list[CivilServantAnswer]:
    return CivilServiceReply.model_validate(data).results


class CivilServiceClient:
    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def link_staff(self, records: Sequence[StaffQuery]) -> Reply[list[CivilServantAnswer]]:
        payload = {"records": [r.model_dump(mode="json") for r in records]}
        return self.transport.call(LINK, payload, _parse_link)

    def roster(self, after: str | None, limit: int) -> Reply[RosterPage]:
        return self.transport.call(
            ROSTER, {"after": after, "limit": limit}, RosterPage.model_validate
        )
