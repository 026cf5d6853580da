"""Shared pieces of the generator: the reference date, random streams and vectorised helpers.

Every entity draws from its own numpy stream, `Generator(PCG64(SeedSequence([seed, stream,
chunk])))`, so one scale and seed always produce the same rows, chunk by chunk, whatever else ran
before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

# The synthetic nation is a snapshot at the 2025 reporting cut-off (31 Dec).
AS_OF = dt.date(2025, 12, 31)
# created_at / updated_at of every synthetic row: fixed, so two runs give identical rows.
STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
EPOCH = dt.date(1970, 1, 1)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class Stream(IntEnum):
    """One random stream per entity (the second word of every SeedSequence)."""

    institutions = 1
    campuses = 2
    facilities = 3
    resources = 4
    finance = 5
    assets = 6
    programs = 7
    staff = 8
    staff_persons = 9
    learner_plan = 10
    learners = 11
    learner_persons = 12


def rng(seed: int, stream: Stream, chunk: int = 0) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, int(stream), chunk])))


def day_number(date: dt.date) -> int:
    """Days since 1970-01-01 (the integer form polars dates use)."""
    return (date - EPOCH).days


AS_OF_DAY = day_number(AS_OF)


def as_dates(days: npt.ArrayLike, name: str = "") -> pl.Series:
    return pl.Series(name, np.asarray(days, dtype=np.int32)).cast(pl.Date)


def year_start(years: npt.ArrayLike) -> IntArray:
    """Day number of 1 January of each year (vectorised)."""
    arr = np.asarray(years, dtype="int64") - 1970
    return np.asarray(arr.astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64))


def years_of(days: IntArray) -> IntArray:
    return np.asarray(days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970)


def months_of(days: IntArray) -> IntArray:
    """Month 1–12 of each day number."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.asarray(months % 12 + 1)


def pick(values: Sequence[Any], index: npt.ArrayLike, name: str = "") -> pl.Series:
    """values[index] as a polars Series (strings stay in Rust, no Python loop)."""
    return pl.Series(name, list(values)).gather(pl.Series(np.asarray(index, dtype=np.int64)))


def weighted(rng: np.random.Generator, weights: Sequence[float] | FloatArray, n: int) -> IntArray:
    """n indices drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=np.float64)
    return np.asarray(rng.choice(len(p), size=n, p=p / p.sum()), dtype=np.int64)


def apportion(total: int, weights: FloatArray, minimum: int = 0) -> IntArray:
    """Integer shares of `total` proportional to `weights` (largest remainder), each ≥ minimum.

    The minimum is honoured only when total allows it (total ≥ minimum × len(weights)).
    """
    n = len(weights)
    counts = np.zeros(n, dtype=np.int64)
    if n == 0 or total <= 0:
        return counts
    floor = minimum if total >= minimum * n else 0
    counts += floor
    rest = total - floor * n
    share = np.asarray(weights, dtype=np.float64)
    share = share / share.sum() * rest
    base = np.floor(share).astype(np.int64)
    counts += base
    left = rest - int(base.sum())
    if left > 0:
        order = np.argsort(-(share - base), kind="stable")
        counts[order[:left]] += 1
    return counts


def group_rank(keys: IntArray) -> IntArray:
    """0-based position of each element among the elements with the same key, in input order."""
    n = len(keys)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, n])
    ranks_sorted = np.arange(n, dtype=np.int64) - np.repeat(starts, sizes)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = ranks_sorted
    return ranks


class Counters:
    """Running counters per integer key, carried across chunks (serials, student codes…)."""

    def __init__(self, size: int) -> None:
        self.next = np.zeros(size, dtype=np.int64)

    def take(self, keys: IntArray) -> IntArray:
        """The next free number for every element of its key; advances the counters."""
        numbers = self.next[keys] + group_rank(keys)
        self.next += np.bincount(keys, minlength=len(self.next))
        return np.asarray(numbers, dtype=np.int64)


def stamps(frame: pl.DataFrame) -> pl.DataFrame:
    """Add created_at and updated_at (the fixed synthetic load time)."""
    stamp = pl.lit(STAMP, dtype=pl.Datetime("us", "UTC"))
    return frame.with_columns(stamp.alias("created_at"), stamp.alias("updated_at"))


def money(values: FloatArray, unit: int = 1_000) -> IntArray:
    """Amounts in đồng rounded to `unit` (reports are kept in thousands of đồng)."""
    return np.asarray(np.round(np.maximum(values, 0) / unit).astype(np.int64) * unit)
