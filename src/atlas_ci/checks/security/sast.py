"""security.bandit: bandit's JSON over the project's paths, honouring its config and `# nosec`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, NotRequired

from pydantic import Field, TypeAdapter
from typing_extensions import TypedDict

from atlas_ci import pyproject
from atlas_ci import redact as redaction
from atlas_ci.checks import sources
from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    python_module,
    relpath,
    result,
    short_hash,
)
from atlas_ci.checks.security.policy import Level, SecurityGateSettings, is_blocking
from atlas_ci.checks.toolkit import Tool, argv_chunks, load_json, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity, Status
from atlas_ci.settings import CheckSettings

BanditLevel = Literal["low", "medium", "high"]
# bandit's own `include` default: what it scans of a directory it walks.
BANDIT_INCLUDE = (".py", ".pyw")
SEVERITY = {"LOW": Severity.LOW, "MEDIUM": Severity.MEDIUM, "HIGH": Severity.HIGH}
Upper = Literal["LOW", "MEDIUM", "HIGH", "UNDEFINED"]
# These rules quote the hard-coded credential in their message; reports must never carry it.
QUOTES_SECRET = {"B105", "B106", "B107"}


class BanditSettings(CheckSettings):
    min_severity: BanditLevel = Field(
        default="medium", description="Lowest bandit severity reported as a finding."
    )
    min_confidence: BanditLevel = Field(
        default="medium", description="Lowest bandit confidence reported as a finding."
    )


class Cwe(TypedDict):
    id: int


class Issue(TypedDict):
    """One item of bandit's JSON `results`."""

    test_id: str
    test_name: str
    issue_text: str
    issue_severity: Upper
    issue_confidence: Upper
    filename: str
    line_number: int
    line_range: NotRequired[list[int]]
    col_offset: NotRequired[int]
    issue_cwe: NotRequired[Cwe | None]
    more_info: NotRequired[str | None]


class ScanError(TypedDict):
    filename: str
    reason: str


class Report(TypedDict):
    results: list[Issue]
    errors: list[ScanError]
    metrics: dict[str, object]


REPORT = TypeAdapter(Report)


def bandit_tool(project: ProjectInfo) -> Tool:
    return Tool("bandit", tuple(python_module("bandit", project)), distribution="bandit")


class Bandit:
    gate, name, tool = "security", "bandit", "bandit"
    settings_model, exclusive = BanditSettings, False

    def run(self, ctx: CheckContext[BanditSettings, SecurityGateSettings]) -> CheckResult:
        settings = ctx.settings
        bandit = bandit_tool(ctx.project).using(settings.command)
        files = sources.python_files(ctx.project, BANDIT_INCLUDE, settings.timeout)
        if not files:
            return sources.nothing_to_check(self, ctx.project)
        args = bandit_args(ctx.root, settings)
        # --exit-zero: any other exit code means bandit itself failed.
        runs = (
            run_tool(bandit, [*args, *chunk], cwd=ctx.root, timeout=settings.timeout)
            for chunk in argv_chunks(files)
        )
        report = merged(load_report(res.stdout) for res in runs)
        version = bandit.version(ctx.root)
        if not scanned_files(report):
            # The project's own bandit config excludes every file: its choice, stated.
            reason = "the project's bandit config excludes every file under "
            return result(
                self, Status.SKIPPED, reason + ", ".join(ctx.project.paths), tool_version=version
            )
        return judged(
            self,
            parse(report, self, ctx),
            version=version,
            reason_ok=f"no bandit findings at or above {settings.min_severity} "
            f"severity / {settings.min_confidence} confidence",
        )

    def version(self, project: ProjectInfo) -> str | None:
        return bandit_tool(project).version(project.root)

    def replay(self, root: Path, result: CheckResult, notes: object) -> None:
        """A cached result's hardcoded passwords, found again on their (unchanged) lines by
        their tags, so the redaction knows them as if bandit had just quoted them."""
        redaction.remember(tagged_values(root, result.findings))


_TAG = re.compile(r"<redacted ([0-9a-f]+)>")
_LITERAL = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"")


def tagged_values(root: Path, findings: Iterable[Finding]) -> set[str]:
    """The string literals on the findings' lines whose tag is the one in their message."""
    values: set[str] = set()
    for f in findings:
        tag = _TAG.search(f.message)
        if f.rule_id not in QUOTES_SECRET or tag is None or f.location is None:
            continue
        text = (root / f.location.path).read_text(encoding="utf-8", errors="replace")
        first = f.location.start_line or 1
        lines = text.splitlines()[first - 1 : f.location.end_line or first]
        for match in _LITERAL.finditer("\n".join(lines)):
            literal = match.group(1) if match.group(1) is not None else match.group(2)
            if short_hash(literal, root) == tag.group(1):
                values.add(literal)
    return values


def bandit_args(root: Path, settings: BanditSettings) -> list[str]:
    """Machine output, the thresholds, and the project's own bandit configuration.

    No `-x`: the files are named (the file set minus `exclude`), and bandit still applies its
    own default excludes and the project's `exclude_dirs` / .bandit `exclude` to them."""
    args = [
        "-f",
        "json",
        "-q",
        "--exit-zero",
        "--severity-level",
        settings.min_severity,
        "--confidence-level",
        settings.min_confidence,
    ]
    if has_pyproject_config(root):
        args += ["-c", "pyproject.toml"]
    if (root / ".bandit").is_file():
        # bandit only discovers .bandit inside its targets; the repository root is usually not one.
        args += ["--ini", ".bandit"]
    return args


def has_pyproject_config(root: Path) -> bool:
    return pyproject.tool_table(pyproject.load(root), "bandit") is not None


def load_report(stdout: str) -> Report:
    report = load_json(stdout, REPORT, tool="bandit")
    if report["errors"]:
        # Fail closed: a file bandit could not parse was not checked.
        errors = report["errors"]
        listed = "; ".join(f"{e['filename']}: {e['reason']}" for e in errors[:5])
        raise CheckError(f"bandit could not scan {len(errors)} path(s): {listed}")
    return report


def merged(reports: Iterable[Report]) -> Report:
    """One report from the runs over each argv-sized chunk of the files."""
    out: Report = {"results": [], "errors": [], "metrics": {}}
    for report in reports:
        out["results"] += report["results"]
        out["errors"] += report["errors"]
        out["metrics"].update(report["metrics"])
    return out


def scanned_files(report: Report) -> list[str]:
    return [k for k in report["metrics"] if k != "_totals"]


def parse(
    report: Report, check: Bandit, ctx: CheckContext[BanditSettings, SecurityGateSettings]
) -> list[Finding]:
    threshold = ctx.gate_settings.fail_on
    return [to_finding(item, check, ctx, threshold) for item in report["results"]]


def to_finding(item: Issue, check: Bandit, ctx: CheckContext, threshold: Level) -> Finding:
    rule = item["test_id"]
    if item["issue_severity"] not in SEVERITY:
        raise CheckError(f"bandit reported {rule} with no severity")
    severity = SEVERITY[item["issue_severity"]]
    line = max(1, item["line_number"])
    lines = item.get("line_range") or [line]
    cwe = item.get("issue_cwe")
    tags = ("security", f"CWE-{cwe['id']}") if cwe and cwe["id"] else ("security",)
    message = redact(rule, item["issue_text"], ctx.root)
    confidence = item["issue_confidence"].lower()
    return make_finding(
        check,
        ctx.root,
        rule_id=rule,
        message=f"{message} (confidence: {confidence})",
        path=relpath(item["filename"], ctx.root),
        line=line,
        end_line=max(line, *lines),
        start_column=max(1, item.get("col_offset", 0) + 1),
        severity=severity,
        blocking=is_blocking(severity, threshold),
        help_uri=item.get("more_info"),
        help_text=f"bandit {rule} ({item['test_name']})",
        tags=tags,
    )


def redact(rule: str, text: str, root: Path) -> str:
    """Replace a quoted credential in bandit's message with its per-repository tag; the value
    joins the run's known secrets, so no other check's output can show it either."""
    if rule not in QUOTES_SECRET:
        return text

    def tag(match: re.Match[str]) -> str:
        redaction.remember([match.group(1)])
        return f"<redacted {short_hash(match.group(1), root)}>"

    return re.sub(r"'(.*)'", tag, text, count=1)
