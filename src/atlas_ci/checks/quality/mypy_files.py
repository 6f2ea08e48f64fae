"""The files quality.types names to mypy: the file set's, chosen the way mypy walks a directory.

mypy type-checks every file named on its command line, while a directory it walks itself loses
hidden names, the config's `exclude` regexes, and a module shadowed by a stub or a package of
the same name (mypy/find_sources.py: `find_sources_in_dir`, `keyfunc`; modulefinder.py:
`matches_exclude`). Naming the file set's files with those same rules applied keeps mypy's
results what `mypy <paths>` gives, minus atlas-ci's `exclude`; all files go to one mypy run,
so its whole-program analysis is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from atlas_ci.checks import sources
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.checks.quality import mypy_config
from atlas_ci.errors import CheckError


def select(project: ProjectInfo, section: dict[str, Any] | None, timeout: float) -> list[str]:
    """The .py/.pyi files mypy's own walk of the project's paths would pick from the file set."""
    patterns = _compiled(mypy_config.excludes(section))
    files = [
        name
        for name in sources.python_files(project, timeout=timeout)
        if not sources.hidden_below(name, project.paths)
        and not _excluded(name, project.paths, patterns)
    ]
    return one_per_module(files)


def _compiled(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    try:
        return [re.compile(p) for p in patterns]
    except re.error as exc:
        raise CheckError(f"mypy's `exclude` is not a valid regular expression: {exc}") from exc


def _excluded(name: str, tops: Sequence[str], patterns: Sequence[re.Pattern[str]]) -> bool:
    return any(p.search(subpath) for subpath in walked(name, tops) for p in patterns)


def walked(name: str, tops: Sequence[str]) -> Iterator[str]:
    """What mypy matches `exclude` against on its way to the file: each directory below the
    configured path (with a trailing slash), then the file; nothing for a path named itself."""
    rest = sources.below(name, tops)
    if not rest:
        return
    parts = name.split("/")
    first = len(parts) - len(rest.split("/"))
    for end in range(first + 1, len(parts)):
        yield "/".join(parts[:end]) + "/"
    yield name


def one_per_module(files: Sequence[str]) -> list[str]:
    """Drop a module that mypy's walk skips: `x.py` beside `x.pyi`, `x.py[i]` beside a package
    directory `x/` holding files (mypy lists directories first, then stubs, then modules)."""
    kept = set(files)
    packages = {name.rsplit("/", end)[0] for name in files for end in range(1, name.count("/") + 1)}

    def shadowed(name: str) -> bool:
        stem = name.rsplit(".", 1)[0]
        return stem in packages or (name.endswith(".py") and stem + ".pyi" in kept)

    return [name for name in files if not shadowed(name)]
