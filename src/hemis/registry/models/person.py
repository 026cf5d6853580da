"""Persons: one record per human across institutions and roles (learner, staff, candidate)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Audited, Base, BulkTimestampMixin, IdMixin
from hemis.registry.codes import ReviewStatus, Sex
from hemis.registry.models._common import code_column_type, in_codes


class Person(Audited, IdMixin, BulkTimestampMixin, Base):
    """National IDs are never stored in clear: AES-GCM ciphertext plus an HMAC blind index.

    A *claim* is a person recorded from an institution's write whose national ID is registered
    to a person with other details (name, birth date, sex, ethnicity or nationality): it holds
    what the institution said, under a claim index (the HMAC of the ID in that institution's
    claim namespace, so that only that institution's writes find it again), and `review_of`
    names the registered person until the ministry resolves it (registry/service_reviews.py).
    The institution sees its claim exactly as if it had registered a new person, so its answer
    never tells it whether, or how, someone else's record differs (docs/security.md).
    """

    __tablename__ = "person"
    __table_args__ = (
        in_codes("sex", Sex),
        in_codes("review_status", ReviewStatus),
        CheckConstraint("(review_of IS NULL) = (review_status IS NULL)", name="review_pair"),
        # Claims are few: only they are indexed, so bulk loads of persons pay nothing for it.
        Index(
            "ix_person_review_of",
            "review_of",
            postgresql_where=text("review_of IS NOT NULL"),
            sqlite_where=text("review_of IS NOT NULL"),
        ),
    )

    national_id_enc: Mapped[bytes] = mapped_column(LargeBinary)
    national_id_index: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(150))
    # Not indexed: name search matches anywhere in the name, which a b-tree cannot serve, and
    # an index in random name order is the dearest part of loading millions of persons.
    name_folded: Mapped[str] = mapped_column(String(150))
    date_of_birth: Mapped[dt.date]
    sex: Mapped[str] = mapped_column(code_column_type(Sex))
    ethnicity_code: Mapped[str] = mapped_column(String(2), default="01")
    nationality: Mapped[str] = mapped_column(String(2), default="VN")
    review_of: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("person.id"))
    review_status: Mapped[str | None] = mapped_column(code_column_type(ReviewStatus))
