"""The files a file-based check hands its tool: the one file set, under `paths`, minus `exclude`.

Every file-based check (ruff, mypy, radon, bandit; the secrets scan reads the file set directly)
names its files explicitly, taken from fileset.py's file set: so `exclude` means one thing, the
gitignore-style patterns documented there, for every check, and nothing inside a virtual
environment or a cache directory is ever looked at. Each tool's own configuration still applies
on top (ruff's `--force-exclude`, bandit's excludes; mypy's `exclude` is read from its config,
since mypy applies it only to directories it walks itself).

When the list is empty the check has nothing to judge: `skipped` when the paths were atlas-ci's
defaults (an empty repository, a repository of shell scripts), `error` when the user configured
them (a typo, or an `exclude` that removed everything, must not pass silently).
"""

from __future__ import annotations

from collections.abc import Sequence

from atlas_ci import fileset
from atlas_ci.checks.base import Check, ProjectInfo, result
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Status

PYTHON = (".py", ".pyi")


def listed(project: ProjectInfo, timeout: float = fileset.GIT_TIMEOUT) -> list[str]:
    """Repository files under the project's paths that no `exclude` pattern removes."""
    if project.files is not None:  # a changed-files run: exactly those (already scoped)
        names = list(project.files)
    else:
        missing = [p for p in project.paths if not (project.root / p).exists()]
        if missing:
            raise CheckError(f"configured path not found: {', '.join(missing)}")
        names = fileset.repository_files(project.root, timeout)
    kept = fileset.select(names, project.exclude)
    return [name for name in kept if fileset.under(name, project.paths)]


def python_files(
    project: ProjectInfo, suffixes: Sequence[str] = PYTHON, timeout: float = fileset.GIT_TIMEOUT
) -> list[str]:
    """The listed files ending in one of `suffixes`."""
    ends = tuple(suffixes)
    return [name for name in listed(project, timeout) if name.endswith(ends)]


def nothing_to_check(check: Check, project: ProjectInfo, what: str = "Python files") -> CheckResult:
    """The outcome of a file-based check that found no file: skipped, or error when configured."""
    where = ", ".join(project.paths)
    noted = f" after `exclude` ({', '.join(project.exclude)})" if project.exclude else ""
    if project.paths_configured:
        raise CheckError(f"no {what} in the configured paths ({where}){noted}")
    return result(
        check,
        Status.SKIPPED,
        f"no {what} in {where} (atlas-ci's default paths){noted}",
    )


def below(name: str, tops: Sequence[str]) -> str | None:
    """The part of `name` below the first configured path holding it ("" when it is that path)."""
    for given in tops:
        prefix = fileset.top(given)
        if not prefix:
            return name
        if name == prefix:
            return ""
        if name.startswith(prefix + "/"):
            return name[len(prefix) + 1 :]
    return None


def hidden_below(name: str, tops: Sequence[str]) -> bool:
    """Does the path cross a hidden directory or name a hidden file below its configured path?

    mypy and radon skip such names when they walk a directory themselves (`.venv`, `.tox`,
    `.github`), so a file list standing in for their walk leaves them out too; a path the user
    named itself is never hidden.
    """
    rest = below(name, tops)
    return bool(rest) and any(part.startswith(".") for part in (rest or "").split("/"))
