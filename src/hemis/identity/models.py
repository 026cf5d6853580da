"""What the e-ID login keeps: the tokens already used (replay protection)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hemis.db.base import Base


class EidTokenUse(Base):
    """An e-ID token already used to log in (SHA-256 of its issuer and `jti`): a token presented a
    second time is refused, even if the identity provider let its code be redeemed twice."""

    __tablename__ = "eid_token_use"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("app_user.id"), index=True)
    used_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
