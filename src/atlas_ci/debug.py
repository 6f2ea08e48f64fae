"""Debug bundles: what a CI artifact must hold to diagnose a check that errored.

While a check runs, every program it starts through `process.run` is noted here (argv, working
directory, exit status, timing, the *names* of its environment variables — never their values —
and its captured output). When the check ends `error`, the pipeline writes
`<report dir>/debug/<check>/`: `debug.json` with those facts and the check's tool, version and
reason, plus each run's stdout and stderr, redacted and bounded (head and tail kept). Checks that
pass or fail leave nothing: their notes are dropped.

Notes are kept per check in a context variable set by the runner around `check.run`, so checks
running at once on different threads never mix their notes.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from atlas_ci.model import CheckResult, Status

MAX_OUTPUT = 512 * 1024  # bytes of each stream kept in the bundle (head and tail)
MAX_RUNS = 20


@dataclass(frozen=True)
class ToolRun:
    argv: tuple[str, ...]
    cwd: str
    returncode: int
    duration: float
    timed_out: bool
    truncated: bool
    env_names: tuple[str, ...]
    stdout: str
    stderr: str


@dataclass
class _Notes:
    runs: list[ToolRun] = field(default_factory=list)


_current: contextvars.ContextVar[_Notes | None] = contextvars.ContextVar(
    "atlas_ci_debug_notes", default=None
)
_by_check: dict[str, list[ToolRun]] = {}
_lock = threading.Lock()


@contextlib.contextmanager
def capture(check: str) -> Iterator[None]:
    """Note the programs started while the check runs on this thread."""
    notes = _Notes()
    token = _current.set(notes)
    try:
        yield
    finally:
        _current.reset(token)
        with _lock:
            _by_check[check] = notes.runs[-MAX_RUNS:]


def note(run: ToolRun) -> None:
    notes = _current.get()
    if notes is not None:
        notes.runs.append(replace(run, stdout=bounded(run.stdout), stderr=bounded(run.stderr)))


def take(check: str) -> list[ToolRun]:
    with _lock:
        return _by_check.pop(check, [])


def clear() -> None:
    with _lock:
        _by_check.clear()


def bounded(text: str, limit: int = MAX_OUTPUT) -> str:
    data = text.encode("utf-8", errors="replace")
    if len(data) <= limit:
        return text
    half = limit // 2
    head = data[:half].decode("utf-8", errors="ignore")
    tail = data[-half:].decode("utf-8", errors="ignore")
    return f"{head}\n[... {len(data) - limit} bytes cut by atlas-ci ...]\n{tail}"


def bundle_files(
    result: CheckResult, runs: Sequence[ToolRun], scrub: Callable[[str], str]
) -> dict[str, str]:
    """File name -> content of one check's bundle (pure; every text through `scrub`)."""
    files: dict[str, str] = {}
    described = []
    for i, run in enumerate(runs, start=1):
        out, err = f"run-{i}.stdout.txt", f"run-{i}.stderr.txt"
        files[out] = scrub(bounded(run.stdout))
        files[err] = scrub(bounded(run.stderr))
        described.append(
            {
                "argv": [scrub(a) for a in run.argv],
                "cwd": run.cwd,
                "returncode": run.returncode,
                "duration": round(run.duration, 3),
                "timed_out": run.timed_out,
                "truncated": run.truncated,
                "environment_names": list(run.env_names),
                "stdout": out,
                "stderr": err,
            }
        )
    facts = {
        "check": result.check,
        "status": result.status.value,
        "reason": scrub(result.reason),
        "tool": result.tool,
        "tool_version": result.tool_version,
        "duration": result.duration,
        "runs": described,
    }
    files["debug.json"] = json.dumps(facts, indent=2) + "\n"
    return files


def write_bundles(
    results: Sequence[CheckResult],
    scrub: Callable[[str], str],
    write: Callable[[dict[str, str]], object],
) -> list[CheckResult]:
    """Write a bundle for every errored check (`write` takes report-dir-relative names); results
    gain the bundle as an artifact."""
    out = []
    for res in results:
        runs = take(res.check)
        if res.status is not Status.ERROR:
            out.append(res)
            continue
        rel = f"debug/{res.check}"
        files = bundle_files(res, runs, scrub)
        write({f"{rel}/{name}": text for name, text in files.items()})
        out.append(res.model_copy(update={"artifacts": (*res.artifacts, f"{rel}/debug.json")}))
    clear()
    return out


def env_names(env: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(sorted(env))
