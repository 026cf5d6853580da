"""Helpers shared by the registry model modules."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, String

from hemis.registry.codes import values


def code_column_type(enum: type[StrEnum]) -> String:
    return String(max(len(v) for v in values(enum)))


def in_codes(column: str, enum: type[StrEnum], name: str | None = None) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values(enum))
    return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_code")
