"""The adapter kit every check uses: the tool (argv, version), running it, reading its JSON.

Each way a tool run can go wrong has ONE message, built here and nowhere else: not found, not
executable, argv too long, timed out, output over the cap, killed by a signal, an exit code the
check does not accept, empty output, output that is not JSON, JSON of the wrong shape. A check
that gets past `run_tool` and `load_json` holds a complete run of the real tool, in the shape it
expects (fail closed: anything less is the check's `error`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar, cast, overload

from pydantic import TypeAdapter, ValidationError

from atlas_ci import process
from atlas_ci import text as text_mod
from atlas_ci.errors import CheckError, ToolNotFoundError

T = TypeVar("T")

# A `--version` call is a side note to the check; it must not eat the check's own time budget.
VERSION_TIMEOUT = 30.0
# ok_codes for a check that reads the exit code itself (run_tool still owns timeouts, signals...).
ANY_EXIT = range(256)
# How much of a tool's own words a reason quotes.
DETAIL_LIMIT = 300
# Bytes of file names one tool run is given: far below the kernel's limit on argv plus
# environment (ARG_MAX, 2 MiB here and on macOS 1 MiB), so no run fails with E2BIG.
ARGV_BUDGET = 128 * 1024
_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?(?:[\w.+-]*)")


@dataclass(frozen=True)
class Tool:
    """A program a check runs: its display name, argv prefix and the distribution shipping it."""

    name: str
    argv: tuple[str, ...]
    # The distribution name, for a metadata version lookup when the tool is atlas-ci's own.
    distribution: str | None = None

    def using(self, command: Sequence[str] | None) -> Tool:
        """This tool started by the check's configured `command` instead, when there is one."""
        return replace(self, argv=tuple(command)) if command else self

    def version(self, cwd: Path | None = None) -> str | None:
        """The version of what really runs; None when it cannot be started or says nothing.

        When the program lives in atlas-ci's own environment its package metadata answers (no
        subprocess on the critical path); otherwise one `--version` call, cached per argv.
        """
        if self.distribution and in_own_environment(self.argv):
            try:
                return metadata.version(self.distribution)
            except metadata.PackageNotFoundError:
                pass
        return version_call(self.argv, str(cwd or Path.cwd()))


def in_own_environment(argv: Sequence[str]) -> bool:
    """Does `argv` start a program of atlas-ci's own environment (its interpreter or scripts)?"""
    if not argv:
        return False
    own = Path(sys.executable)
    if len(argv) >= 3 and argv[1] == "-m":
        return _same_file(argv[0], own)
    try:
        program = process.resolve(argv[:1])[0]
    except ToolNotFoundError:
        return False
    return Path(os.path.abspath(program)).parent == Path(os.path.abspath(own)).parent


def _same_file(program: str, own: Path) -> bool:
    path = Path(program)
    if os.sep not in program:
        try:
            path = Path(process.resolve([program])[0])
        except ToolNotFoundError:
            return False
    return os.path.abspath(path) == os.path.abspath(own)


@lru_cache(maxsize=256)
def version_call(argv: tuple[str, ...], cwd: str) -> str | None:
    """First version-looking token of `argv --version` (cached: one call per program and run)."""
    try:
        res = process.run([*argv, "--version"], cwd=Path(cwd), timeout=VERSION_TIMEOUT)
    except (process.ShuttingDown, ToolNotFoundError, OSError):
        return None
    if res.returncode != 0 or res.timed_out:
        return None
    match = _VERSION.search(res.stdout + res.stderr)
    return match.group(0) if match else None


def run_tool(
    tool: Tool,
    args: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    ok_codes: Collection[int] = (0,),
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    output_cap: int = process.DEFAULT_OUTPUT_CAP,
    detail: Callable[[process.ProcessResult], str] | None = None,
    early: str | None = None,
    outputs: Sequence[Path] = (),
) -> process.ProcessResult:
    """Run the tool to completion, or raise CheckError with the one standard message.

    The message ends with `detail(res)`: by default the tool's first error line; a check whose
    tool may echo what it scanned (a secret scanner) passes its own, safe, description.
    `early` and `outputs` are process.run's: the slot a head start may have started this run
    in (head_start.py), and the result files removed before a fresh start.
    """
    argv = [*tool.argv, *args]
    try:
        # Past the cap the run is unusable: stop it there rather than read 1 GiB to learn that.
        res = process.run(
            argv,
            cwd=cwd,
            timeout=timeout,
            env=env,
            output_cap=output_cap,
            stdin_data=stdin,
            stop_on_overflow=True,
            early=early,
            outputs=outputs,
        )
    except ToolNotFoundError as exc:
        raise _start_error(tool, argv, exc) from exc
    problem = run_problem(tool, res, timeout=timeout, ok_codes=ok_codes, output_cap=output_cap)
    if problem is not None:
        said = (detail or error_line)(res)
        raise CheckError(f"{problem}: {said}" if said else problem)
    return res


def argv_chunks(items: Sequence[str], budget: int | None = None) -> Iterator[list[str]]:
    """`items` split into consecutive runs whose argv size stays within `budget` bytes, for
    tools that judge each file on its own (their outputs concatenate). Never yields an empty run."""
    limit = ARGV_BUDGET if budget is None else budget
    chunk: list[str] = []
    size = 0
    for item in items:
        cost = len(os.fsencode(item)) + 1
        if chunk and size + cost > limit:
            yield chunk
            chunk, size = [], 0
        chunk.append(item)
        size += cost
    if chunk:
        yield chunk


def run_problem(
    tool: Tool,
    res: process.ProcessResult,
    *,
    timeout: float,
    ok_codes: Collection[int] = (0,),
    output_cap: int = process.DEFAULT_OUTPUT_CAP,
) -> str | None:
    """What makes a finished run unusable, in the standard words; None when it can be judged."""
    if res.timed_out:
        return f"{tool.name} timed out after {timeout:g}s; its processes were killed"
    if res.truncated:
        # Before the signal check: past the cap, run() stopped the tool itself.
        return (
            f"{tool.name} printed more than {output_cap // (1024 * 1024) or 1} MiB of output; "
            "it was stopped and its results are incomplete"
        )
    if res.returncode < 0:
        if process.shutting_down():
            raise process.ShuttingDown
        return f"{tool.name} was killed by {signal_name(-res.returncode)}"
    if res.returncode not in ok_codes:
        return f"{tool.name} exited {res.returncode}"
    return None


def bad_exit(tool: Tool, res: process.ProcessResult) -> CheckError:
    """The standard error for an exit code the check cannot judge (after its own handling)."""
    detail = error_line(res)
    problem = f"{tool.name} exited {res.returncode}"
    return CheckError(f"{problem}: {detail}" if detail else problem)


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _start_error(tool: Tool, argv: Sequence[str], exc: ToolNotFoundError) -> CheckError:
    cause = exc.__cause__
    code = cause.errno if isinstance(cause, OSError) else errno.ENOENT
    program = argv[0]
    if code == errno.E2BIG:
        size = sum(len(a) + 1 for a in argv)
        return CheckError(
            f"{tool.name}: the argument list is too long for the system ({len(argv)} arguments, "
            f"{size} bytes); name fewer paths"
        )
    if code in (errno.EACCES, errno.EPERM):
        return CheckError(f"{tool.name}: {program} is not executable (permission denied)")
    if code == errno.ENOEXEC:
        return CheckError(
            f"{tool.name}: {program} is not an executable program (exec format error)"
        )
    if cause is not None:
        # The file is there but cannot start: its `#!` interpreter is missing.
        return CheckError(f"{tool.name}: cannot start {program}: its interpreter was not found")
    from atlas_ci.extras import hint_for

    return CheckError(
        f"{tool.name}: program not found: {program}; {hint_for(tool.name, tool.distribution)} "
        "or set `command` for this check"
    )


def clean(text: str) -> str:
    """Tool text without ANSI sequences or control characters (tabs and newlines kept)."""
    return text_mod.clean(text)


def error_line(res: process.ProcessResult, limit: int = DETAIL_LIMIT) -> str:
    """The tool's first meaningful error line (stderr first), else its last words; bounded.

    A Python traceback gives the exception it ended in, never one of its frames
    (`text.first_meaningful_line`)."""
    for stream in (res.stderr, res.stdout):
        line = text_mod.first_meaningful_line(stream, limit, fallback="last")
        if line:
            return line
    return ""


@overload
def load_json(text: str, shape: TypeAdapter[T], *, tool: str, quote: bool = True) -> T: ...
@overload
def load_json(text: str, shape: type[T], *, tool: str, quote: bool = True) -> T: ...
def load_json(text: str, shape: TypeAdapter[T] | type[T], *, tool: str, quote: bool = True) -> T:
    """The tool's JSON output, validated against `shape`; CheckError when empty, not JSON or
    not of that shape. `quote=False`: the message never shows the text (it may hold secrets)."""
    if not text.strip():
        raise CheckError(f"{tool} printed no output")
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:
        shown = f": {_quote(text)}" if quote else ""
        raise CheckError(f"{tool} printed output that is not JSON{shown}") from exc
    return validate(data, shape, tool=tool)


def load_json_lines(text: str, shape: TypeAdapter[T] | type[T], *, tool: str) -> list[T]:
    """One JSON value per non-blank line (mypy's `--output json`); empty output is allowed."""
    items = []
    for line in text.splitlines():
        if line.strip():
            items.append(load_json(line, _as_adapter(shape), tool=tool))
    return items


def validate(data: object, shape: TypeAdapter[T] | type[T], *, tool: str) -> T:
    try:
        return _as_adapter(shape).validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise CheckError(
            f"{tool} printed JSON of an unexpected shape: {where}: {first['msg']}"
        ) from exc
    except RecursionError as exc:
        raise CheckError(f"{tool} printed JSON nested too deeply to read") from exc


def _as_adapter(shape: TypeAdapter[T] | type[T]) -> TypeAdapter[T]:
    if isinstance(shape, TypeAdapter):
        return shape
    adapter: TypeAdapter[T] = _adapter(cast(Any, shape))
    return adapter


@lru_cache(maxsize=64)
def _adapter(shape: Any) -> TypeAdapter[Any]:
    # Building an adapter compiles a validator: once per shape, not once per line of output.
    return TypeAdapter(shape)


def _quote(text: str) -> str:
    return repr(clean(text.strip())[:200])
