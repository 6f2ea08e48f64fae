"""The base side of a comparison: which commit it is, and a temporary git worktree holding it.

Base resolution, first that applies:
  1. the `--base REF` option of the command line;
  2. `base` under `[gates.perf]`;
  3. the merge-base of HEAD with the default branch (origin/HEAD, else main, else master, local or
     origin/); when that merge-base is HEAD itself (you are on the default branch), HEAD~1;
  4. HEAD~1.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from atlas_ci import process
from atlas_ci.errors import AtlasCIError, CheckError

GIT_TIMEOUT = 120.0


@dataclass(frozen=True)
class Base:
    sha: str
    described: str  # how it was chosen, for reasons and reports


def git(root: Path, *args: str) -> process.ProcessResult:
    return process.run(["git", *args], cwd=root, timeout=GIT_TIMEOUT)


def _commit(root: Path, ref: str) -> str | None:
    res = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return res.stdout.strip() if res.returncode == 0 and res.stdout.strip() else None


def _default_branch(root: Path) -> str | None:
    res = git(root, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
    candidates = [res.stdout.strip()] if res.returncode == 0 and res.stdout.strip() else []
    candidates += ["main", "master", "origin/main", "origin/master"]
    return next((c for c in candidates if _commit(root, c)), None)


def resolve_base(root: Path, explicit: str | None, configured: str | None) -> Base:
    """The commit to compare with (see the module docstring); CheckError when there is none."""
    for ref, origin in ((explicit, "--base"), (configured, "[gates.perf] base")):
        if ref:
            sha = _commit(root, ref)
            if sha is None:
                raise CheckError(
                    f"base ref {ref!r} (from {origin}) is not a commit in this repository"
                )
            return Base(sha, f"{ref} ({origin})")
    head = _commit(root, "HEAD")
    if head is None:
        raise CheckError(
            'not a git repository with commits: perf needs a base commit (or mode = "baseline")'
        )
    branch = _default_branch(root)
    if branch is not None:
        res = git(root, "merge-base", "HEAD", branch)
        merge_base = res.stdout.strip() if res.returncode == 0 else ""
        if merge_base and merge_base != head:
            return Base(merge_base, f"merge-base of HEAD and {branch}")
    parent = _commit(root, "HEAD~1")
    if parent is None:
        raise CheckError(
            "HEAD has no parent commit to compare with (shallow clone? fetch more "
            'history, pass --base REF, or use mode = "baseline")'
        )
    return Base(parent, "HEAD~1")


@contextlib.contextmanager
def checkout(root: Path, sha: str) -> Iterator[Path]:
    """A detached worktree of `sha`, removed afterwards even on error; yields the directory that
    corresponds to `root` inside it (root may be a sub-directory of the repository)."""
    top = git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise CheckError(f"git rev-parse failed: {top.output_tail}")
    inside = root.resolve().relative_to(Path(top.stdout.strip()).resolve())
    holder = Path(tempfile.mkdtemp(prefix="atlas-ci-base-"))
    tree = holder / "tree"
    try:
        # Worktrees left by an interrupted earlier run are forgotten first.
        git(root, "worktree", "prune")
        res = git(root, "worktree", "add", "--detach", str(tree), sha)
        if res.returncode != 0:
            raise CheckError(f"git worktree add {sha[:12]} failed: {res.output_tail}")
        yield tree / inside
    finally:
        _remove(root, tree)
        shutil.rmtree(holder, ignore_errors=True)


def _remove(root: Path, tree: Path) -> None:
    try:
        git(root, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(tree, ignore_errors=True)
        git(root, "worktree", "prune")
    except (AtlasCIError, process.ShuttingDown):
        # Interrupted: no new program may start. The directory still goes; git forgets the stale
        # entry at the next `worktree prune` (ours, at the start of every checkout).
        shutil.rmtree(tree, ignore_errors=True)
