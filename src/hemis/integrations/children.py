"""The three registry simulators as child processes of `hemis demo`, so the demo's sync pages
and commands talk to real HTTP services, as the tests do."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from hemis.config import Settings

KINDS = (
    ("population", "population_url"),
    ("insurance", "insurance_url"),
    ("civil-service", "civil_service_url"),
)


@contextmanager
def simulator_children(cfg: Settings) -> Iterator[list[str]]:
    """Start a simulator on the port of each registry URL that points at this machine, reading
    its people from the demo database; yields what was started, stops them when the block ends."""
    procs: list[subprocess.Popen[bytes]] = []
    started: list[str] = []
    for kind, setting in KINDS:
        where = urlsplit(str(getattr(cfg, setting)))
        if where.hostname not in ("127.0.0.1", "localhost") or not where.port:
            continue
        command = [sys.executable, "-m", "hemis", "registry-sim", kind, "--port", str(where.port)]
        command += ["--source", cfg.database_url, "--fault-profile", "realistic"]
        # Our own module with fixed arguments; its output stays out of the demo's console.
        procs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))  # noqa: S603
        started.append(f"{kind} {where.geturl()}")
    try:
        yield started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
