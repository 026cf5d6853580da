"""What HEMIS asks the civil-servant database: the civil-servant record of each staff member
(ID, position, employer), and its roster for linking records that carry no usable national ID."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hemis.integrations.schemas import CivilServantAnswer, RosterPage, StaffQuery
from hemis.integrations.transport import Reply

LINK = "/v1/staff:link"
ROSTER = "/v1/roster:page"


class CivilServicePort(Protocol):
    def link_staff(self, records: Sequence[StaffQuery]) -> Reply[list[CivilServantAnswer]]: ...

    def roster(self, after: str | None, limit: int) -> Reply[RosterPage]: ...
