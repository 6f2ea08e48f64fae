"""security.safety: Safety (`safety check --output json`) over requirements files, optional.

Safety needs a vulnerability database: an offline copy of it (`db = "DIR"`, the directory holding
Safety's `insecure.json` and `insecure_full.json`) or Safety's service with `SAFETY_API_KEY` from
the environment. With neither, the check is `error`, never `passed`: Safety would otherwise fall
back to a public copy this check cannot vouch for, or audit nothing. The key is never put on the
command line (Safety reads the variable itself), so it cannot appear in a report or a process list.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding
from atlas_ci.checks.security import audit_report
from atlas_ci.checks.security.policy import SecurityGateSettings, is_blocking
from atlas_ci.checks.toolkit import Tool, load_json, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity
from atlas_ci.settings import CheckSettings

KEY_VARIABLE = "SAFETY_API_KEY"
DB_FILES = ("insecure.json", "insecure_full.json")
# Safety exits 64 when it found vulnerabilities; any other non-zero code is a failed run.
VULNERABLE_EXIT = 64
_CVSS = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}


class SafetySettings(CheckSettings):
    # Optional adapter: Safety is not one of atlas-ci's own dependencies and needs a database.
    enabled: bool = Field(
        default=False,
        description="Off by default: Safety is installed separately (`atlas-ci[safety]` or its "
        "own venv, then `command`) and needs `db` or SAFETY_API_KEY.",
    )
    db: str | None = Field(
        default=None,
        description="Directory of an offline Safety database (insecure.json and "
        "insecure_full.json), relative to the root. Default: Safety's service, which needs "
        "SAFETY_API_KEY in the environment.",
    )
    requirements: tuple[str, ...] = Field(
        default=(),
        description="Requirements files to check. Default: requirements.txt at the root.",
    )


class _Requirement(BaseModel):
    model_config = ConfigDict(extra="ignore")
    found: str | None = None


class _Cvss(BaseModel):
    model_config = ConfigDict(extra="ignore")
    base_severity: str | None = None


class _Severity(BaseModel):
    model_config = ConfigDict(extra="ignore")
    cvssv3: _Cvss | None = None


class _Vulnerability(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    vulnerability_id: str
    package_name: str
    analyzed_version: str | None = None
    analyzed_requirement: _Requirement | None = None
    advisory: str | None = None
    cve: str | None = Field(default=None, alias="CVE")
    fixed_versions: list[str] = []
    severity: _Severity | None = None
    more_info_url: str | None = None


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore")
    scanned_packages: dict[str, Any]
    vulnerabilities: list[_Vulnerability]


class Safety:
    gate = "security"
    name = "safety"
    tool = "safety"
    settings_model = SafetySettings
    exclusive = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return ["safety"]

    def version(self, project: ProjectInfo) -> str | None:
        return Tool(self.tool, ("safety",), "safety").version(project.root)

    def run(self, ctx: CheckContext[SafetySettings, SecurityGateSettings]) -> CheckResult:
        settings = ctx.settings
        tool = Tool(self.tool, ("safety",), "safety").using(settings.command)
        files = requirement_files(ctx.root, settings)
        args = ["check", "--output", "json", *(a for f in files for a in ("-r", f))]
        args += database_args(ctx.root, settings.db, os.environ)
        res = run_tool(
            tool, args, cwd=ctx.root, timeout=settings.timeout, ok_codes=(0, VULNERABLE_EXIT)
        )
        report = parse(res.stdout)
        if not report.scanned_packages:
            raise CheckError(f"nothing audited: Safety found no packages in {', '.join(files)}")
        findings = [to_finding(self, ctx, v, files[0]) for v in report.vulnerabilities]
        against = "the offline db" if settings.db else "Safety's service"
        count = len(report.scanned_packages)
        metrics = (Metric(name="packages_audited", value=count),)
        res_ = judged(
            self,
            findings,
            metrics,
            version=tool.version(ctx.root),
            reason_ok=f"{count} packages checked against {against}: no known vulnerabilities",
        )
        if findings:
            return res_.model_copy(update={"reason": audit_report.vulnerable_reason(findings)})
        return res_


def requirement_files(root: Path, settings: SafetySettings) -> list[str]:
    files = list(settings.requirements) or ["requirements.txt"]
    missing = [f for f in files if not (root / f).is_file()]
    if missing:
        raise CheckError(
            f"requirements file not found: {', '.join(missing)}; set `requirements` under "
            "[gates.security.safety]"
        )
    return files


def database_args(root: Path, db: str | None, env: Any) -> list[str]:
    """`--db DIR` for an offline database; nothing for the service (the key is in the env)."""
    if db is not None:
        path = root / db
        missing = [name for name in DB_FILES if not (path / name).is_file()]
        if missing:
            raise CheckError(
                f"the Safety database directory {db} has no {' or '.join(missing)} "
                "(Safety's offline database format)"
            )
        return ["--db", str(path)]
    if not env.get(KEY_VARIABLE):
        raise CheckError(
            "Safety has no vulnerability database: set `db` under [gates.security.safety] to an "
            f"offline copy of Safety's database, or {KEY_VARIABLE} in the environment"
        )
    return []


def parse(stdout: str) -> _Report:
    """Safety's JSON report.

    Safety 3 prints a deprecation banner for `check` before and after the JSON, on stdout too,
    so the report is the JSON object that starts at the first line opening with `{`.
    """
    lines = stdout.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("{")), None)
    if start is None:
        raise CheckError("safety printed no JSON report")
    text = "".join(lines[start:])
    end = _object_end(text)
    return load_json(text[:end], _Report, tool="safety")


def _object_end(text: str) -> int:
    import json

    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return len(text)  # load_json reports the error with the standard message
    return end


def to_finding(
    check: Safety,
    ctx: CheckContext[SafetySettings, SecurityGateSettings],
    v: _Vulnerability,
    default_file: str,
) -> Finding:
    severity = _severity(v)
    where = v.analyzed_requirement.found if v.analyzed_requirement else None
    path, line = _declaration(ctx.root, where or default_file, v.package_name)
    fixed = f"fixed in {', '.join(v.fixed_versions)}" if v.fixed_versions else "no fixed version"
    ids = f"{v.cve}, Safety {v.vulnerability_id}" if v.cve else f"Safety {v.vulnerability_id}"
    message = f"{v.package_name} {v.analyzed_version or ''} is affected by {ids}: {fixed}".replace(
        "  ", " "
    )
    if v.advisory:
        message += f"; {v.advisory[:300]}"
    return make_finding(
        check,
        ctx.root,
        rule_id=v.cve or f"SAFETY-{v.vulnerability_id}",
        message=message,
        path=path,
        line=line,
        severity=severity,
        blocking=is_blocking(severity, ctx.gate_settings.fail_on),
        tags=audit_report.TAGS,
        help_uri=v.more_info_url,
        help_text=(v.advisory or "")[:1000] or f"Known vulnerability {v.vulnerability_id}",
    )


def _severity(v: _Vulnerability) -> Severity:
    label = v.severity.cvssv3.base_severity if v.severity and v.severity.cvssv3 else None
    # Without a CVSS rating a known vulnerability blocks at the default threshold.
    return _CVSS.get((label or "").upper(), Severity.MEDIUM)


def _declaration(root: Path, where: str, package: str) -> tuple[str | None, int | None]:
    """The requirements file (relative) and the line declaring the package, when found."""
    from packaging.utils import canonicalize_name

    from atlas_ci.checks.security import manifests

    full = (root / where).resolve()  # Safety reports absolute paths; joining keeps those
    if not full.is_relative_to(root.resolve()):
        return None, None
    rel = full.relative_to(root.resolve())
    found = manifests.requirements_index(root, [rel.as_posix()]).get(canonicalize_name(package))
    if found is None:
        return rel.as_posix(), None
    return found.path, found.line
