"""quality.types: mypy in the project's environment, from its JSON lines, honouring its config."""

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
from atlas_ci.checks.quality import mypy_config
from atlas_ci.checks.quality.common import (
    ensure_complete,
    exit_problem,
    keep_included,
    tail,
    version_of,
)
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings

# Config keys naming what to check: when the project sets one, mypy must not be given paths,
# since paths on the command line make mypy ignore them.
TARGET_KEYS = ("files", "packages", "modules")
MYPY_DOCS = "https://mypy.rtfd.io/en/stable/_refs.html"  # the page mypy's own error links point to


class TypesSettings(CheckSettings):
    pass


class Types:
    gate = "quality"
    name = "types"
    tool = "mypy"
    settings_model = TypesSettings
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return ["mypy"]

    def version(self, project: ProjectInfo) -> str | None:
        return tool_version(self.default_command(project), project.root)

    def run(self, ctx: CheckContext) -> CheckResult:
        argv = ctx.command(self.default_command(ctx.project))
        # From the root with no --config-file: mypy finds and applies the project's own config.
        res = ctx.run([*argv, *mypy_args(ctx.project)])
        ensure_complete(res, "mypy", ctx)
        findings = judge_exit(res, self, ctx)
        findings = keep_included(findings, ctx.project.exclude)
        return judged(self, findings, version=version_of(argv, ctx), reason_ok="no type errors")


def mypy_args(project: ProjectInfo) -> list[str]:
    section = mypy_config.find_section(project.root)
    args = ["--output", "json", "--no-error-summary"]
    # Type-check against the project's installed packages, unless its config names an interpreter.
    if not mypy_config.defines(section, "python_executable"):
        args += ["--python-executable", project.python]
    if any(mypy_config.defines(section, key) for key in TARGET_KEYS):
        return args
    return [*args, *project.paths]


def judge_exit(res: ProcessResult, check: Types, ctx: CheckContext) -> list[Finding]:
    """mypy exits 0 (clean), 1 (type errors) or 2 (crash, bad config, blocking error)."""
    if res.returncode == 2:
        detail = _blocking_detail(res.stdout) or tail(res.output_tail)
        raise CheckError(f"mypy could not check the project: {detail}")
    if res.returncode not in (0, 1):
        raise CheckError(exit_problem("mypy", res))
    findings = parse(res.stdout, check, ctx)
    if res.returncode == 1 and not findings:
        raise CheckError(exit_problem("mypy", res) + " (exit 1 without any error reported)")
    return findings


def load_lines(stdout: str) -> list[dict[str, Any]]:
    """One JSON object per line is mypy's `--output json` format; anything else is not mypy's."""
    items = []
    for line in stdout.splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CheckError(f"mypy printed a line that is not JSON: {line[:200]!r}") from exc
        if not isinstance(item, dict):
            raise CheckError(f"mypy printed JSON that is not an object: {line[:200]!r}")
        items.append(item)
    return items


def parse(stdout: str, check: Types, ctx: CheckContext) -> list[Finding]:
    findings = []
    for item in load_lines(stdout):
        try:
            # mypy folds a note into its error's "hint"; a note standing alone (error context,
            # reveal_type) is not a problem to report.
            if item["severity"] == "note":
                continue
            if item["severity"] != "error":
                raise ValueError(f"unknown severity {item['severity']!r}")
            findings.append(_finding(item, check, ctx))
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckError(f"unexpected mypy JSON item {item!r}: {exc}") from exc
    return findings


def _finding(item: dict[str, Any], check: Types, ctx: CheckContext) -> Finding:
    code = item.get("code") or "misc"
    message = str(item["message"])
    if item.get("hint"):
        message += " (" + "; ".join(str(item["hint"]).splitlines()) + ")"
    line = _positive(item.get("line"))
    # mypy's columns are 0-based with an exclusive end; findings use 1-based columns.
    position = {
        "end_line": _positive(item.get("end_line")),
        "start_column": _positive(item.get("column"), 1),
        "end_column": _positive(item.get("end_column"), 1),
    }
    kept = {k: v for k, v in position.items() if v is not None and line is not None}
    return make_finding(
        check,
        ctx.root,
        rule_id=code,
        message=message,
        path=relpath(item["file"], ctx.root),
        line=line,
        **kept,
        severity=Severity.HIGH if code == "syntax" else Severity.MEDIUM,
        help_uri=f"{MYPY_DOCS}#code-{code}",
        help_text=f"mypy error code {code}",
    )


def _positive(value: object, shift: int = 0) -> int | None:
    """mypy writes -1 when it has no line or column."""
    if value is None:
        return None
    if not isinstance(value, int):
        raise ValueError(f"position {value!r} is not an integer")
    return value + shift if value + shift >= 1 else None


def _blocking_detail(stdout: str) -> str:
    """Blocking errors (syntax errors) still come as JSON lines: name them when they do."""
    try:
        items = load_lines(stdout)
    except CheckError:
        return ""
    problems = [
        f"{i.get('file')}:{i.get('line')}: {i.get('message')}"
        for i in items
        if i.get("severity") == "error"
    ]
    return "; ".join(problems[:5])
