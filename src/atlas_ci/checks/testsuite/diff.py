"""Lines added or changed since a git ref: `git diff --unified=0 REF` plus untracked files."""

from __future__ import annotations

import re
from pathlib import Path

from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.toolkit import Tool, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.process import ProcessResult

_HUNK = re.compile(r"^@@ -\d+(?:,(?P<old>\d+))? \+(?P<start>\d+)(?:,(?P<new>\d+))? @@")
# Explicit prefixes: a user's diff.noprefix or diff.mnemonicPrefix must not change what we parse.
_DIFF = [
    "git",
    "-c",
    "core.quotePath=false",
    "diff",
    "--unified=0",
    "--no-color",
    "--no-ext-diff",
    "--relative",
    "--src-prefix=a/",
    "--dst-prefix=b/",
]


# git, for the lines a change added (the new-code coverage of --base).
GIT = Tool("git", ("git",))


def new_lines(ctx: CheckContext, ref: str) -> dict[str, set[int]]:
    """Repository-relative path -> 1-based line numbers added or changed in the working tree."""
    lines = parse(_git(ctx, [*_DIFF, ref, "--"], f"git diff against {ref!r}").stdout)
    untracked = _git(ctx, ["git", "ls-files", "--others", "--exclude-standard"], "git ls-files")
    for name in untracked.stdout.splitlines():
        if name.endswith(".py"):
            lines[name] = set(range(1, _line_count(ctx.root / name) + 1))
    return lines


def parse(diff: str) -> dict[str, set[int]]:
    """The `b/` side of a unified diff with zero context: which lines of which file are new."""
    found: dict[str, set[int]] = {}
    current: set[int] | None = None
    body = 0  # lines of the current hunk still to skip: content such as "++ x" is not a header
    for line in diff.splitlines():
        if body and not line.startswith("\\"):  # "\ No newline at end of file" is not counted
            body -= 1
        elif line.startswith("+++ "):
            target = line[4:].rstrip("\t").strip('"')
            current = None if target == "/dev/null" else found.setdefault(target[2:], set())
        elif hunk := _HUNK.match(line):
            start, count = int(hunk["start"]), _count(hunk["new"])
            body = _count(hunk["old"]) + count
            if current is not None:
                current.update(range(start, start + count))
    return {path: lines for path, lines in found.items() if lines}


def _count(raw: str | None) -> int:
    return 1 if raw is None else int(raw)


def _git(ctx: CheckContext, argv: list[str], what: str) -> ProcessResult:
    try:
        return run_tool(GIT, argv[1:], cwd=ctx.root, timeout=ctx.settings.timeout)
    except CheckError as exc:  # not installed, timed out, exited badly: the kit's words
        raise CheckError(f"{what} failed: {exc}") from exc


def _line_count(path: Path) -> int:
    try:
        return len(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return 0
