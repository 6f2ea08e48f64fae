"""Helpers the deploy checks share: guarded tool runs, path globs, where their files go."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from pathlib import Path

from atlas_ci import reportdir
from atlas_ci.checks.base import AnyContext
from atlas_ci.checks.security import repo_files
from atlas_ci.checks.toolkit import Tool, run_tool
from atlas_ci.process import ProcessResult

# Everything the deploy gate writes lives under this directory of the report directory.
DEPLOY_DIR = "deploy"


def run(
    ctx: AnyContext,
    tool: Tool,
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    ok_codes: Collection[int] = (0,),
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> ProcessResult:
    """run_tool with the check's own timeout and the repository as the default directory."""
    return run_tool(
        tool,
        args,
        cwd=cwd or ctx.root,
        timeout=timeout or ctx.settings.timeout,
        ok_codes=ok_codes,
        env=env,
    )


def work_dir(ctx: AnyContext, *parts: str) -> Path:
    """A directory of the deploy gate's own under the report directory (created)."""
    # Never through a symlink planted in the report directory (see reportdir).
    return reportdir.ensure_dir(ctx.project.report_dir, "/".join((DEPLOY_DIR, *parts)))


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


def matching_files(ctx: AnyContext, patterns: Sequence[str]) -> list[str]:
    """Repository files (git's view: ignored files are not deployed) matching any pattern."""
    skip = list(ctx.project.exclude)
    inside = repo_files.inside(ctx.project.report_dir, ctx.root)
    if inside and inside != ".":
        skip.append(inside)
    files = repo_files.select(repo_files.list_files(ctx.root, ctx.settings.timeout), skip)
    regexes = [glob_regex(p.removeprefix("./")) for p in patterns]
    return [f for f in files if any(r.match(f) for r in regexes)]
