"""The only place that starts programs: argv lists, timeouts, process groups, bounded output.

After a program ends (or is killed) nothing it started survives: its process group is killed,
then every descendant carrying its tag, `setsid` and double-forked ones included (reaper.py).
Only then is the output drained, so a grandchild holding the pipe open cannot cost the output.
"""

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
from pathlib import Path
from typing import NamedTuple

from atlas_ci import early as early_mod
from atlas_ci import process_io, reaper
from atlas_ci.errors import ToolNotFoundError

DEFAULT_OUTPUT_CAP = 16 * 1024 * 1024
Popen = subprocess.Popen[bytes]

# Every running child with its tag, so an interrupt can kill the tree of each.
_live: dict[subprocess.Popen[bytes], str] = {}
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


class ProcessResult(NamedTuple):
    """What a program did. (A named tuple, not a dataclass: the instant replay imports this
    module, and importing dataclasses would cost its start-up 8 ms.)"""

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


def kill_tree(proc: Popen, tag: str, grace: float = reaper.TERMINATE_GRACE) -> None:
    """The group, then every descendant with the tag (those that left the group)."""
    reaper.kill_group(proc, grace)
    reaper.kill_tagged(tag, grace=min(grace, 1.0))


def forget(proc: Popen) -> None:
    """Drop an ended program from the live list (its tree is already reaped)."""
    with _live_lock:
        _live.pop(proc, None)


def kill_all() -> None:
    """Kill every program still running and its descendants (on interrupt): no orphans."""
    with _live_lock:
        procs = list(_live.items())
    threads = [threading.Thread(target=kill_tree, args=(p, tag, 1.0)) for p, tag in procs]
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
    stop_on_overflow: bool = False,
    early: str | None = None,
    outputs: Sequence[Path] = (),
) -> ProcessResult:
    """Run `argv` in its own process group; kill everything it started on timeout or exit.

    `stop_on_overflow`: kill the program as soon as it passes `output_cap` (its result is then
    unusable anyway, and 1 GiB of output need not be read to learn that).
    `early`: the slot under which a head start may have started this very program already
    (early.py adopts it only if it is exactly this one). `outputs`: files the program writes as
    its result, removed before it starts so that one left by another run cannot pass for its.
    """
    if _shutdown.is_set():
        raise ShuttingDown
    full = resolve(argv)
    held = None
    if early is not None:
        held = early_mod.claim(
            early, full, cwd, env, output_cap=output_cap, stdin=stdin_data is not None
        )
    if held is None:
        for path in outputs:
            path.unlink(missing_ok=True)
        started, tag = time.monotonic(), reaper.new_tag()
        proc = spawn(full, cwd, env, tag, piped_stdin=stdin_data is not None)
        capture = process_io.Capture(proc, output_cap)
    else:
        started, tag, proc, capture = held.started, held.tag, held.proc, held.capture
    timed_out = False
    try:
        process_io.feed(proc, stdin_data)
        # An adopted program's time counts from its start, ahead of the check.
        left = timeout - (time.monotonic() - started)
        timed_out = _wait(proc, left, capture.overflow if stop_on_overflow else None)
    finally:
        # The group first (grandchildren left in it), then descendants that left it (setsid,
        # double fork): only then can the pipes reach EOF, whoever held them.
        reaper.kill_group(proc)
        proc.wait()
        reaper.kill_tagged(tag)
        capture.join()
        with _live_lock:
            _live.pop(proc, None)
    result = ProcessResult(
        argv=tuple(full),
        returncode=proc.returncode,
        stdout=capture.out.decode("utf-8", errors="replace"),
        stderr=capture.err.decode("utf-8", errors="replace"),
        duration=time.monotonic() - started,
        timed_out=timed_out,
        truncated=capture.overflow[0],
        interrupted=proc.returncode in (-signal.SIGTERM, -signal.SIGKILL) and not timed_out,
    )
    _note(result, cwd, env)
    if early is not None:
        plain = env is None and stdin_data is None
        took = result.duration
        early_mod.ran(early, full, cwd, took=took, adopted=held is not None, plain=plain)
    return result


def quick(argv: Sequence[str], cwd: Path, timeout: float) -> str | None:
    """The stdout of a short read-only command (git ls-files, rev-parse) that starts no
    children of its own, or None when it could not run or failed: no tagging, no reaping, no
    debug note, for the instant replay's start-up path."""
    try:
        res = subprocess.run(  # noqa: S603 - argv list, never a shell
            list(argv),
            cwd=cwd,
            capture_output=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.decode("utf-8", "surrogateescape") if res.returncode == 0 else None


def _note(res: ProcessResult, cwd: Path, env: Mapping[str, str] | None) -> None:
    """Kept for the check's debug bundle, should the check end in error (see debug.py)."""
    # Here, not at the top: debug holds the report model (Pydantic), which `quick`'s callers
    # (the instant replay) run before loading.
    from atlas_ci import debug

    debug.note(
        debug.ToolRun(
            argv=res.argv,
            cwd=str(cwd),
            returncode=res.returncode,
            duration=res.duration,
            timed_out=res.timed_out,
            truncated=res.truncated,
            env_names=debug.env_names({**os.environ, **(env or {})}),
            stdout=res.stdout,
            stderr=res.stderr,
        )
    )


def _environment(env: Mapping[str, str] | None, tag: str) -> dict[str, str]:
    return {**os.environ, **(env or {}), reaper.TAG_ENV: tag}


def spawn(
    full: list[str], cwd: Path, env: Mapping[str, str] | None, tag: str, *, piped_stdin: bool
) -> subprocess.Popen[bytes]:
    reaper.become_subreaper()
    try:
        proc = subprocess.Popen(  # noqa: S603 - argv list from config or adapters, never a shell
            full,
            bufsize=0,
            cwd=cwd,
            env=_environment(env, tag),
            stdin=subprocess.PIPE if piped_stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except OSError as exc:
        # The OSError stays the cause: its errno tells not found from not executable or E2BIG.
        raise ToolNotFoundError(full[0], str(exc)) from exc
    with _live_lock:
        _live[proc] = tag
    if _shutdown.is_set():
        # Started just as an interrupt began: kill_all() may already have run without it.
        kill_tree(proc, tag, grace=0.5)
    return proc


def _wait(proc: Popen, timeout: float, overflow: list[bool] | None) -> bool:
    """Wait for the program; True when the timeout expired first. Returns early on overflow.
    A program that has ended is never timed out, however little time is left (one started
    ahead of its check may have ended before the check asked for it)."""
    deadline = time.monotonic() + timeout
    while overflow is None or not overflow[0]:
        remaining = deadline - time.monotonic()
        try:
            proc.wait(timeout=max(0.0, remaining if overflow is None else min(remaining, 0.1)))
            return False
        except subprocess.TimeoutExpired:
            if remaining <= 0:
                return True
    return False


class Service:
    """A long-running child (a server under test) in its own process group, stopped by `stop()`."""

    def __init__(self, proc: subprocess.Popen[bytes], log_path: Path, tag: str = "") -> None:
        self.proc = proc
        self.log_path = log_path
        self.tag = tag

    def alive(self) -> bool:
        return self.proc.poll() is None

    def send_signal(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, grace: float = 10.0) -> int:
        self.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=grace)
        reaper.kill_group(self.proc, grace=0.5)
        code = self.proc.wait()
        if self.tag:
            reaper.kill_tagged(self.tag, grace=0.5)
        with _live_lock:
            _live.pop(self.proc, None)
        return code


def start(
    argv: Sequence[str], *, cwd: Path, log_path: Path, env: Mapping[str, str] | None = None
) -> Service:
    """Start a background service; its output goes to `log_path` so it can never fill a pipe."""
    if _shutdown.is_set():
        raise ShuttingDown
    full = resolve(argv)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    tag = reaper.new_tag()
    reaper.become_subreaper()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - argv list, never a shell
            full,
            cwd=cwd,
            env=_environment(env, tag),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    with _live_lock:
        _live[proc] = tag
    return Service(proc=proc, log_path=log_path, tag=tag)
