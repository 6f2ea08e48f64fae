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
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity
from atlas_ci.settings import CheckSettings


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
        # --force-exclude: the project's `exclude` applies even to paths named on the command line.
        args = ["check", "--output-format", "json", "--no-fix", "--force-exclude", "--exit-zero"]
        for pattern in ctx.project.exclude:
            args += ["--extend-exclude", pattern]
        res = ctx.run([*argv, *args, *ctx.project.paths])
        if res.timed_out:
            raise CheckError(f"ruff timed out after {ctx.settings.timeout:g}s")
        if res.returncode != 0:
            raise CheckError(f"ruff exited {res.returncode}: {res.output_tail}")
        findings = parse(res.stdout, self, ctx)
        return judged(self, findings, reason_ok="no lint findings")


def parse(stdout: str, check: Lint, ctx: CheckContext) -> list[Finding]:
    try:
        items: Any = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise CheckError(f"ruff printed output that is not JSON: {stdout[:200]!r}") from exc
    if not isinstance(items, list):
        raise CheckError("ruff JSON output is not a list")
    findings = []
    for item in items:
        try:
            code = item.get("code") or "syntax-error"  # ruff gives code null for syntax errors
            loc, end = item["location"], item.get("end_location") or item["location"]
            path = relpath(item["filename"], ctx.root)
            findings.append(make_finding(
                check, ctx.root, rule_id=code, message=item["message"], path=path,
                line=max(1, int(loc["row"])), end_line=max(1, int(end["row"])),
                start_column=max(1, int(loc["column"])), end_column=max(1, int(end["column"])),
                severity=Severity.HIGH if code == "syntax-error" else Severity.MEDIUM,
                help_uri=item.get("url"), help_text=f"ruff rule {code}",
            ))
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckError(f"unexpected ruff JSON item {item!r}: {exc}") from exc
    return findings
