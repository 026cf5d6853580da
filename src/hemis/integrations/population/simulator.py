"""The population database as its own service: verifies identities against its copy."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from hemis.integrations.book import Book, NoiseRates, differences, noisy_book
from hemis.integrations.population.port import VERIFY
from hemis.integrations.schemas import MAX_BATCH, IdentityQuery
from hemis.integrations.sim_source import SourcePerson
from hemis.integrations.simulation import Handler

RATES = NoiseRates(absent=0.02, typo=0.02, stripped=0.03, shifted_date=0.01, flipped_sex=0.003)


def build(people: Iterable[SourcePerson], seed: int) -> tuple[dict[str, Handler], Any, Book]:
    book, _ = noisy_book(people, RATES, random.Random(seed))

    def verify(body: dict[str, Any]) -> dict[str, Any]:
        records = body["records"]
        if not isinstance(records, list) or len(records) > MAX_BATCH:
            raise ValueError(f"records must be a list of at most {MAX_BATCH}")
        results = []
        for raw in records:
            q = IdentityQuery.model_validate(raw).model_dump()
            entry = book.entries.get(q["national_id"])
            if entry is None:
                results.append({"ref": q["ref"], "found": False})
            else:
                results.append(
                    {"ref": q["ref"], "found": True, "differences": differences(q, entry)}
                )
        return {"results": results}

    return {VERIFY: verify}, book.truth, book
