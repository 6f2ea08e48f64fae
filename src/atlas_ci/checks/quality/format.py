"""quality.format: `ruff format --check`, one finding per file that would be reformatted."""

from __future__ import annotations

from typing import Any

from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    relpath,
    tool_version,
)
from atlas_ci.checks.quality.common import ensure_complete, exit_problem, tail, version_of
from atlas_ci.checks.quality.lint import load_items
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity, fingerprint
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings

UNFORMATTED = "unformatted"  # ruff's code for "File would be reformatted"


class FormatSettings(CheckSettings):
    pass


class Format:
    gate = "quality"
    name = "format"
    tool = "ruff"
    settings_model = FormatSettings
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return ["ruff"]

    def version(self, project: ProjectInfo) -> str | None:
        return tool_version(self.default_command(project), project.root)

    def run(self, ctx: CheckContext) -> CheckResult:
        argv = ctx.command(self.default_command(ctx.project))
        res = ctx.run([*argv, *format_args(ctx.project)])
        ensure_complete(res, "ruff format", ctx)
        findings = judge_exit(res, self, ctx)
        return judged(
            self, findings, version=version_of(argv, ctx), reason_ok="every file is formatted"
        )


def format_args(project: ProjectInfo) -> list[str]:
    # --force-exclude: the project's `exclude` applies even to paths named on the command line.
    args = ["format", "--check", "--output-format", "json", "--force-exclude"]
    for pattern in project.exclude:
        args += ["--extend-exclude", pattern]
    return [*args, *project.paths]


def judge_exit(res: ProcessResult, check: Format, ctx: CheckContext) -> list[Finding]:
    """ruff format --check exits 0 (all formatted), 1 (some would change) or 2 (error)."""
    if res.returncode == 2:
        detail = _error_detail(res.stdout, ctx) or tail(res.output_tail)
        raise CheckError(f"ruff format could not check the files: {detail}")
    if res.returncode not in (0, 1):
        raise CheckError(exit_problem("ruff format", res))
    if not res.stdout.strip():
        if res.returncode == 0:
            # With JSON output ruff prints nothing at all only when it found no file to check.
            raise CheckError(f"ruff format found no Python files in {', '.join(ctx.project.paths)}")
        raise CheckError(exit_problem("ruff format", res))
    findings = parse(res.stdout, check, ctx)
    if res.returncode == 1 and not findings:
        raise CheckError("ruff format exited 1 but reported no file to reformat")
    return findings


def parse(stdout: str, check: Format, ctx: CheckContext) -> list[Finding]:
    """One finding per file; anything but an "unformatted" diagnostic means ruff did not finish."""
    by_path: dict[str, Finding] = {}
    for item in load_items(stdout, "ruff format"):
        try:
            code = item.get("code")
            if code != UNFORMATTED:
                raise CheckError(
                    f"ruff format reported {code}: {item.get('message')} in {item.get('filename')}"
                )
            path = relpath(item["filename"], ctx.root)
            if path not in by_path:
                by_path[path] = _finding(item, path, check, ctx)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise CheckError(f"unexpected ruff format JSON item {item!r}: {exc}") from exc
    return list(by_path.values())


def _finding(item: dict[str, Any], path: str, check: Format, ctx: CheckContext) -> Finding:
    return make_finding(
        check,
        ctx.root,
        rule_id=UNFORMATTED,
        message="File would be reformatted by ruff format",
        path=path,
        line=max(1, int(item["location"]["row"])),
        severity=Severity.LOW,
        help_text="Run `ruff format` to apply the project's formatting.",
        # One finding per file: its identity is the file, not the first line that differs.
        fingerprint=fingerprint(UNFORMATTED, path, ""),
    )


def _error_detail(stdout: str, ctx: CheckContext) -> str:
    """ruff still prints its JSON list on exit 2 (e.g. a syntax error): name the files if so."""
    try:
        items = load_items(stdout, "ruff format")
        problems = [
            f"{relpath(i['filename'], ctx.root)}:{i['location']['row']}: {i['message']}"
            for i in items
            if i.get("code") != UNFORMATTED
        ]
    except (CheckError, AttributeError, KeyError, TypeError):
        return ""
    return "; ".join(problems[:5])
