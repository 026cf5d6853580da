"""HTML pages of accounts: login, logout, language switch."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
