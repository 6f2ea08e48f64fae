"""The repository's state as plain facts: its files' content, its commit, its branch.

Light to import (git runs through `process.quick`, argv only) because the instant replay reads
these before anything heavy is imported. The content digest covers every file git
lists (tracked, and untracked but not ignored) outside the directories atlas-ci never reads
(fileset.PRUNED) and the report directory: more than any one check reads, so a change anywhere a
check could look changes it.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from atlas_ci import file_memo, process
from atlas_ci.fileset import PRUNED, ROOT_PRUNED

GIT_TIMEOUT = 60.0


def _git(root: Path, *args: str) -> str | None:
    return process.quick(["git", *args], root, GIT_TIMEOUT)


def commit(root: Path) -> str | None:
    out = _git(root, "rev-parse", "HEAD")
    return (out.strip() or None) if out is not None else None


def branch(root: Path) -> str | None:
    """The checked-out branch, read from .git/HEAD (no git process for a history field)."""
    git = root / ".git"
    try:
        if git.is_file():  # a worktree or submodule: "gitdir: <path>"
            git = (root / git.read_text(encoding="utf-8").split(":", 1)[1].strip()).resolve()
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, IndexError):
        return None
    prefix = "ref: refs/heads/"
    return head[len(prefix) :] if head.startswith(prefix) else None


def _kept(name: str, report_dir: str | None) -> bool:
    parts = name.split("/")
    if any(p in PRUNED for p in parts[:-1]) or (len(parts) > 1 and parts[0] in ROOT_PRUNED):
        return False
    return report_dir is None or not (name == report_dir or name.startswith(report_dir + "/"))


def content_digest(root: Path, report_dir: Path | None) -> str | None:
    """One digest of every listed file's name and content; None outside a git work tree."""
    found = content(root, report_dir)
    return found[0] if found is not None else None


def content(root: Path, report_dir: Path | None) -> tuple[str, dict[str, str]] | None:
    """`content_digest` and the digest of each file it covers (by repository-relative name)."""
    listed = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is None:
        return None
    inside: str | None = None
    if report_dir is not None:
        try:
            inside = report_dir.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            inside = None  # a report directory outside the repository: git does not list it
    digest = hashlib.sha256()
    files: dict[str, str] = {}
    for name in sorted({n for n in listed.split("\0") if n and _kept(n, inside)}):
        files[name] = file_digest(root / name)
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
        digest.update(files[name].encode() + b"\n")
    return digest.hexdigest(), files


def file_digest(path: Path) -> str:
    """The file's SHA-256; "absent" for a path that is not a regular file (a deleted file git
    still lists, a directory: a submodule), "unreadable" when it cannot be read."""
    if not os.path.isfile(path):
        return "absent"
    return file_memo.digest_of(path) or "unreadable"
