"""The only place that starts programs: argv lists, timeouts, process groups, bounded output."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from atlas_ci.errors import ToolNotFoundError

DEFAULT_OUTPUT_CAP = 16 * 1024 * 1024
# Time a process group gets between SIGTERM and SIGKILL.
TERMINATE_GRACE = 3.0

_live: set[subprocess.Popen[bytes]] = set()
_live_lock = threading.Lock()
_shutdown = threading.Event()


class ShuttingDown(Exception):
    """Raised instead of starting a program once an interrupt has begun the shutdown."""


def begin_shutdown() -> None:
    """From now on no new program starts; checks still running see ShuttingDown."""
    _shutdown.set()


def shutting_down() -> bool:
    """Has an interrupt begun the shutdown (a child killed now was killed by atlas-ci)?"""
    return _shutdown.is_set()


@dataclass(frozen=True)
class ProcessResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False
    truncated: bool = False
    interrupted: bool = False

    @property
    def output_tail(self) -> str:
        """The last lines of stderr (or stdout), to explain a failure in one place."""
        text = (self.stderr.strip() or self.stdout.strip())[-2000:]
        return text


def _reader(stream: IO[bytes], sink: bytearray, cap: int, overflow: list[bool]) -> None:
    # Keep reading past the cap so the child never blocks on a full pipe; drop the excess.
    while chunk := stream.read(65536):
        room = cap - len(sink)
        if room > 0:
            sink.extend(chunk[:room])
        if len(chunk) > room:
            overflow[0] = True
    stream.close()


def _kill_group(proc: subprocess.Popen[bytes], grace: float = TERMINATE_GRACE) -> None:
    """SIGTERM the process group, then SIGKILL whatever is left once `grace` has passed."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        if proc.poll() is not None and not _group_alive(proc.pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def kill_all() -> None:
    """Kill every process group still running (on interrupt), so nothing outlives atlas-ci."""
    with _live_lock:
        procs = list(_live)
    threads = [threading.Thread(target=_kill_group, args=(p, 1.0)) for p in procs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def resolve(argv: Sequence[str]) -> list[str]:
    """Find the program: a path as given; a name in the active environment first, then PATH."""
    program = argv[0]
    if os.sep in program:
        if not Path(program).exists():
            raise ToolNotFoundError(program)
        return list(argv)
    bindir = Path(sys.executable).parent
    found = shutil.which(program, path=str(bindir)) or shutil.which(program)
    if found is None:
        raise ToolNotFoundError(program)
    return [found, *argv[1:]]


def run(
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    output_cap: int = DEFAULT_OUTPUT_CAP,
    stdin_data: bytes | None = None,
) -> ProcessResult:
    """Run `argv` in its own process group; kill the whole group on timeout or when it exits."""
    if _shutdown.is_set():
        raise ShuttingDown
    full = resolve(argv)
    started = time.monotonic()
    proc = _spawn(full, cwd, env, piped_stdin=stdin_data is not None)
    capture = _Capture(proc, output_cap)
    timed_out = False
    try:
        timed_out = _feed_and_wait(proc, stdin_data, timeout)
    finally:
        # Also reaps grandchildren the tool left behind in its group: no orphans after a check.
        _kill_group(proc)
        proc.wait()
        capture.join()
        with _live_lock:
            _live.discard(proc)
    return ProcessResult(
        argv=tuple(full),
        returncode=proc.returncode,
        stdout=capture.out.decode("utf-8", errors="replace"),
        stderr=capture.err.decode("utf-8", errors="replace"),
        duration=time.monotonic() - started,
        timed_out=timed_out,
        truncated=capture.overflow[0],
        interrupted=proc.returncode in (-signal.SIGTERM, -signal.SIGKILL) and not timed_out,
    )


def _spawn(
    full: list[str], cwd: Path, env: Mapping[str, str] | None, *, piped_stdin: bool
) -> subprocess.Popen[bytes]:
    try:
        proc = subprocess.Popen(  # noqa: S603 - argv list from config or adapters, never a shell
            full,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.PIPE if piped_stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        raise ToolNotFoundError(full[0], str(exc)) from exc
    with _live_lock:
        _live.add(proc)
    if _shutdown.is_set():
        # Started just as an interrupt began: kill_all() may already have run without it.
        _kill_group(proc, grace=0.5)
    return proc


class _Capture:
    """Drains stdout and stderr on threads, keeping at most `cap` bytes of each."""

    def __init__(self, proc: subprocess.Popen[bytes], cap: int) -> None:
        self.out, self.err = bytearray(), bytearray()
        self.overflow = [False]
        streams = [(proc.stdout, self.out), (proc.stderr, self.err)]
        self.threads = [
            threading.Thread(target=_reader, args=(stream, sink, cap, self.overflow), daemon=True)
            for stream, sink in streams
            if stream is not None
        ]
        for t in self.threads:
            t.start()

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=5)


def _feed_and_wait(proc: subprocess.Popen[bytes], stdin_data: bytes | None, timeout: float) -> bool:
    """Write stdin (if any) and wait; True when the timeout expired first."""
    if stdin_data is not None and proc.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(stdin_data)
            proc.stdin.close()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return True
    return False


@dataclass
class Service:
    """A long-running child (a server under test) in its own process group, stopped by `stop()`."""

    proc: subprocess.Popen[bytes]
    log_path: Path

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send_signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, grace: float = 10.0) -> int:
        self.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=grace)
        _kill_group(self.proc, grace=0.5)
        code = self.proc.wait()
        with _live_lock:
            _live.discard(self.proc)
        return code


def start(
    argv: Sequence[str], *, cwd: Path, log_path: Path, env: Mapping[str, str] | None = None
) -> Service:
    """Start a background service; its output goes to `log_path` so it can never fill a pipe."""
    if _shutdown.is_set():
        raise ShuttingDown
    full = resolve(argv)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - argv list, never a shell
            full,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with _live_lock:
        _live.add(proc)
    return Service(proc=proc, log_path=log_path)
