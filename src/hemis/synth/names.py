"""Vietnamese full names drawn from the reference frequency lists (synth/data, see SOURCES.md).

Family name, then middle name by sex (possibly none), then given name by sex, each weighted by its
share, weights renormalised. The folded search key is composed from pre-folded parts, so millions
of names need no Python loop.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import polars as pl

from hemis.common.text import clean, fold
from hemis.synth.common import BoolArray, FloatArray, IntArray, weighted

# Regional spellings of one family name in the national table (split by these shares).
_VARIANT_SHARE = {"Hoàng": 0.55, "Huỳnh": 0.45, "Vũ": 0.55, "Võ": 0.45}
_NO_MIDDLE = "(none)"
_SG01_MIX = 0.5  # female given names: half DKL01, half SG01


@dataclass(frozen=True)
class Vocabulary:
    """Words with their folded forms and sampling probabilities."""

    words: tuple[str, ...]
    folded: tuple[str, ...]
    p: FloatArray

    @classmethod
    def build(cls, weights: dict[str, float]) -> Vocabulary:
        words = tuple(weights)
        p = np.array([weights[w] for w in words], dtype=np.float64)
        return cls(words, tuple(fold(w) for w in words), p / p.sum())


def _rows(name: str) -> Iterator[dict[str, str]]:
    with resources.files("hemis.synth.data").joinpath(name).open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            yield {k: clean(v) for k, v in row.items()}


def _add(table: dict[str, float], word: str, weight: float) -> None:
    table[word] = table.get(word, 0.0) + weight


def _normalised(table: dict[str, float]) -> dict[str, float]:
    total = sum(table.values())
    return {k: v / total for k, v in table.items()}


def family_weights() -> dict[str, float]:
    """National top-14 shares plus the DKL01 long tail scaled to the remaining share."""
    table: dict[str, float] = {}
    for row in _rows("vn_family_names.csv"):
        share = float(row["share_pct"])
        variants = row["variants"].split("|")
        if len(variants) == 1:
            _add(table, variants[0], share)
        else:
            for variant in variants:
                _add(table, variant, share * _VARIANT_SHARE.get(variant, 1 / len(variants)))
    top_total = sum(table.values())
    tail = {
        row["family_name"]: float(row["count"])
        for row in _rows("vn_family_names_dkl01.csv")
        if row["family_name"] not in table
    }
    tail_total = sum(tail.values())
    for name, count in tail.items():
        _add(table, name, (100.0 - top_total) * count / tail_total)
    return _normalised(table)


def middle_weights(sex: str) -> dict[str, float]:
    table: dict[str, float] = {}
    for row in _rows("vn_middle_names.csv"):
        if row["gender"] == sex:
            _add(table, "" if row["name"] == _NO_MIDDLE else row["name"], float(row["weight"]))
    return _normalised(table)


def given_weights(sex: str) -> dict[str, float]:
    table = _normalised(
        {r["name"]: float(r["weight"]) for r in _rows("vn_given_names.csv") if r["gender"] == sex}
    )
    if sex == "female":
        sg01 = _normalised(
            {r["name"]: float(r["weight"]) for r in _rows("vn_given_names_sg01_female.csv")}
        )
        mixed: dict[str, float] = {}
        for name, w in table.items():
            _add(mixed, name, (1 - _SG01_MIX) * w)
        for name, w in sg01.items():
            _add(mixed, name, _SG01_MIX * w)
        table = mixed
    return _normalised(table)


@dataclass(frozen=True)
class NameTables:
    family: Vocabulary
    middle_male: Vocabulary
    middle_female: Vocabulary
    given_male: Vocabulary
    given_female: Vocabulary


@lru_cache(maxsize=1)
def name_tables() -> NameTables:
    return NameTables(
        family=Vocabulary.build(family_weights()),
        middle_male=Vocabulary.build(middle_weights("male")),
        middle_female=Vocabulary.build(middle_weights("female")),
        given_male=Vocabulary.build(given_weights("male")),
        given_female=Vocabulary.build(given_weights("female")),
    )


def _by_sex(
    rng: np.random.Generator, female: BoolArray, male_vocab: Vocabulary, female_vocab: Vocabulary
) -> IntArray:
    """Indices into male_vocab + female_vocab (concatenated), drawn by each person's sex."""
    out = weighted(rng, male_vocab.p, len(female))
    n_female = int(female.sum())
    out[female] = len(male_vocab.words) + weighted(rng, female_vocab.p, n_female)
    return out


def _part(words: tuple[str, ...], index: IntArray, suffix: str = "") -> pl.Series:
    spaced = [f"{w}{suffix}" if w else "" for w in words]
    return pl.Series(spaced).gather(pl.Series(index))


def sample_names(rng: np.random.Generator, female: BoolArray) -> tuple[pl.Series, pl.Series]:
    """(full_name, name_folded) for people of the given sexes; NFC, single spaces."""
    t = name_tables()
    family = weighted(rng, t.family.p, len(female))
    middle = _by_sex(rng, female, t.middle_male, t.middle_female)
    given = _by_sex(rng, female, t.given_male, t.given_female)
    middles = t.middle_male.words + t.middle_female.words
    middles_folded = t.middle_male.folded + t.middle_female.folded
    givens = t.given_male.words + t.given_female.words
    givens_folded = t.given_male.folded + t.given_female.folded
    frame = pl.DataFrame(
        {
            "f": _part(t.family.words, family, " "),
            "m": _part(middles, middle, " "),
            "g": _part(givens, given),
            "ff": _part(t.family.folded, family, " "),
            "mf": _part(middles_folded, middle, " "),
            "gf": _part(givens_folded, given),
        }
    )
    out = frame.select(
        pl.concat_str("f", "m", "g").alias("full_name"),
        pl.concat_str("ff", "mf", "gf").alias("name_folded"),
    )
    return out["full_name"], out["name_folded"]
