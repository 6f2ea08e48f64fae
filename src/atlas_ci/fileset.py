"""The repository's file set, one meaning for every check, and one meaning of `exclude`.

The files: what git tracks plus untracked files it does not ignore (a tree walk outside git), never
inside a virtual environment (any directory holding `pyvenv.cfg`, whatever its name), node_modules,
VCS data, tool caches, or the build/dist output at the root. `exclude` patterns are gitignore-style
(pathspec's GitIgnoreSpec): `name.py` matches at any depth, `dir/` a directory anywhere, `/x` or
`a/b` anchored at the root, `**` any number of directories, `!pattern` re-includes.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from atlas_ci.errors import ToolNotFoundError

if TYPE_CHECKING:
    import pathspec

PRUNED = frozenset(
    {
        "node_modules",
        "__pycache__",
        "site-packages",
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".eggs",
        ".venv",
        ".atlas-ci",  # atlas-ci's own history, result cache and baseline
    }
)
# Build output lands at the root; a package named `build` deeper down (src/build) is source.
ROOT_PRUNED = frozenset({"build", "dist"})
GIT_TIMEOUT = 120.0


def pruned(parent: Path, name: str, top: Path | None = None) -> bool:
    """Is `parent/name` a directory no check looks into?"""
    if name in PRUNED or name.endswith(".egg-info"):
        return True
    if name in ROOT_PRUNED and (top is None or parent == top):
        return True
    return (parent / name / "pyvenv.cfg").exists()


def walk(top: Path, *, hidden: bool = False) -> Iterator[Path]:
    """Every file under `top`, outside pruned directories (and hidden ones unless `hidden`)."""
    for folder, dirs, files in os.walk(top):
        here = Path(folder)
        dirs[:] = [
            d for d in dirs if (hidden or not d.startswith(".")) and not pruned(here, d, top)
        ]
        for name in files:
            yield here / name


class _Listings:
    """Within `one_listing()` the file set is listed once per root (every check of a run asks
    at once, from its own thread); outside it, every call lists afresh."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.found: dict[Path, list[str]] = {}


_LISTINGS = _Listings()


@contextlib.contextmanager
def one_listing() -> Iterator[None]:
    """One run's scope: the repository is listed once however many checks ask."""
    with _LISTINGS.lock:
        _LISTINGS.depth += 1
    try:
        yield
    finally:
        with _LISTINGS.lock:
            _LISTINGS.depth -= 1
            if not _LISTINGS.depth:
                _LISTINGS.found.clear()


def repository_files(root: Path, timeout: float = GIT_TIMEOUT) -> list[str]:
    """Repository-relative POSIX paths of the regular files every check considers."""
    with _LISTINGS.lock:
        scoped = _LISTINGS.depth > 0
    if not scoped:
        return _list(root, timeout)
    with _LISTINGS.lock:
        key = root.resolve()
        if key not in _LISTINGS.found:
            _LISTINGS.found[key] = _list(root, timeout)
        return list(_LISTINGS.found[key])


def _list(root: Path, timeout: float) -> list[str]:
    names = git_files(root, timeout)
    if names is None:
        names = [p.relative_to(root).as_posix() for p in walk(root, hidden=True)]
    keep = _Pruner(root)
    return sorted({n for n in names if keep(n) and (root / n).is_file()})


def git_files(root: Path, timeout: float) -> list[str] | None:
    """Tracked plus untracked-not-ignored files; None without git or outside a work tree."""
    from atlas_ci import process  # here: the instant replay imports this module's names

    argv = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        res = process.run(argv, cwd=root, timeout=timeout)
    except ToolNotFoundError:
        return None
    if res.returncode != 0 or res.timed_out:
        return None
    return [name for name in res.stdout.split("\0") if name]


class _Pruner:
    """Whether a listed path lies outside every pruned directory (each directory checked once)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirs: dict[str, bool] = {}

    def __call__(self, rel: str) -> bool:
        parts = rel.split("/")[:-1]
        return all(self._ok("/".join(parts[: i + 1])) for i in range(len(parts)))

    def _ok(self, rel_dir: str) -> bool:
        if rel_dir not in self._dirs:
            path = self.root / rel_dir
            self._dirs[rel_dir] = not pruned(path.parent, path.name, self.root)
        return self._dirs[rel_dir]


@lru_cache(maxsize=64)
def _spec(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    # GitIgnoreSpec: git's own precedence rules (a later `!pattern` re-includes, as in git).
    import pathspec  # here, not at start-up: its backends take a while to import

    return pathspec.GitIgnoreSpec.from_lines(_anchored(p) for p in patterns)


def _anchored(pattern: str) -> str:
    """`./gen` (as ruff and radon configs write it) means the root's gen, i.e. git's `/gen`;
    git itself would match nothing with it."""
    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    if body.startswith("./"):
        body = "/" + body[2:]
    return ("!" if negated else "") + body


def excluded(path: str, patterns: Iterable[str]) -> bool:
    """Does a gitignore-style pattern exclude this repository-relative path (or a parent dir)?

    As in git, a file inside an excluded directory cannot be re-included by a later `!pattern`,
    while `dir/**` excludes what is inside `dir`, not `dir` itself, so `!dir/keep.py` works.
    """
    key = tuple(patterns)
    return bool(_spec(key).match_file(path)) or any(
        _dir_excluded(key, parent) for parent in _parents(path)
    )


@lru_cache(maxsize=4096)
def _dir_excluded(patterns: tuple[str, ...], directory: str) -> bool:
    """Does the last pattern matching the directory itself (not only what is inside it) exclude it?

    pathspec's regex for a pattern that can match a directory captures the slash after it in
    the group `ps_d`; `dir/**` compiles to `^dir/` with no such group: it matches the inside.
    """
    state = False
    for pattern in _spec(patterns).patterns:
        regex = getattr(pattern, "regex", None)
        if pattern.include is None or regex is None:
            continue
        match = regex.match(directory + "/")
        if match is not None and match.groupdict().get("ps_d") is not None:
            state = bool(pattern.include)
    return state


def _parents(path: str) -> Iterator[str]:
    parts = path.split("/")[:-1]
    for i in range(len(parts)):
        yield "/".join(parts[: i + 1])


def select(paths: Sequence[str], patterns: Sequence[str]) -> list[str]:
    """The paths no pattern excludes."""
    if not patterns:
        return list(paths)
    return [p for p in paths if not excluded(p, patterns)]


def top(path: str) -> str:
    """A configured path as a repository-relative POSIX prefix ("" for the root itself)."""
    norm = posixpath.normpath(path.replace(os.sep, "/"))
    return "" if norm in (".", "/") else norm.removeprefix("./")


def under(path: str, tops: Sequence[str]) -> bool:
    """Is a repository-relative path one of `tops` (configured paths) or inside one of them?"""
    for given in tops:
        prefix = top(given)
        if not prefix or path == prefix or path.startswith(prefix + "/"):
            return True
    return False
