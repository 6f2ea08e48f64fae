"""security.workflows: zizmor (offline, JSON) over the repository, honouring its own config.

zizmor is given the repository root, as `zizmor --offline .` is: it collects what it audits itself
(workflows, composite actions, Dependabot config), so the check audits exactly what zizmor would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, NotRequired

from pydantic import Field, TypeAdapter
from typing_extensions import TypedDict

from atlas_ci import fileset
from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding, relpath, result
from atlas_ci.checks.security.policy import Level, SecurityGateSettings, is_blocking
from atlas_ci.checks.toolkit import Tool, load_json, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity, Status
from atlas_ci.settings import CheckSettings

ZIZMOR = Tool("zizmor", ("zizmor",), distribution="zizmor")
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


class Point(TypedDict):
    row: int
    column: int


class Span(TypedDict):
    start_point: Point
    end_point: Point


class Concrete(TypedDict):
    location: Span


class LocalKey(TypedDict):
    verbatim_path: str


class Key(TypedDict):
    Local: LocalKey


class Symbolic(TypedDict):
    key: Key
    kind: str
    annotation: NotRequired[str | None]


class ZLocation(TypedDict):
    symbolic: Symbolic
    concrete: Concrete


class Determinations(TypedDict):
    severity: str
    confidence: str


class Item(TypedDict):
    """One zizmor finding in its JSON output (only the fields atlas-ci reads)."""

    ident: str
    desc: str
    url: NotRequired[str | None]
    determinations: Determinations
    locations: list[ZLocation]
    ignored: NotRequired[bool]


ITEMS = TypeAdapter(list[Item])
WorkflowsContext = CheckContext[WorkflowsSettings, SecurityGateSettings]


class Workflows:
    gate, name, tool = "security", "workflows", ZIZMOR.name
    settings_model, exclusive = WorkflowsSettings, False

    def run(self, ctx: WorkflowsContext) -> CheckResult:
        settings = ctx.settings
        zizmor = ZIZMOR.using(settings.command)
        if not has_inputs(ctx.root):
            reason = f"no workflow files in {WORKFLOWS}, no action.yml and no dependabot.yml"
            return result(self, Status.SKIPPED, reason, tool_version=zizmor.version(ctx.root))
        # --no-exit-codes: findings exit 0, so anything else is zizmor failing.
        args = [*zizmor_args(settings), "."]
        res = run_tool(zizmor, args, cwd=ctx.root, timeout=settings.timeout)
        return judged(
            self,
            parse(res.stdout, self, ctx),
            version=zizmor.version(ctx.root),
            reason_ok="no zizmor findings in the workflows, actions and Dependabot config",
        )

    def version(self, project: ProjectInfo) -> str | None:
        return ZIZMOR.version(project.root)


def has_workflows(folder: Path) -> bool:
    return folder.is_dir() and any(p.suffix in {".yml", ".yaml"} for p in folder.iterdir())


_INPUT_NAMES = frozenset({"action.yml", "action.yaml", "dependabot.yml", "dependabot.yaml"})


def has_inputs(root: Path) -> bool:
    """Anything zizmor collects: workflows, composite actions (action.yml), Dependabot config."""
    if has_workflows(root / WORKFLOWS):
        return True
    return any(p.name in _INPUT_NAMES for p in fileset.walk(root, hidden=True))


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


def parse(stdout: str, check: Workflows, ctx: WorkflowsContext) -> list[Finding]:
    items = load_json(stdout, ITEMS, tool="zizmor")
    threshold = ctx.gate_settings.fail_on
    return [to_finding(i, check, ctx, threshold) for i in items if not i.get("ignored")]


def to_finding(item: Item, check: Workflows, ctx: WorkflowsContext, threshold: Level) -> Finding:
    ident, det = item["ident"], item["determinations"]
    severity = SEVERITY.get(det["severity"].lower(), Severity.MEDIUM)
    locations = item["locations"]
    if not locations:
        raise CheckError(f"zizmor reported {ident} with no location")
    primary = next((loc for loc in locations if loc["symbolic"]["kind"] == "Primary"), locations[0])
    path = primary["symbolic"]["key"]["Local"]["verbatim_path"]
    span = primary["concrete"]["location"]
    # zizmor rows and columns are 0-based.
    start, end = span["start_point"], span["end_point"]
    annotation = primary["symbolic"].get("annotation") or ""
    message = f"{item['desc']}: {annotation}" if annotation else item["desc"]
    tags = ("security", CWE[ident]) if ident in CWE else ("security",)
    return make_finding(
        check,
        ctx.root,
        rule_id=ident,
        message=f"{message} (confidence: {det['confidence'].lower()})",
        path=relpath(path, ctx.root),
        line=start["row"] + 1,
        end_line=max(start["row"], end["row"]) + 1,
        start_column=start["column"] + 1,
        severity=severity,
        blocking=is_blocking(severity, threshold),
        help_uri=item.get("url"),
        help_text=f"zizmor audit {ident}: {item['desc']}",
        tags=tags,
    )
