"""quality.lint: ruff check, read from its JSON output, honouring the project's own ruff config."""

from __future__ import annotations

import json
from typing import Any

from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    relpath,
    tool_version,
)
from atlas_ci.checks.quality.common import ensure_complete, exit_problem, version_of
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity
from atlas_ci.settings import CheckSettings

# ruff >= 0.5 names syntax errors "invalid-syntax"; older releases gave them a null code.
SYNTAX_ERROR = "invalid-syntax"
# ruff's warning when the paths hold no Python file: nothing was linted, so nothing can pass.
NO_FILES = "No Python files found"


class LintSettings(CheckSettings):
    pass


class Lint:
    gate = "quality"
    name = "lint"
    tool = "ruff"
    settings_model = LintSettings
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return ["ruff"]

    def version(self, project: ProjectInfo) -> str | None:
        return tool_version(self.default_command(project), project.root)

    def run(self, ctx: CheckContext) -> CheckResult:
        argv = ctx.command(self.default_command(ctx.project))
        res = ctx.run([*argv, *lint_args(ctx.project)])
        ensure_complete(res, "ruff", ctx)
        if res.returncode != 0:
            raise CheckError(exit_problem("ruff", res))
        findings = parse(res.stdout, self, ctx)
        if not findings and NO_FILES in res.stderr:
            raise CheckError(f"ruff found no Python files in {', '.join(ctx.project.paths)}")
        return judged(self, findings, version=version_of(argv, ctx), reason_ok="no lint findings")


def lint_args(project: ProjectInfo) -> list[str]:
    # --exit-zero: findings are read from the JSON, so any non-zero exit means ruff itself failed.
    # --force-exclude: the project's `exclude` applies even to paths named on the command line.
    args = ["check", "--output-format", "json", "--no-fix", "--force-exclude", "--exit-zero"]
    for pattern in project.exclude:
        args += ["--extend-exclude", pattern]  # extends, never replaces, the project's own list
    return [*args, *project.paths]


def load_items(stdout: str, tool: str = "ruff") -> list[Any]:
    """ruff's JSON diagnostics list (shared by `ruff check` and `ruff format --check`)."""
    try:
        items: Any = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise CheckError(f"{tool} printed output that is not JSON: {stdout[:200]!r}") from exc
    if not isinstance(items, list):
        raise CheckError(f"{tool} JSON output is not a list")
    return items


def parse(stdout: str, check: Lint, ctx: CheckContext) -> list[Finding]:
    findings = []
    for item in load_items(stdout):
        try:
            findings.append(_finding(item, check, ctx))
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise CheckError(f"unexpected ruff JSON item {item!r}: {exc}") from exc
    return findings


def _finding(item: dict[str, Any], check: Lint, ctx: CheckContext) -> Finding:
    code = item.get("code") or SYNTAX_ERROR
    loc, end = item["location"], item.get("end_location") or item["location"]
    name = item.get("name")
    return make_finding(
        check,
        ctx.root,
        rule_id=code,
        message=str(item["message"]),
        path=relpath(item["filename"], ctx.root),
        line=max(1, int(loc["row"])),
        end_line=max(1, int(end["row"])),
        start_column=max(1, int(loc["column"])),
        end_column=max(1, int(end["column"])),
        severity=Severity.HIGH if code == SYNTAX_ERROR else Severity.MEDIUM,
        help_uri=item.get("url"),
        help_text=f"ruff rule {code}" + (f" ({name})" if name else ""),
    )
