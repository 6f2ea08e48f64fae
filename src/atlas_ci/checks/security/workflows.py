"""security.workflows: zizmor (offline, JSON) over .github/workflows, honouring its own config."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    relpath,
    result,
    tool_version,
)
from atlas_ci.checks.security.policy import Level, fail_on, is_blocking
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity, Status
from atlas_ci.settings import CheckSettings

WORKFLOWS = ".github/workflows"
SEVERITY = {
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
    "informational": Severity.INFO,
    "unknown": Severity.MEDIUM,
}
# zizmor names audits, not weaknesses; these map plainly onto one CWE each.
CWE = {
    "template-injection": "CWE-94",
    "unpinned-uses": "CWE-829",
    "unpinned-images": "CWE-829",
    "hardcoded-container-credentials": "CWE-798",
    "excessive-permissions": "CWE-250",
}


class WorkflowsSettings(CheckSettings):
    persona: Literal["regular", "pedantic", "auditor"] = Field(
        default="regular", description="zizmor persona: regular keeps false positives minimal."
    )
    min_severity: Literal["informational", "low", "medium", "high"] | None = None
    min_confidence: Literal["low", "medium", "high"] | None = None


class Workflows:
    gate = "security"
    name = "workflows"
    tool = "zizmor"
    settings_model = WorkflowsSettings
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return ["zizmor"]

    def version(self, project: ProjectInfo) -> str | None:
        return tool_version(self.default_command(project), project.root)

    def run(self, ctx: CheckContext) -> CheckResult:
        settings = ctx.settings_as(WorkflowsSettings)
        folder = ctx.root / WORKFLOWS
        if not has_workflows(folder):
            return result(
                self,
                Status.SKIPPED,
                f"no workflow files in {WORKFLOWS}",
                tool_version=self.version(ctx.project),
            )
        command = ctx.command(self.default_command(ctx.project))
        res = ctx.run([*command, *zizmor_args(settings), WORKFLOWS])
        if res.timed_out:
            raise CheckError(f"zizmor timed out after {settings.timeout:g}s")
        # --no-exit-codes: findings exit 0, so anything else is zizmor failing.
        if res.returncode != 0:
            raise CheckError(f"zizmor exited {res.returncode}: {res.output_tail}")
        findings = parse(res.stdout, self, ctx)
        return judged(
            self,
            findings,
            version=tool_version(command, ctx.root),
            reason_ok=f"no zizmor findings in {WORKFLOWS}",
        )


def has_workflows(folder: Path) -> bool:
    return folder.is_dir() and any(p.suffix in {".yml", ".yaml"} for p in folder.iterdir())


def zizmor_args(settings: WorkflowsSettings) -> list[str]:
    args = [
        "--offline",
        "--format",
        "json",
        "--no-progress",
        "--no-exit-codes",
        "--color",
        "never",
        "--persona",
        settings.persona,
    ]
    if settings.min_severity:
        args += ["--min-severity", settings.min_severity]
    if settings.min_confidence:
        args += ["--min-confidence", settings.min_confidence]
    return args


def parse(stdout: str, check: Workflows, ctx: CheckContext) -> list[Finding]:
    try:
        items: Any = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise CheckError(f"zizmor printed output that is not JSON: {stdout[:200]!r}") from exc
    if not isinstance(items, list):
        raise CheckError("zizmor JSON output is not a list")
    threshold = fail_on(ctx)
    findings = []
    for item in items:
        if item.get("ignored"):
            continue
        try:
            findings.append(to_finding(item, check, ctx, threshold))
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise CheckError(
                f"unexpected zizmor JSON item {item.get('ident')!r}: {type(exc).__name__} {exc}"
            ) from exc
    return findings


def to_finding(
    item: dict[str, Any], check: Workflows, ctx: CheckContext, threshold: Level
) -> Finding:
    ident = str(item["ident"])
    det = item["determinations"]
    severity = SEVERITY.get(str(det["severity"]).lower(), Severity.MEDIUM)
    locations = item["locations"]
    primary = next(
        (loc for loc in locations if loc["symbolic"].get("kind") == "Primary"), locations[0]
    )
    path = primary["symbolic"]["key"]["Local"]["verbatim_path"]
    span = primary["concrete"]["location"]
    # zizmor rows and columns are 0-based.
    start, end = span["start_point"], span["end_point"]
    annotation = primary["symbolic"].get("annotation") or ""
    message = f"{item['desc']}: {annotation}" if annotation else str(item["desc"])
    tags = ("security", CWE[ident]) if ident in CWE else ("security",)
    return make_finding(
        check,
        ctx.root,
        rule_id=ident,
        message=f"{message} (confidence: {str(det['confidence']).lower()})",
        path=relpath(path, ctx.root),
        line=int(start["row"]) + 1,
        end_line=max(int(start["row"]), int(end["row"])) + 1,
        start_column=int(start["column"]) + 1,
        severity=severity,
        blocking=is_blocking(severity, threshold),
        help_uri=item.get("url"),
        help_text=f"zizmor audit {ident}: {item['desc']}",
        tags=tags,
    )
