"""Helpers the quality checks share: the tool's version, run guards and project-exclude matching."""

from __future__ import annotations

import fnmatch
import signal
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from atlas_ci.checks.base import CheckContext, tool_version
from atlas_ci.errors import CheckError
from atlas_ci.model import Finding
from atlas_ci.process import ProcessResult

# A `--version` call is a side note to the check; it must not eat the check's own time budget.
VERSION_TIMEOUT = 30.0


def version_of(argv: Sequence[str], ctx: CheckContext) -> str | None:
    """Version of the program this run really uses (the configured `command`, if any)."""
    return tool_version(argv, ctx.root, timeout=min(VERSION_TIMEOUT, ctx.settings.timeout))


def ensure_complete(res: ProcessResult, tool: str, ctx: CheckContext) -> None:
    """A killed or truncated run cannot be judged: its output is partial."""
    if res.timed_out:
        raise CheckError(f"{tool} timed out after {ctx.settings.timeout:g}s")
    if res.truncated:
        raise CheckError(
            f"{tool} printed more output than atlas-ci captures; results are incomplete"
        )


def exit_problem(tool: str, res: ProcessResult) -> str:
    """Why a run that exited badly is unusable: its exit status (or signal) and its last words."""
    if res.returncode < 0:
        try:
            how = f"was killed by {signal.Signals(-res.returncode).name}"
        except ValueError:
            how = f"was killed by signal {-res.returncode}"
    else:
        how = f"exited {res.returncode}"
    return f"{tool} {how}: {tail(res.output_tail) or 'no output'}"


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """Does a repo-relative path fall under one of the project's `exclude` patterns?

    Same reading as ruff's exclude: a pattern with a slash is anchored at the root and matches the
    path or one of its parent directories; a pattern without one matches any single component.
    """
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        pattern = raw.removeprefix("./").rstrip("/")
        candidates = prefixes if "/" in pattern else parts
        if pattern and any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            return True
    return False


def keep_included(findings: Iterable[Finding], patterns: Sequence[str]) -> list[Finding]:
    """Drop findings in excluded files, for tools whose own exclusion cannot be set without
    overriding the project's config."""
    if not patterns:
        return list(findings)
    return [f for f in findings if f.location is None or not excluded(f.location.path, patterns)]


def tail(text: str, limit: int = 600) -> str:
    """The end of a long output, for an error reason that stays readable."""
    text = text.strip()
    return text if len(text) <= limit else "..." + text[-limit:]
