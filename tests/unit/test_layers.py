"""Shared helpers stay where they belong: the db layer imports no domain, payments no admissions
page module, and the error body, the read-only refusal and the access checks each exist once."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

import hemis
from hemis.db.session import HemisSession, scoped_session
from hemis.db.tenancy import Scope
from hemis.errors import Forbidden, ReadOnly

SRC = Path(hemis.__file__).parent
# The domains (audit is a layer of its own: the session hooks write its chain).
DOMAINS = (
    "accounts",
    "actions",
    "admissions",
    "demo",
    "identity",
    "imports",
    "indicators",
    "integrations",
    "payments",
    "registry",
    "submissions",
    "synth",
)


def imports_of(path: Path) -> Iterator[str]:
    """Every module a file imports, at its top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def python_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*.py") if "migrations" not in p.parts]


def test_the_db_layer_imports_no_domain() -> None:
    for path in python_files(SRC / "db"):
        for module in imports_of(path):
            assert not module.startswith(tuple(f"hemis.{d}" for d in DOMAINS)), (path, module)


def test_payments_import_no_admissions_page_helpers() -> None:
    for path in python_files(SRC / "payments"):
        for module in imports_of(path):
            assert not module.startswith("hemis.admissions.pages"), (path, module)


def _defined(name: str) -> list[Path]:
    found = []
    for path in python_files(SRC):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
                found.append(path.relative_to(SRC))
    return found


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("ErrorBody", "web/openapi.py"),
        ("ReadOnly", "errors.py"),
        ("get_row", "db/rows.py"),
        ("commit", "db/rows.py"),
        ("require_ministry_admin", "access.py"),
        ("require_institution", "access.py"),
        ("local_time", "web/portal.py"),
        ("error_text", "web/portal.py"),
    ],
)
def test_a_shared_helper_is_defined_once(name: str, home: str) -> None:
    assert _defined(name) == [Path(home)]


def test_the_read_only_refusal_is_written_once() -> None:
    words = "Tài khoản chỉ có quyền đọc"
    holders = [p for p in python_files(SRC) if words in p.read_text(encoding="utf-8")]
    assert [p.relative_to(SRC) for p in holders] == [Path("errors.py")]


def test_the_access_checks_refuse_by_scope(sessions: sessionmaker[HemisSession]) -> None:
    from hemis.access import require_institution, require_ministry, require_ministry_admin

    refused = ("Không.", "No.")
    admin = Scope("user:1", None, role="ministry_admin")
    analyst = Scope("user:2", None, writable=False, role="ministry_analyst")
    catalogue = Scope("catalogue", None, writable=False, role="catalogue")
    officer = Scope("user:3", 7, role="institution_officer")
    with scoped_session(sessions, admin) as s:
        require_ministry(s)
        require_ministry_admin(s, refused)
        with pytest.raises(Forbidden):
            require_institution(s)
    with scoped_session(sessions, analyst) as s:
        require_ministry(s, write=False)
        with pytest.raises(ReadOnly):
            require_ministry(s)
        with pytest.raises(Forbidden) as no:
            require_ministry_admin(s, refused)
        assert (no.value.code, no.value.message_en) == ("forbidden", "No.")
    with scoped_session(sessions, catalogue) as s, pytest.raises(Forbidden) as outsider:
        require_ministry(s, write=False)
    assert outsider.value.code == "forbidden"
    with scoped_session(sessions, officer) as s:
        assert require_institution(s) == 7
        with pytest.raises(Forbidden):
            require_ministry(s, write=False)
