"""The noise a real registry's copy of a person carries: typos, lost diacritics, shifted dates.
Deterministic for a seed, so a simulator's ground truth can be reproduced."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

LETTERS = "abcdeghiklmnopqrstuvxy"


def strip_diacritics(text: str) -> str:
    """What a legacy system without Vietnamese support keeps of a name (case kept)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: a letter dropped, doubled, swapped with the next, or replaced."""
    positions = [i for i, c in enumerate(text) if c.isalpha()]
    if len(positions) < 2:
        return text + "a"
    i = rng.choice(positions[1:])
    kind = rng.randrange(4)
    if kind == 0:
        out = text[:i] + text[i + 1 :]
    elif kind == 1:
        out = text[:i] + text[i] + text[i:]
    elif kind == 2 and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != text[i]:
        out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    else:
        letter = rng.choice([c for c in LETTERS if c != text[i].lower()])
        out = text[:i] + letter + text[i + 1 :]
    return out if out != text else text + "a"


def shift_date(day: dt.date, rng: random.Random) -> dt.date:
    """A day off, a month off, or day and month swapped (a common keying error)."""
    kind = rng.randrange(3)
    if kind == 2 and day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    if kind == 1:
        month = day.month % 12 + 1
        try:
            return day.replace(month=month)
        except ValueError:
            return day - dt.timedelta(days=30)
    return day + dt.timedelta(days=rng.choice((-2, -1, 1, 2)))


def flip_sex(sex: str) -> str:
    return "female" if sex == "male" else "male"
