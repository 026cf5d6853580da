"""What HEMIS asks the population database: is this identity the registered one?"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hemis.integrations.schemas import IdentityAnswer, IdentityQuery
from hemis.integrations.transport import Reply

VERIFY = "/v1/identity:verify"


class PopulationPort(Protocol):
    def verify(self, records: Sequence[IdentityQuery]) -> Reply[list[IdentityAnswer]]:
        """Per record: found (match, or mismatch with the registry's differing fields) or not."""
        ...
