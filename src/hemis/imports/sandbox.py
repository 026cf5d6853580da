"""Reading a submitted file in a process of its own, with hard limits.

    table = read_sandboxed(path, "learners", sheet, limits)   # a file on disk (the CLI)
    table = read_upload(payload, filename, "learners", limits)   # an upload's bytes (web jobs)

Whatever a file does to its reader — asks for 512 GiB, inflates a zip bomb, spins — happens in
the reader process (`python -m hemis.imports.sandbox`), never in the server or the CLI that
asked. Before it reads, the reader limits itself: address space (RLIMIT_AS, `memory_mb`), CPU
time (RLIMIT_CPU), no core file; the parent kills it after `seconds` of wall-clock time. It runs
`read_table` (with every check of `hemis.imports.limits`) and writes to its stdout a
length-prefixed JSON header (format, header row, sheet, encoding, findings — or the error),
then the table as an Arrow IPC stream (LZ4). An upload's bytes reach it through an anonymous
in-memory file (memfd) and the table comes back through a pipe: a file is never written to
disk in clear on the way.

A reader that dies — stopped by a limit, aborted by a failed allocation, crashed — is an
`UnreadableFile` whose details say how: `{"reason": "memory" | "time" | "crashed"}`.
"""

from __future__ import annotations

import io
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from hemis.errors import HemisError
from hemis.imports.catalogue import Finding
from hemis.imports.limits import ReadLimits, UnreadableFile
from hemis.imports.readers import RawTable

HEADER_BYTES = 8
READER_THREADS = "2"  # polars threads in the reader: each one's stack counts in its address space
EXIT_REFUSED = 3
EXIT_OUT_OF_MEMORY = 4
_CPU_SIGNALS = (signal.SIGXCPU,)


def read_sandboxed(
    path: Path,
    entity: str,
    sheet: str | None = None,
    limits: ReadLimits | None = None,
    name: str | None = None,
) -> RawTable:
    """Read a file on disk in a reader process; raises UnreadableFile (or the reader's own
    HemisError) when it cannot be read within the limits."""
    return _run(str(path), entity, sheet, limits or ReadLimits(), name or path.name, ())


def read_upload(
    payload: bytes, filename: str, entity: str, limits: ReadLimits | None = None
) -> RawTable:
    """Read an upload's bytes in a reader process, handing them over in memory."""
    limits = limits or ReadLimits()
    memfd = getattr(os, "memfd_create", None)
    if memfd is None:  # (not Linux) a private temporary file, removed at once
        with tempfile.TemporaryDirectory(prefix="hemis-read-") as tmp:
            path = Path(tmp) / ("upload" + Path(filename).suffix.lower())
            path.write_bytes(payload)
            return _run(str(path), entity, None, limits, filename, ())
    fd = memfd("hemis-upload", os.MFD_CLOEXEC)
    try:
        with os.fdopen(os.dup(fd), "wb") as fh:
            fh.write(payload)
        return _run(f"/proc/self/fd/{fd}", entity, None, limits, filename, (fd,))
    finally:
        os.close(fd)


def _run(
    path: str,
    entity: str,
    sheet: str | None,
    limits: ReadLimits,
    name: str,
    pass_fds: tuple[int, ...],
) -> RawTable:
    request = {
        "path": path,
        "entity": entity,
        "sheet": sheet,
        "name": name,
        "limits": vars(limits),
    }
    env = os.environ | {
        "POLARS_MAX_THREADS": READER_THREADS,
        "MALLOC_ARENA_MAX": "2",  # glibc's per-thread arenas reserve address space too
        "RUST_BACKTRACE": "0",
    }
    command = [sys.executable, "-m", "hemis.imports.sandbox", json.dumps(request)]
    with subprocess.Popen(  # noqa: S603 - our own module, the request as one argument
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=pass_fds,
        env=env,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=limits.seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise stopped("time", limits) from None
    if proc.returncode not in (0, EXIT_REFUSED) or len(out) < HEADER_BYTES:
        import structlog  # (here: the reader process, which imports this module, never logs)

        structlog.get_logger("hemis.imports.sandbox").warning(
            "file_reader_died",
            returncode=proc.returncode,
            stderr=err[-2000:].decode("utf-8", "replace"),
        )
        raise stopped(_reason(proc.returncode, err), limits)
    size = int.from_bytes(out[:HEADER_BYTES], "big")
    header = json.loads(out[HEADER_BYTES : HEADER_BYTES + size])
    if "error" in header:
        raise _error_of(header["error"])
    frame = pl.read_ipc_stream(io.BytesIO(memoryview(out)[HEADER_BYTES + size :]))
    del out
    return RawTable(
        frame,
        header["format"],
        header_row=header["header_row"],
        sheet=header["sheet"],
        encoding=header["encoding"],
        findings=[Finding(**f) for f in header["findings"]],
    )


def _reason(returncode: int, stderr: bytes) -> str:
    if returncode == EXIT_OUT_OF_MEMORY:
        return "memory"
    if -returncode in _CPU_SIGNALS:
        return "time"
    if -returncode == signal.SIGKILL or b"memory allocation" in stderr or b"MemoryError" in stderr:
        return "memory"  # (SIGKILL from outside: the kernel's out-of-memory killer)
    return "crashed"


def stopped(reason: str, limits: ReadLimits) -> UnreadableFile:
    """The error of a reader that did not finish."""
    if reason == "memory":
        vi = (
            f"Đọc tệp cần nhiều bộ nhớ hơn giới hạn ({limits.memory_mb:,} MB): tệp có thể bị hỏng "
            "hoặc được tạo ra để gây hại. Hãy xuất lại tệp từ mẫu."
        )
        en = (
            f"Reading the file needed more memory than allowed ({limits.memory_mb:,} MB): it may "
            "be damaged or crafted. Export it again from the template."
        )
    elif reason == "time":
        vi = f"Đọc tệp lâu quá thời gian cho phép ({limits.seconds:,} giây)."
        en = f"Reading the file took longer than allowed ({limits.seconds:,} s)."
    else:
        vi = "Trình đọc tệp dừng bất thường với tệp này: tệp có thể bị hỏng."
        en = "The file reader stopped abnormally on this file: it may be damaged."
    return UnreadableFile(vi, en, details={"reason": reason})


def _error_of(data: dict[str, Any]) -> HemisError:
    cls = UnreadableFile if data["code"] == UnreadableFile.code else HemisError
    return cls(
        data["message_vi"],
        data["message_en"],
        code=data["code"],
        status=data["status"],
        details=data["details"],
    )


# --- the reader process ---------------------------------------------------------------------


def _limit_self(limits: ReadLimits) -> None:
    memory = limits.memory_mb << 20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.seconds, limits.seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:  # die with the parent (Linux): a reader is never left running on its own
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _send(out: io.BufferedWriter, header: dict[str, Any], frame: pl.DataFrame | None) -> None:
    data = json.dumps(header, ensure_ascii=False).encode()
    out.write(len(data).to_bytes(HEADER_BYTES, "big") + data)
    if frame is not None:
        # encoded in memory, then written at once: several times faster than polars' many small
        # writes through a Python file object into a pipe
        buffer = io.BytesIO()
        frame.write_ipc_stream(buffer, compression="lz4")
        out.write(buffer.getbuffer())
    out.flush()


def _error_header(error: HemisError) -> dict[str, Any]:
    try:
        json.dumps(error.details)
        details = error.details
    except (TypeError, ValueError):
        details = None
    return {
        "error": {
            "code": error.code,
            "status": error.status,
            "message_vi": error.message_vi,
            "message_en": error.message_en,
            "details": details,
        }
    }


def main(argv: list[str]) -> int:
    request = json.loads(argv[0])
    limits = ReadLimits(**request["limits"])
    # Only the result goes to the real stdout; anything else printed there goes to stderr.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _limit_self(limits)
    from hemis.imports.readers import read_table

    try:
        table = read_table(
            Path(request["path"]), request["entity"], request["sheet"], limits, request["name"]
        )
    except HemisError as exc:
        _send(out, _error_header(exc), None)
        return EXIT_REFUSED
    except MemoryError:
        _send(out, _error_header(stopped("memory", limits)), None)
        return EXIT_REFUSED
    except BaseException as exc:  # a reader's own failure (a panic too): unreadable, no trace
        if isinstance(exc, (SystemExit, KeyboardInterrupt)):
            raise
        error = UnreadableFile(
            "Không đọc được tệp (tệp hỏng hoặc sai định dạng).",
            "The file cannot be read (damaged or not in its format).",
            details={"error": type(exc).__name__},
        )
        _send(out, _error_header(error), None)
        return EXIT_REFUSED
    header = {
        "format": table.format,
        "header_row": table.header_row,
        "sheet": table.sheet,
        "encoding": table.encoding,
        "findings": [vars(f) for f in table.findings],
    }
    try:
        _send(out, header, table.frame)
    except MemoryError:
        return EXIT_OUT_OF_MEMORY  # (part of the table may be out: the parent ignores it)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
