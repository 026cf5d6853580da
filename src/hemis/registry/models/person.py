"""Persons: one record per human across institutions and roles (learner, staff, candidate)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Audited, Base, BulkTimestampMixin, IdMixin
from hemis.registry.codes import Sex
from hemis.registry.models._common import code_column_type, in_codes


class Person(Audited, IdMixin, BulkTimestampMixin, Base):
    """National IDs are never stored in clear: AES-GCM ciphertext plus an HMAC blind index."""

    __tablename__ = "person"
    __table_args__ = (in_codes("sex", Sex),)

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
