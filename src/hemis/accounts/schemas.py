"""Account shapes exchanged with the API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from hemis.accounts.roles import Role


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Role
    institution_code: str | None = None
    display_name: str | None = Field(None, max_length=150)
    signatory: bool = False
    # A school officer's high school (its code in the exam registrations, e.g. 01001).
    school_code: str | None = Field(None, pattern=r"^[0-9A-Za-z]{2,10}$")


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    institution_id: int | None
    is_active: bool
    signatory: bool = False


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TokenInfo(BaseModel):
    id: int
    name: str
    institution_id: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None
