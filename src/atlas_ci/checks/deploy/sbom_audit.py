"""deploy.sbom's `audit` option: pip-audit over exactly the components each SBOM lists.

The security gate's dependency-audit machinery is reused as is: the same pip-audit invocation, the
same advisory sources (the service, an OSV mirror, or an offline directory of OSV records served on
loopback) and the same reading of its JSON. The SBOM's components become a pinned requirements file
audited with `--no-deps --disable-pip`, so pip-audit neither resolves nor installs anything: what is
audited is what ships. Fails closed: a component that could not be looked up makes the check
`error`, and so does an audit that covered nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from atlas_ci.checks.base import Check, CheckContext, python_module
from atlas_ci.checks.deploy.build import Distribution
from atlas_ci.checks.deploy.common import work_dir
from atlas_ci.checks.security import audit_report, dependencies, manifests
from atlas_ci.checks.security.advisories import AdvisoryDB
from atlas_ci.checks.security.audit_report import Dep, Judgement
from atlas_ci.checks.security.dependencies import DependenciesSettings
from atlas_ci.checks.security.manifests import Declaration
from atlas_ci.checks.security.policy import Level
from atlas_ci.checks.toolkit import ANY_EXIT, Tool, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import Finding, Metric

if TYPE_CHECKING:
    from atlas_ci.checks.deploy.sbom import SbomSettings

PIP_AUDIT = Tool("pip-audit", tuple(python_module("pip_audit")), distribution="pip-audit")
NO_VERSION = "the SBOM gives no version for this component"


@dataclass(frozen=True)
class Audit:
    """Every distribution's audit merged: findings, suppressions, what could not be looked up."""

    findings: list[Finding] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    audited: list[Dep] = field(default_factory=list)
    unaudited: list[Dep] = field(default_factory=list)
    against: str = ""

    def metrics(self) -> tuple[Metric, ...]:
        return (
            Metric(name="components_audited", value=len(self.audited)),
            Metric(name="components_unaudited", value=len(self.unaudited)),
            Metric(name="vulnerabilities", value=len(self.findings)),
            Metric(name="vulnerabilities_suppressed", value=len(self.suppressed)),
        )

    def error(self) -> str | None:
        """Why the audit cannot be trusted (the check is `error`), or None when it can."""
        if self.unaudited:
            reason = audit_report.unaudited_reason(self.unaudited, self.audited)
            return ("nothing audited: " if not self.audited else "") + reason
        if not self.audited:
            return "nothing audited: no SBOM lists a component to audit"
        return None

    def summary(self) -> str:
        count = audit_report.plural(len(self.audited), "component")
        return f"{count} audited against {self.against}"


def pins(components: list[dict[str, Any]]) -> tuple[list[str], list[Dep]]:
    """`name==version` for each component (sorted, once), and those without a version."""
    pinned: set[str] = set()
    unversioned: list[Dep] = []
    for component in components:
        name, version = component.get("name"), component.get("version")
        if not isinstance(name, str) or not name:
            continue
        if isinstance(version, str) and version:
            pinned.add(f"{name}=={version}")
        else:
            unversioned.append(Dep(name=name, version=None, skip_reason=NO_VERSION))
    return sorted(pinned), unversioned


def audit(
    check: Check,
    ctx: CheckContext,
    settings: SbomSettings,
    boms: list[tuple[Distribution, list[dict[str, Any]]]],
) -> Audit:
    """pip-audit of each distribution's components against the configured advisory source."""
    db = dependencies.load_db(ctx.root, settings.advisory_db)
    against = "the offline advisory_db" if db else f"the {settings.service} service"
    merged = Audit(against=against)
    with dependencies.serve(db) as local_osv:
        for dist, components in boms:
            wanted, unversioned = pins(components)
            merged.unaudited.extend(unversioned)
            if not wanted:
                continue
            audit_settings = settings.audit_settings(str(pins_file(ctx, dist, wanted)))
            deps = run_audit(ctx, audit_settings, local_osv)
            judgement = judge(
                check, ctx, audit_settings, dist, deps, db=db, threshold=settings.fail_on
            )
            merged.audited.extend(d for d in deps if d.skip_reason is None)
            merged.unaudited.extend(
                audit_report.unaudited_deps(deps, audit_settings.allow_unaudited)
            )
            merged.findings.extend(judgement.findings)
            merged.suppressed.extend(judgement.suppressed)
    return merged


def pins_file(ctx: CheckContext, dist: Distribution, wanted: list[str]) -> Path:
    """The SBOM's components as a pinned requirements file, under the report directory."""
    path = work_dir(ctx, "sbom") / f"{dist.name}-{dist.version}.audit.txt"
    path.write_text("\n".join(wanted) + "\n", encoding="utf-8")
    return path


def run_audit(
    ctx: CheckContext, settings: DependenciesSettings, local_osv: str | None
) -> list[Dep]:
    """pip-audit's verdict on the pinned components, exactly as security.dependencies reads it."""
    args = dependencies.audit_args(ctx, settings, local_osv)
    env = dependencies.environment(ctx, settings, loopback=local_osv is not None)
    res = run_tool(
        PIP_AUDIT, args, cwd=ctx.root, timeout=settings.timeout, env=env, ok_codes=ANY_EXIT
    )
    if not res.stdout.strip():
        raise CheckError(dependencies.no_report_reason(res.returncode, res.output_tail, settings))
    return audit_report.parse(res.stdout)


def judge(
    check: Check,
    ctx: CheckContext,
    settings: DependenciesSettings,
    dist: Distribution,
    deps: list[Dep],
    *,
    db: AdvisoryDB | None,
    threshold: Level,
) -> Judgement:
    """Findings for the distribution, at the pyproject.toml line declaring a direct dependency."""
    manifest = (PurePosixPath(dist.path) / "pyproject.toml").as_posix()
    declared = {
        name: Declaration(manifest, where.line)
        for name, where in manifests.pyproject_index(ctx.root / dist.path).items()
    }
    found = audit_report.judge(
        check,
        ctx,
        deps,
        rules=settings.ignore,
        locate=lambda name: declared.get(_canonical(name), Declaration(manifest, None)),
        severity_of=db.severity_of if db else lambda _ids: None,
        today=dt.date.today(),
        threshold=threshold,
    )
    shipped = [
        f.model_copy(update={"message": f"{dist.name} {dist.version} ships {f.message}"})
        for f in found.findings
    ]
    return Judgement(shipped, found.suppressed)


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)
