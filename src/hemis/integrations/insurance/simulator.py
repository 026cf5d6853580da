"""The social-insurance database as its own service: it holds insured people only; a graduate
never insured is not found. Employment, employer, sector and start date are drawn per person
(deterministic for the seed); sector is often missing, as it was in 2023."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from hemis.integrations.book import Book, NoiseRates, differences, noisy_book
from hemis.integrations.insurance.port import GRADUATES
from hemis.integrations.schemas import MAX_BATCH, GraduateQuery
from hemis.integrations.sim_source import SourcePerson
from hemis.integrations.simulation import Handler

# Absent = never insured (2023: 97k of 146k synced graduates matched an insurance record).
RATES = NoiseRates(absent=0.33, typo=0.03, stripped=0.10, shifted_date=0.02, flipped_sex=0.005)
SECTORS = ("C", "F", "G", "H", "J", "K", "M", "N", "O", "P", "Q")
SECTOR_KNOWN = 0.6


def build(people: Iterable[SourcePerson], seed: int) -> tuple[dict[str, Handler], Any, Book]:
    rng = random.Random(seed)
    book, kept = noisy_book(people, RATES, rng)
    for p in kept:
        entry = book.entries[p.national_id]
        graduated = p.graduated_on or dt.date(2000, 1, 1)
        insured = rng.random() < 0.92  # ever insured, still insured at the check
        start = graduated + dt.timedelta(days=int(rng.gauss(120, 160)))
        entry.extra = {
            "insured": insured,
            "employer_tax_code": f"{rng.randrange(10**9, 10**10)}",
            "sector": rng.choice(SECTORS) if rng.random() < SECTOR_KNOWN else None,
            "start_date": start.isoformat(),
        }
        book.truth[str(p.person_id)]["employed_within_12_months"] = (
            start <= graduated + dt.timedelta(days=365)
        )

    def check(body: dict[str, Any]) -> dict[str, Any]:
        records = body["records"]
        if not isinstance(records, list) or len(records) > MAX_BATCH:
            raise ValueError(f"records must be a list of at most {MAX_BATCH}")
        results = []
        for raw in records:
            q = GraduateQuery.model_validate(raw).model_dump()
            entry = book.entries.get(q["national_id"])
            if entry is None:
                results.append({"ref": q["ref"], "found": False})
                continue
            results.append(
                {
                    "ref": q["ref"],
                    "found": True,
                    "differences": differences(q, entry),
                    **entry.extra,
                }
            )
        return {"results": results}

    return {GRADUATES: check}, book.truth, book
