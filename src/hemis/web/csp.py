"""The Content-Security-Policy of every answer (a page may widen form-action for one form)."""

from __future__ import annotations

# Strict CSP: every script and style is served by us; no inline script.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
