"""HTML pages of the registry."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
