"""A simulated registry's own copy of people, keyed by national ID, noised as real registries
are (ADR 0011: rates per registry), with the truth of what was noised kept aside."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from hemis.integrations import noise
from hemis.integrations.sim_source import SourcePerson


@dataclass(frozen=True)
class NoiseRates:
    absent: float = 0.0
    typo: float = 0.0
    stripped: float = 0.0
    shifted_date: float = 0.0
    flipped_sex: float = 0.0


@dataclass(slots=True)
class Entry:
    person: SourcePerson
    full_name: str
    date_of_birth: dt.date
    sex: str
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Book:
    entries: dict[str, Entry] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)  # person id → what the registry did


def noisy_book(
    people: Iterable[SourcePerson], rates: NoiseRates, rng: random.Random
) -> tuple[Book, list[SourcePerson]]:
    """The registry's copy of `people`; returns it and the people it holds."""
    book, kept = Book(), []
    for p in people:
        if rng.random() < rates.absent:
            book.truth[str(p.person_id)] = {"absent": True}
            continue
        name, dob, sex, noised = p.full_name, p.date_of_birth, p.sex, []
        if rng.random() < rates.stripped:
            stripped = noise.strip_diacritics(name)
            if stripped != name:
                name = stripped
                noised.append("full_name")
        if rng.random() < rates.typo:
            name = noise.typo(name, rng)
            if "full_name" not in noised:
                noised.append("full_name")
        if rng.random() < rates.shifted_date:
            dob = noise.shift_date(dob, rng)
            noised.append("date_of_birth")
        if rng.random() < rates.flipped_sex:
            sex = noise.flip_sex(sex)
            noised.append("sex")
        book.entries[p.national_id] = Entry(p, name, dob, sex)
        book.truth[str(p.person_id)] = {"absent": False, "noised": noised}
        kept.append(p)
    return book, kept


def differences(query: dict[str, Any], entry: Entry) -> dict[str, str | None]:
    """The registry's value of each identity field that differs from the query's."""
    out: dict[str, str | None] = {}
    if query["full_name"] != entry.full_name:
        out["full_name"] = entry.full_name
    if str(query["date_of_birth"]) != entry.date_of_birth.isoformat():
        out["date_of_birth"] = entry.date_of_birth.isoformat()
    if query["sex"] != entry.sex:
        out["sex"] = entry.sex
    return out
