"""Generated docs must match the code they are generated from."""

from __future__ import annotations

from hemis import docs


def test_generated_docs_are_current() -> None:
    assert docs.stale() == [], "run `make docs` (python -m hemis.docs) and commit the result"


def test_settings_table_lists_every_setting() -> None:
    text = docs.settings_md()
    for name in docs.Settings.model_fields:
        assert f"HEMIS_{name.upper()}" in text
