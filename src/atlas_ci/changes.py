"""What changed against a base: the merge-base, the changed files (renames followed) and lines.

`--changed [REF]` compares the working tree (staged and unstaged edits) with the merge-base of
HEAD and REF; without REF the base is the merge-base with origin/main when that ref exists, else
with main, else master, else HEAD~1. Changed files are `git diff --name-status -M
--diff-filter=d` against that commit (a renamed file counts under its new name, deleted files
are gone) plus untracked files git does not ignore. Changed lines come from `git diff -U0`: the
new side of each hunk; an untracked file is changed as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from atlas_ci import process
from atlas_ci.errors import ConfigError, ToolNotFoundError

GIT_TIMEOUT = 120.0
DEFAULT_BASES = ("origin/main", "main", "master")
# `@@ -a,b +c,d @@`: the new side starts at c and spans d lines (d omitted: 1).
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class LineRange:
    start: int
    end: int  # inclusive


@dataclass(frozen=True)
class ChangeSet:
    """The files (repository-relative, POSIX) a changed-files run looks at, and why."""

    # How the files were chosen: "changed against the merge-base with main (1a2b...)".
    description: str
    files: tuple[str, ...]
    # Changed lines per file (untracked files, in `whole`, are changed as a whole).
    # None: line information was not asked for, every line of a changed file counts.
    lines: Mapping[str, tuple[LineRange, ...]] | None = None
    whole: frozenset[str] = field(default_factory=frozenset)

    def touches(self, path: str, start: int | None, end: int | None) -> bool:
        """Does a finding at path:start-end lie on a changed line?"""
        if path not in self.files:
            return False
        if self.lines is None or path in self.whole:
            return True
        if start is None:
            return False
        last = end if end is not None and end >= start else start
        # A tracked file without hunks (a pure rename) has no changed line.
        return any(r.start <= last and start <= r.end for r in self.lines.get(path, ()))


def _git(root: Path, args: Sequence[str]) -> process.ProcessResult:
    argv = ["git", "-c", "core.quotepath=false", *args]
    try:
        res = process.run(argv, cwd=root, timeout=GIT_TIMEOUT)
    except ToolNotFoundError as exc:
        raise ConfigError("--changed needs git, which is not installed") from exc
    if res.timed_out:
        raise ConfigError(f"git {args[0]} timed out after {GIT_TIMEOUT:.0f} s")
    return res


def _ok(root: Path, args: Sequence[str]) -> str | None:
    res = _git(root, args)
    return res.stdout.strip() if res.returncode == 0 else None


def merge_base(root: Path, ref: str | None) -> tuple[str, str]:
    """(commit, description) of the base a changed-files run compares with."""
    if _ok(root, ["rev-parse", "--is-inside-work-tree"]) != "true":
        raise ConfigError(f"--changed needs a git work tree; {root} is not one")
    if ref:
        if _ok(root, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"]) is None:
            raise ConfigError(f"--changed {ref}: no such git ref")
        return _base_with(root, ref)
    for candidate in DEFAULT_BASES:
        if _ok(root, ["rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}"]):
            return _base_with(root, candidate)
    parent = _ok(root, ["rev-parse", "--verify", "--quiet", "HEAD~1^{commit}"])
    if parent is None:
        raise ConfigError("--changed: no origin/main, main, master or HEAD~1 to compare with")
    return parent, f"changed against HEAD~1 ({parent[:12]})"


def _base_with(root: Path, ref: str) -> tuple[str, str]:
    commit = _ok(root, ["merge-base", "HEAD", ref])
    if commit is None:
        raise ConfigError(f"--changed: HEAD and {ref} have no merge-base")
    return commit, f"changed against the merge-base with {ref} ({commit[:12]})"


def parse_name_status(text: str) -> list[str]:
    """New paths from `git diff --name-status -z`: renames and copies under their new name."""
    fields = text.split("\0")
    out: list[str] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i]
        if status[0] in "RC":
            out.append(fields[i + 2])
            i += 3
        else:
            out.append(fields[i + 1])
            i += 2
    return out


def parse_hunks(text: str) -> dict[str, tuple[LineRange, ...]]:
    """Changed lines of the new side per file, from `git diff -U0 --no-prefix` output."""
    found: dict[str, list[LineRange]] = {}
    current: str | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = None if name == "/dev/null" else name
            if current is not None:
                found.setdefault(current, [])
            continue
        hunk = _HUNK.match(line)
        if hunk and current is not None:
            start, count = int(hunk.group(1)), int(hunk.group(2) or "1")
            if count:
                found[current].append(LineRange(start, start + count - 1))
    return {name: tuple(ranges) for name, ranges in found.items()}


def collect(root: Path, ref: str | None, *, lines: bool) -> ChangeSet:
    """The change set of the working tree against the merge-base with `ref`."""
    base, description = merge_base(root, ref)
    diff = _git(root, ["diff", "--name-status", "-z", "-M", "--diff-filter=d", base, "--"])
    untracked = _git(root, ["ls-files", "-z", "--others", "--exclude-standard"])
    if diff.returncode != 0 or untracked.returncode != 0:
        raise ConfigError(f"--changed: git could not list the files {description}")
    new = [n for n in untracked.stdout.split("\0") if n]
    files = sorted({*parse_name_status(diff.stdout), *new})
    ranges = None
    if lines:
        hunks = _git(root, ["diff", "-U0", "--no-color", "--no-prefix", "-M", base, "--"])
        if hunks.returncode != 0:
            raise ConfigError(f"--changed-lines: git diff failed (files {description})")
        ranges = parse_hunks(hunks.stdout)
    return ChangeSet(description, tuple(files), ranges, frozenset(new))


def given(root: Path, names: Iterable[str]) -> ChangeSet:
    """The change set of files named on the command line (pre-commit's staged files)."""
    files: set[str] = set()
    top = root.resolve()
    for name in names:
        path = (Path.cwd() / name).resolve()
        if path.is_relative_to(top) and path.is_file():
            files.add(path.relative_to(top).as_posix())
    return ChangeSet("given on the command line", tuple(sorted(files)))


@dataclass(frozen=True)
class ChangeRequest:
    """What the command line asked for: `--changed [REF]`, `--changed-lines`, or named files."""

    ref: str | None = None
    lines: bool = False
    files: tuple[str, ...] | None = None

    def resolve(self, root: Path) -> ChangeSet:
        if self.files is not None:
            return given(root, self.files)
        return collect(root, self.ref, lines=self.lines)
