"""The civil-servant database as its own service. Most permanent staff are civil servants; a
third of the roster carries no usable national ID (none, or an old 9-digit CMND), so those
records are found only by linkage; some records are other people with look-alike names."""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterable
from typing import Any

from hemis.integrations.book import Book, Entry, NoiseRates, differences, noisy_book
from hemis.integrations.civil_service.port import LINK, ROSTER
from hemis.integrations.schemas import MAX_BATCH, StaffQuery
from hemis.integrations.sim_source import SourcePerson
from hemis.integrations.simulation import Handler

RATES = NoiseRates(typo=0.04, stripped=0.08, shifted_date=0.03, flipped_sex=0.005)
IN_ROSTER = {True: 0.9, False: 0.1}  # permanent staff / contract staff
DECOYS = 0.1


def _roster_id(entry: Entry, rng: random.Random, serial: int) -> str:
    own = entry.person.civil_servant_id
    if own and rng.random() > 0.05:
        return own
    return f"VC{serial:08d}"


def build(people: Iterable[SourcePerson], seed: int) -> tuple[dict[str, Handler], Any, Book]:
    rng = random.Random(seed)
    members = [p for p in people if rng.random() < IN_ROSTER[p.permanent]]
    book, kept = noisy_book(members, RATES, rng)
    roster: dict[str, dict[str, Any]] = {}
    truth: dict[str, int | None] = {}
    for serial, p in enumerate(kept, start=1):
        entry = book.entries[p.national_id]
        key = _roster_id(entry, rng, serial)
        if key in roster:
            key = f"VC{serial:08d}"
        draw = rng.random()
        nid = (
            p.national_id
            if draw < 0.7
            else (None if draw < 0.9 else f"{rng.randrange(10**8, 10**9)}")
        )
        entry.extra = {
            "civil_servant_id": key,
            "position": p.position,
            "employer_code": p.employer_code,
            "employer_name": p.employer_name,
            "roster_nid": nid,
        }
        roster[key] = {
            "registry_key": key,
            "national_id": nid,
            "full_name": entry.full_name,
            "date_of_birth": entry.date_of_birth.isoformat(),
            "sex": entry.sex,
            "province_code": p.national_id[:3] if rng.random() < 0.9 else None,
        }
        truth[key] = p.person_id
    for n in range(int(len(kept) * DECOYS)):
        twin = rng.choice(kept) if kept else None
        if twin is None:
            break
        key = f"VD{n:08d}"
        roster[key] = {
            "registry_key": key,
            "national_id": None,
            "full_name": twin.full_name,
            "date_of_birth": (
                dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(13_000))
            ).isoformat(),
            "sex": rng.choice(("male", "female")),
            "province_code": f"{rng.randrange(1, 97):03d}",
        }
        truth[key] = None
    keys = sorted(roster)
    # The registry finds a staff member by national ID only when its record holds that ID.
    by_id = {e.extra["roster_nid"]: e for e in book.entries.values() if e.extra["roster_nid"]}

    def link(body: dict[str, Any]) -> dict[str, Any]:
        records = body["records"]
        if not isinstance(records, list) or len(records) > MAX_BATCH:
            raise ValueError(f"records must be a list of at most {MAX_BATCH}")
        results = []
        for raw in records:
            q = StaffQuery.model_validate(raw).model_dump()
            entry = by_id.get(q["national_id"])
            if entry is None:
                results.append({"ref": q["ref"], "found": False})
                continue
            diff = differences(q, entry)
            x = entry.extra
            if q["civil_servant_id"] != x["civil_servant_id"]:
                diff["civil_servant_id"] = x["civil_servant_id"]
            if q["employer_code"] != x["employer_code"]:
                diff["employer_code"] = x["employer_code"]
            results.append(
                {
                    "ref": q["ref"],
                    "found": True,
                    "differences": diff,
                    **{k: v for k, v in x.items() if k != "roster_nid"},
                }
            )
        return {"results": results}

    def page(body: dict[str, Any]) -> dict[str, Any]:
        after, limit = body.get("after"), int(body.get("limit") or 1000)
        if not 1 <= limit <= MAX_BATCH:
            raise ValueError(f"limit must be 1..{MAX_BATCH}")
        start = bisect.bisect_right(keys, after) if after else 0
        chunk = keys[start : start + limit]
        nxt = chunk[-1] if start + limit < len(keys) else None
        return {"records": [roster[k] for k in chunk], "next_after": nxt}

    return {LINK: link, ROSTER: page}, {"roster": truth, "people": book.truth}, book
