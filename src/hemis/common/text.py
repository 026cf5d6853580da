"""Vietnamese text: NFC normalisation, a folded search key, and name ordering."""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACES = re.compile(r"\s+")

# Vietnamese alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
# Tone marks sort after the base letter in this order: none, grave, hook, tilde, acute, dot.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_BASE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def clean(value: str) -> str:
    """NFC, zero-width characters removed, runs of whitespace collapsed, ends trimmed."""
    value = _ZERO_WIDTH.sub("", unicodedata.normalize("NFC", value))
    return _SPACES.sub(" ", value).strip()


def fold(value: str) -> str:
    """Search key: lower case, no diacritics, đ → d ("Đặng Văn An" → "dang van an")."""
    decomposed = unicodedata.normalize("NFD", clean(value).lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d")


def _word_key(words: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(letter ranks, tone ranks) of one name part; a space ranks before every letter."""
    letters: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", words.lower()):
        if ch == " ":
            letters.append(-1)
            tones.append(0)
            continue
        parts = unicodedata.normalize("NFD", ch)
        base_marks = "".join(m for m in parts[1:] if m in _BASE_MARKS)
        letter = unicodedata.normalize("NFC", parts[0] + base_marks)
        letters.append(_LETTER_RANK.get(letter, 100 + ord(letter[0])))
        tones.append(max((_TONES.get(m, 0) for m in parts[1:]), default=0))
    return tuple(letters), tuple(tones)


def split_name(full_name: str) -> tuple[str, str, str]:
    """(family, middle, given) of a Vietnamese full name."""
    words = clean(full_name).split(" ")
    if len(words) == 1:
        return "", "", words[0]
    return words[0], " ".join(words[1:-1]), words[-1]


def name_sort_key(full_name: str) -> tuple[tuple[int, ...], ...]:
    """Vietnamese list order: by given name, then middle name, then family name.

    Letters are compared across all three parts before tones, as Vietnamese dictionaries do.
    """
    family, middle, given = split_name(full_name)
    keys = [_word_key(part) for part in (given, middle, family)]
    return tuple(k[0] for k in keys) + tuple(k[1] for k in keys)
