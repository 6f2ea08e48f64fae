"""Helpers the deploy checks share: guarded tool runs, path globs, where their files go."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path

from atlas_ci.checks.base import CheckContext
from atlas_ci.checks.security import repo_files
from atlas_ci.checks.toolkit import Tool, run_tool
from atlas_ci.process import ProcessResult

# Everything the deploy gate writes lives under this directory of the report directory.
DEPLOY_DIR = "deploy"


def run_checked(
    ctx: CheckContext,
    argv: Sequence[str],
    tool: str,
    *,
    cwd: Path | None = None,
    ok_codes: Iterable[int] = (0,),
    env: Mapping[str, str] | None = None,
) -> ProcessResult:
    """One tool run whose output can be judged: complete, and ended with an expected code."""
    return run_tool(
        Tool(tool, tuple(argv[:1])),
        argv[1:],
        cwd=cwd or ctx.root,
        timeout=ctx.settings.timeout,
        ok_codes=tuple(ok_codes),
        env=env,
    )


def work_dir(ctx: CheckContext, *parts: str) -> Path:
    """A directory of the deploy gate's own under the report directory (created)."""
    path = ctx.project.report_dir.joinpath(DEPLOY_DIR, *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


@cache
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A path glob as git and pathlib read it: `**/` spans directories, `*` stays in one."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        else:
            char = pattern[i]
            out.append({"*": "[^/]*", "?": "[^/]"}.get(char, re.escape(char)))
            i += 1
    return re.compile("".join(out) + r"\Z")


def matching_files(ctx: CheckContext, patterns: Sequence[str]) -> list[str]:
    """Repository files (git's view: ignored files are not deployed) matching any pattern."""
    skip = list(ctx.project.exclude)
    inside = repo_files.inside(ctx.project.report_dir, ctx.root)
    if inside and inside != ".":
        skip.append(inside)
    files = repo_files.select(repo_files.list_files(ctx.root, ctx.settings.timeout), skip)
    regexes = [glob_regex(p.removeprefix("./")) for p in patterns]
    return [f for f in files if any(r.match(f) for r in regexes)]
