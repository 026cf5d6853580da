"""How long a newcomer waits: `hemis demo --scale 0.01` (what `make run` runs once the locked
dependencies are installed) on an empty var directory, from the command to the portal's login
page answering 200, then stopped with SIGTERM. Repeated `--runs` times, each from nothing.

    uv run python bench/bench_demo_start.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_start(scale: float) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        port = free_port()
        env = {
            **os.environ,
            "HEMIS_DATABASE_URL": f"sqlite:///{work / 'hemis.db'}",
            "HEMIS_VAR_DIR": str(work / "var"),
            "HEMIS_LOG_LEVEL": "WARNING",
        }
        for name in ("HEMIS_MIGRATION_DATABASE_URL", "HEMIS_ENV"):
            env.pop(name, None)
        for name in ("PAYMENT_GATEWAY", "POPULATION", "INSURANCE", "CIVIL_SERVICE"):
            env[f"HEMIS_{name}_URL"] = f"http://127.0.0.1:{free_port()}"
        start = time.perf_counter()
        command = [sys.executable, "-m", "hemis", "demo", "--scale", str(scale)]
        with (work / "demo.log").open("wb") as log:
            process = subprocess.Popen(
                [*command, "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            while True:
                if process.poll() is not None:
                    raise SystemExit((work / "demo.log").read_text(errors="replace"))
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                        return time.perf_counter() - start
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=float, default=0.01)
    args = parser.parse_args()
    times = [one_start(args.scale) for _ in range(args.runs)]
    load = os.getloadavg()[0]
    print(f"portal up after: {', '.join(f'{t:.1f} s' for t in times)} (load {load:.1f})")


if __name__ == "__main__":
    main()
