"""`hemis demo` prepares a working portal: migrated database, demo nation and its admission year,
logins per role (the candidate's linked to its person); `--phase` moves the year, `--reset`
starts over."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from hemis.accounts.models import User
from hemis.admissions.models import ExamRegistration
from hemis.db.session import make_engine, make_session_factory, scoped_session
from hemis.db.tenancy import Scope
from hemis.demo import service as demo_service
from hemis.demo.rules import cohort_size
from hemis.payments.models import PaymentIntent
from hemis.payments.rules import IntentStatus
from hemis.registry.models import Institution, Learner


def _run_demo(
    tmp_path: Path, *options: str, database: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HEMIS_DATABASE_URL": database or f"sqlite:///{tmp_path / 'demo.db'}",
        "HEMIS_VAR_DIR": str(tmp_path / "var"),
        "COLUMNS": "200",  # rich wraps its output to the terminal's width
    }
    env.pop("HEMIS_MIGRATION_DATABASE_URL", None)
    env.pop("HEMIS_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "hemis", "demo", "--scale", "0.002", *(options or ("--no-serve",))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _phase(tmp_path: Path) -> tuple[str, int, int, int | None]:
    """(phase on record, registrations, paid invoices, the candidate login's person)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with scoped_session(make_session_factory(engine), Scope.system("test")) as s:
            phase = demo_service.current_phase(s).value
            registrations = s.scalar(select(func.count()).select_from(ExamRegistration)) or 0
            paid = s.scalar(
                select(func.count())
                .select_from(PaymentIntent)
                .where(PaymentIntent.status == IntentStatus.paid.value)
            )
            person = s.scalar(select(User.person_id).where(User.username == "candidate"))
            return phase, registrations, paid or 0, person
    finally:
        engine.dispose()


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
        "learner",  # the enrolled learner of the competency pages
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
    assert users == 5
    engine.dispose()
    # the admission year, at the phase a new demo starts in, the candidate login linked
    phase, registrations, paid, person = _phase(tmp_path)
    assert (phase, registrations) == ("rounds", cohort_size(0.002) + 1)
    assert paid > 0
    assert person is not None
    assert "Lọc ảo / Rounds" in first.stdout
    second = _run_demo(tmp_path)  # data present: nothing reloaded, same logins
    assert second.returncode == 0, second.stderr
    assert "Demo data present" in second.stdout
    assert "Demo admission year present" in second.stdout
    for login in logins:
        assert login["password"] in second.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    with scoped_session(make_session_factory(engine), Scope.system("test")) as s:
        assert s.scalar(select(func.count()).select_from(Learner)) == learners
    engine.dispose()
    assert _phase(tmp_path) == (phase, registrations, paid, person)


def test_demo_phase_moves_the_year_and_reset_starts_over(tmp_path: Path) -> None:
    assert _run_demo(tmp_path, "--phase", "wishes").returncode == 0  # a new demo, built to wishes
    phase, registrations, paid, person = _phase(tmp_path)
    assert (phase, paid) == ("wishes", 0)
    moved = _run_demo(tmp_path, "--phase", "confirmation")
    assert moved.returncode == 0, moved.stderr
    assert "Mở / open" not in moved.stdout  # it moves the phase and exits, never serves
    assert _phase(tmp_path)[0] == "confirmation"
    back = _run_demo(tmp_path, "--phase", "wishes")  # rounds are immutable: refused, unchanged
    assert back.returncode == 2
    assert "hemis demo --reset" in back.stderr
    assert "Traceback" not in back.stderr
    assert _phase(tmp_path)[0] == "confirmation"
    reset = _run_demo(tmp_path, "--reset", "--phase", "registration")
    assert reset.returncode == 0, reset.stderr
    assert _phase(tmp_path) == ("registration", registrations, 0, person)
    bad = _run_demo(tmp_path, "--phase", "holidays")
    assert bad.returncode == 2
    server = _run_demo(tmp_path, "--reset", database="postgresql://nobody@127.0.0.1:1/none")
    assert server.returncode == 2  # a server database is never deleted by the demo
    assert "--reset" in server.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue  # ended meanwhile
        if f"\nPPid:\t{pid}\n" in text:
            found.append(int(status.parent.name))
    return found


def test_stopping_the_demo_with_sigterm_stops_its_child_processes(tmp_path: Path) -> None:
    """`kill` (SIGTERM) ends the demo like Ctrl+C: the sandbox gateway, the three registry
    simulators and the e-ID simulator it started stop with it instead of holding their ports."""
    web, gateway, idp, *registries = (_free_port() for _ in range(6))
    env = {
        **os.environ,
        "HEMIS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "HEMIS_VAR_DIR": str(tmp_path / "var"),
        "HEMIS_PAYMENT_GATEWAY_URL": f"http://127.0.0.1:{gateway}",
        "HEMIS_POPULATION_URL": f"http://127.0.0.1:{registries[0]}",
        "HEMIS_INSURANCE_URL": f"http://127.0.0.1:{registries[1]}",
        "HEMIS_CIVIL_SERVICE_URL": f"http://127.0.0.1:{registries[2]}",
        "HEMIS_EID_ISSUER_URL": f"http://127.0.0.1:{idp}",
    }
    env.pop("HEMIS_MIGRATION_DATABASE_URL", None)
    env.pop("HEMIS_PUBLIC_URL", None)
    command = [sys.executable, "-m", "hemis", "demo", "--scale", "0.002", "--port", str(web)]
    log = tmp_path / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    children: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{web}/", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # an answer: the portal is serving
            except OSError:
                assert time.monotonic() < deadline, "the demo did not start serving"
                time.sleep(0.5)
        children = _children(proc.pid)
        assert len(children) == 5  # the sandbox gateway, three registry simulators, the e-ID
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 128 + signal.SIGTERM
        left = [pid for pid in children if Path(f"/proc/{pid}").exists()]
        assert left == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in children:  # (left behind only if the test failed)
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
