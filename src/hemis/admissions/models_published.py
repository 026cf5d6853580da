"""The results-day read model: one row per candidate of each published round, written in the
transaction that publishes the round and never changed after (ADR 0025).

A national table, yet personal (as `round_candidate`): a candidate reads only their own rows,
found by (person_id, year) from their session; row-level security on PostgreSQL. Everything
the result page shows is denormalised here (round, offer, institution names, score, and the
explanation as JSON), so a page is one indexed read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Base


class PublishedResult(Base):
    """A candidate's published outcome in a round, ready to render."""

    __tablename__ = "published_result"
    __table_args__ = (Index("ix_published_result_person_year", "person_id", "year"),)

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("admission_round.id"), primary_key=True, autoincrement=False
    )
    person_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    year: Mapped[int] = mapped_column(Integer)
    round_number: Mapped[int] = mapped_column(Integer)
    round_kind: Mapped[str] = mapped_column(String(16))
    round_final: Mapped[bool] = mapped_column(Boolean)
    # a supplementary round's own confirmation deadline (a main round's is the year's)
    confirm_deadline_at: Mapped[dt.datetime | None]
    # the seat held (null: none), denormalised for the page
    institution_id: Mapped[int | None] = mapped_column(BigInteger)
    offer_id: Mapped[int | None] = mapped_column(BigInteger)
    offer_code: Mapped[str | None] = mapped_column(String(30))
    offer_name_vi: Mapped[str | None] = mapped_column(String(250))
    institution_code: Mapped[str | None] = mapped_column(String(10))
    institution_name_vi: Mapped[str | None] = mapped_column(String(200))
    institution_name_en: Mapped[str | None] = mapped_column(String(200))
    rank: Mapped[int | None] = mapped_column(SmallInteger)
    score_h: Mapped[int | None] = mapped_column(Integer)
    cutoff_h: Mapped[int | None] = mapped_column(Integer)
    # admitted | admitted_<path> (outside the matching) | null: not admitted
    outcome: Mapped[str | None] = mapped_column(String(24))
    # the explanation: every wish considered, in rank order (published.py's WISH_KEYS)
    wishes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    published_at: Mapped[dt.datetime]
