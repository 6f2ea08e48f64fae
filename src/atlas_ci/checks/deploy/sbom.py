"""deploy.sbom: a CycloneDX SBOM (cyclonedx-py) of each distribution's installed closure, validated.

The SBOM is taken from the fresh venv the wheel was installed into, so it lists exactly what a
deployment gets. `--output-reproducible` with SOURCE_DATE_EPOCH (the build's) makes the same
commit give the same file. Validation uses cyclonedx-python-lib's strict JSON schema validator.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    relpath,
)
from atlas_ci.checks.deploy import build, sbom_audit
from atlas_ci.checks.deploy.build import DeployContext, Distribution
from atlas_ci.checks.deploy.common import run, work_dir
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.checks.security import audit_report
from atlas_ci.checks.security.audit_report import IgnoreRule
from atlas_ci.checks.security.dependencies import DependenciesSettings
from atlas_ci.checks.security.policy import DEFAULT_FAIL_ON, Level
from atlas_ci.checks.toolkit import Tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status
from atlas_ci.settings import CheckSettings

SPEC_VERSION = "1.6"
SPDX_TOKEN = re.compile(r"[A-Za-z0-9.+-]+")
EXPRESSION_WORDS = frozenset({"AND", "OR", "WITH"})


class SbomSettings(CheckSettings):
    deny_licenses: tuple[str, ...] = Field(
        default=(),
        description="SPDX licence ids no shipped component may carry (e.g. AGPL-3.0-only).",
    )
    audit: bool = Field(
        default=False,
        description="Audit every SBOM component for known vulnerabilities with pip-audit "
        "(the security gate's audit; `error` when no advisory source answers).",
    )
    service: Literal["pypi", "osv"] = Field(
        default="pypi", description="pip-audit's vulnerability service (with `audit`)."
    )
    osv_url: str | None = Field(default=None, description="An OSV-compatible /v1/query URL.")
    advisory_db: str | None = Field(
        default=None, description="A directory of OSV records (JSON or YAML) for air-gapped CI."
    )
    ignore: tuple[IgnoreRule, ...] = ()
    allow_unaudited: tuple[str, ...] = Field(
        default=(), description="Components accepted as unauditable (e.g. private ones)."
    )
    fail_on: Level = Field(
        default=DEFAULT_FAIL_ON,
        description="Lowest vulnerability severity that fails the check (as [gates.security]).",
    )

    @model_validator(mode="after")
    def _audit_consistent(self) -> Self:
        self.audit_settings("components.txt")  # the security gate's rules for the same keys
        return self

    def audit_settings(self, pins: str) -> DependenciesSettings:
        """security.dependencies' settings for auditing one SBOM's pinned components."""
        return DependenciesSettings(
            requirements=(pins,),
            no_deps=True,
            service=self.service,
            osv_url=self.osv_url,
            advisory_db=self.advisory_db,
            ignore=self.ignore,
            allow_unaudited=self.allow_unaudited,
            timeout=self.timeout,
        )


SbomContext = CheckContext[SbomSettings, DeployGateSettings]
CYCLONEDX = Tool("cyclonedx-py", ("cyclonedx-py",), distribution="cyclonedx-bom")


class Sbom:
    gate = "deploy"
    name = "sbom"
    tool = "cyclonedx-py"
    settings_model = SbomSettings
    exclusive = False

    def version(self, project: ProjectInfo) -> str | None:
        return CYCLONEDX.version(project.root)

    def run(self, ctx: SbomContext) -> CheckResult:
        settings = ctx.settings
        built = build.ensure(ctx)
        unusable = [d.label for d in built.dists if d.venv is None]
        if unusable:
            raise CheckError(
                f"no installed closure to describe for {', '.join(unusable)} "
                "(its build or install failed: see deploy.package)"
            )
        tool = CYCLONEDX.using(settings.command)
        findings: list[Finding] = []
        metrics: list[Metric] = []
        artifacts: list[str] = []
        boms = []
        for dist in built.dists:
            path = sbom_path(ctx, dist)
            bom = self._generate(ctx, tool, dist, path, built.epoch)
            components = bom.get("components") or []
            boms.append((dist, components))
            metrics.append(Metric(name=f"components {dist.name}", value=len(components)))
            findings += self._licences(ctx, dist, components, settings)
            artifacts.append(relpath(path, ctx.project.report_dir))
        res = judged(
            self,
            findings,
            metrics,
            version=tool.version(ctx.root),
            reason_ok=f"{len(artifacts)} valid CycloneDX {SPEC_VERSION} SBOM(s)",
            artifacts=artifacts,
        )
        return (
            audited(self, sbom_audit.audit(self, ctx, settings, boms), res)
            if settings.audit
            else res
        )

    def _generate(
        self, ctx: SbomContext, tool: Tool, dist: Distribution, out: Path, epoch: int
    ) -> dict[str, Any]:
        assert dist.venv is not None  # noqa: S101 - checked by run()
        args = [
            "environment",
            "--output-reproducible",
            "--of",
            "JSON",
            "--sv",
            SPEC_VERSION,
            "--pyproject",
            str(ctx.root / dist.path / "pyproject.toml"),
            "-o",
            str(out),
            str(dist.venv / "bin" / "python"),
        ]
        run(ctx, tool, args, env={"SOURCE_DATE_EPOCH": str(epoch)})
        return validate(out)

    def _licences(
        self,
        ctx: SbomContext,
        dist: Distribution,
        components: list[dict[str, Any]],
        settings: SbomSettings,
    ) -> list[Finding]:
        denied = {d.lower() for d in settings.deny_licenses}
        found = []
        for component in components:
            hit = sorted(ids & denied) if (ids := licence_ids(component)) else []
            if hit:
                name = f"{component.get('name')} {component.get('version', '')}".strip()
                found.append(
                    make_finding(
                        self,
                        ctx.root,
                        rule_id="denied-license",
                        message=f"{dist.name} ships {name}, licensed {', '.join(hit)} (denied)",
                        path=None,
                        severity=Severity.HIGH,
                        tags=("license",),
                    )
                )
        return found


def audited(check: Sbom, audit: sbom_audit.Audit, sboms: CheckResult) -> CheckResult:
    """The SBOMs' verdict with the vulnerability audit added: `error` when it cannot be trusted."""
    findings = (*sboms.findings, *audit.findings)
    metrics = (*sboms.metrics, *audit.metrics())
    note = f"; suppressed: {'; '.join(audit.suppressed)}" if audit.suppressed else ""
    why = audit.error()
    if why is not None:
        update = {"status": Status.ERROR, "findings": findings, "metrics": metrics}
        return sboms.model_copy(update={**update, "reason": why + note})
    res = judged(check, findings, metrics, version=sboms.tool_version, artifacts=sboms.artifacts)
    # Passed with the audit means the SBOMs passed alone too: keep their reason, add the audit's.
    head = sboms.reason if res.status is Status.PASSED else res.reason
    vulns = (
        audit_report.vulnerable_reason(audit.findings)
        if audit.findings
        else "no known vulnerabilities"
    )
    return res.model_copy(update={"reason": f"{head}; {audit.summary()}: {vulns}{note}"})


def sbom_path(ctx: DeployContext, dist: Distribution) -> Path:
    return work_dir(ctx, "sbom") / f"{dist.name}-{dist.version}.cdx.json"


def validate(path: Path) -> dict[str, Any]:
    """The SBOM, after cyclonedx-python-lib's strict schema validation passed."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CheckError(f"cyclonedx-py wrote no SBOM at {path.name}: {exc}") from None
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        raise CheckError(f"{path.name} is not valid CycloneDX {SPEC_VERSION}: {error}")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise CheckError(f"{path.name} is not a CycloneDX document")
    return data


def licence_ids(component: dict[str, Any]) -> set[str]:
    """Lower-cased SPDX ids named by a component's licences (ids, names and expressions)."""
    ids: set[str] = set()
    for entry in component.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        lic = entry.get("license") or {}
        text = entry.get("expression") or lic.get("id") or lic.get("name") or ""
        ids |= {t.lower() for t in SPDX_TOKEN.findall(str(text)) if t not in EXPRESSION_WORDS}
    return ids
