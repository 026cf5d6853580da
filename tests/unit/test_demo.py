"""`hemis demo` prepares a working portal: migrated database, demo nation, logins per role."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from hemis.accounts.models import User
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.registry.models import Institution, Learner


def _run_demo(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HEMIS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "HEMIS_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("HEMIS_MIGRATION_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "hemis", "demo", "--scale", "0.002", "--no-serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_prepares_everything_and_is_rerunnable(tmp_path: Path) -> None:
    first = _run_demo(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "http://127.0.0.1:8000/" in first.stdout
    logins = json.loads((tmp_path / "var" / "demo-logins.json").read_text(encoding="utf-8"))
    assert {login["role"] for login in logins} == {
        "ministry_admin",
        "ministry_analyst",
        "institution_officer",
        "candidate",
    }
    for login in logins:
        assert login["username"] in first.stdout
        assert login["password"] in first.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with scoped_session(make_session_factory(engine), Scope.system("test")) as s:
        institutions = s.scalar(select(func.count()).select_from(Institution))
        learners = s.scalar(select(func.count()).select_from(Learner))
        users = s.scalar(select(func.count()).select_from(User))
    assert institutions is not None
    assert institutions >= 1
    assert learners is not None
    assert learners > 1000
    assert users == 4
    second = _run_demo(tmp_path)  # data present: nothing reloaded, same logins
    assert second.returncode == 0, second.stderr
    assert "Demo data present" in second.stdout
    with scoped_session(make_session_factory(engine), Scope.system("test")) as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == learners
    engine.dispose()
