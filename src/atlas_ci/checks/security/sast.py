"""security.bandit: bandit's JSON over the project's paths, honouring its config and `# nosec`."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    python_module,
    relpath,
    result,
    short_hash,
    tool_version,
)
from atlas_ci.checks.security.policy import Level, fail_on, is_blocking
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity, Status
from atlas_ci.settings import CheckSettings

BanditLevel = Literal["low", "medium", "high"]
# bandit's own default for -x; passing -x replaces it, so we keep it when adding exclusions.
BANDIT_DEFAULT_EXCLUDES = (
    ".svn",
    "CVS",
    ".bzr",
    ".hg",
    ".git",
    "__pycache__",
    ".tox",
    ".eggs",
    "*.egg",
)
SEVERITY = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH}
# These rules quote the hard-coded credential in their message; reports must never carry it.
QUOTES_SECRET = {"B105", "B106", "B107"}


class BanditSettings(CheckSettings):
    min_severity: BanditLevel = Field(
        default="medium", description="Lowest bandit severity reported as a finding."
    )
    min_confidence: BanditLevel = Field(
        default="medium", description="Lowest bandit confidence reported as a finding."
    )


class Bandit:
    gate = "security"
    name = "bandit"
    tool = "bandit"
    settings_model = BanditSettings
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return python_module("bandit")

    def version(self, project: ProjectInfo) -> str | None:
        return tool_version(self.default_command(project), project.root)

    def run(self, ctx: CheckContext) -> CheckResult:
        settings = ctx.settings_as(BanditSettings)
        command = ctx.command(self.default_command(ctx.project))
        argv = [*command, *bandit_args(ctx.root, ctx.project.exclude, settings), *ctx.project.paths]
        res = ctx.run(argv)
        if res.timed_out:
            raise CheckError(f"bandit timed out after {settings.timeout:g}s")
        # --exit-zero: any other exit code means bandit itself failed.
        if res.returncode != 0:
            raise CheckError(f"bandit exited {res.returncode}: {res.output_tail}")
        report = load_report(res.stdout)
        version = tool_version(command, ctx.root)
        if not scanned_files(report):
            return result(
                self,
                Status.SKIPPED,
                "no Python files under " + ", ".join(ctx.project.paths),
                tool_version=version,
            )
        findings = parse(report, self, ctx)
        return judged(
            self,
            findings,
            version=version,
            reason_ok=f"no bandit findings at or above {settings.min_severity} "
            f"severity / {settings.min_confidence} confidence",
        )


def bandit_args(root: Path, exclude: tuple[str, ...], settings: BanditSettings) -> list[str]:
    """Machine output, the thresholds, and the project's own bandit configuration."""
    args = [
        "-f",
        "json",
        "-q",
        "--exit-zero",
        "-r",
        "--severity-level",
        settings.min_severity,
        "--confidence-level",
        settings.min_confidence,
    ]
    if has_pyproject_config(root):
        args += ["-c", "pyproject.toml"]
    ini = root / ".bandit"
    if ini.is_file():
        # bandit only discovers .bandit inside its targets; the repository root is usually not one.
        args += ["--ini", ".bandit"]
    if exclude:
        args += ["-x", ",".join([*BANDIT_DEFAULT_EXCLUDES, *ini_excludes(ini), *exclude])]
    return args


def has_pyproject_config(root: Path) -> bool:
    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "bandit" in tool


def ini_excludes(ini: Path) -> list[str]:
    """The .bandit file's own `exclude`, which a command-line -x would otherwise override."""
    if not ini.is_file():
        return []
    import configparser

    parser = configparser.ConfigParser()
    try:
        parser.read(ini, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise CheckError(f"cannot read .bandit: {exc}") from exc
    raw = parser.get("bandit", "exclude", fallback="")
    return [p.strip() for p in raw.split(",") if p.strip()]


def load_report(stdout: str) -> dict[str, Any]:
    try:
        report: Any = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise CheckError(f"bandit printed output that is not JSON: {stdout[:200]!r}") from exc
    if not isinstance(report, dict) or not isinstance(report.get("results"), list):
        raise CheckError("bandit JSON output has no `results` list")
    errors = report.get("errors") or []
    if errors:
        # Fail closed: a file bandit could not parse was not checked.
        listed = "; ".join(f"{e.get('filename')}: {e.get('reason')}" for e in errors[:5])
        raise CheckError(f"bandit could not scan {len(errors)} path(s): {listed}")
    return report


def scanned_files(report: dict[str, Any]) -> list[str]:
    metrics = report.get("metrics")
    return [k for k in metrics if k != "_totals"] if isinstance(metrics, dict) else []


def parse(report: dict[str, Any], check: Bandit, ctx: CheckContext) -> list[Finding]:
    threshold = fail_on(ctx)
    findings = []
    for item in report["results"]:
        try:
            findings.append(to_finding(item, check, ctx, threshold))
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckError(
                f"unexpected bandit JSON item for {item.get('test_id')!r}: "
                f"{type(exc).__name__} {exc}"
            ) from exc
    return findings


def to_finding(item: dict[str, Any], check: Bandit, ctx: CheckContext, threshold: Level) -> Finding:
    rule = str(item["test_id"])
    severity = SEVERITY[str(item["issue_severity"]).upper()]
    line = max(1, int(item["line_number"]))
    lines = [int(n) for n in item.get("line_range") or [line]]
    tags = ["security"]
    cwe = item.get("issue_cwe") or {}
    if cwe.get("id"):
        tags.append(f"CWE-{int(cwe['id'])}")
    message = redact(rule, str(item["issue_text"]))
    confidence = str(item.get("issue_confidence", "")).lower()
    return make_finding(
        check,
        ctx.root,
        rule_id=rule,
        message=f"{message} (confidence: {confidence})",
        path=relpath(item["filename"], ctx.root),
        line=line,
        end_line=max(line, *lines),
        start_column=int(item.get("col_offset", 0)) + 1,
        severity=severity,
        blocking=is_blocking(severity, threshold),
        help_uri=item.get("more_info"),
        help_text=f"bandit {rule} ({item.get('test_name')})",
        tags=tuple(tags),
    )


def redact(rule: str, text: str) -> str:
    """Replace a quoted credential in bandit's message with a short hash of it."""
    if rule not in QUOTES_SECRET:
        return text
    return re.sub(r"'(.*)'", lambda m: f"<redacted {short_hash(m.group(1))}>", text, count=1)
