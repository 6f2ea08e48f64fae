"""pip-audit's JSON read into data, the ignore list applied, and findings pointed at manifests."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field

from atlas_ci.checks.base import Check, CheckContext, make_finding
from atlas_ci.checks.security.policy import Level, is_blocking
from atlas_ci.errors import CheckError
from atlas_ci.model import Finding, Metric, Severity
from atlas_ci.settings import Settings

if TYPE_CHECKING:
    from atlas_ci.checks.security.manifests import Declaration

SEVERITY = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}
# A known vulnerability without a severity of its own blocks at the default threshold.
DEFAULT_SEVERITY = Severity.HIGH
TAGS = ("security", "dependency", "CWE-1395")
# How many names a reason lists before "and N more".
LISTED = 12
# Skips that are configuration, not failure: --skip-editable marks the project's own checkout.
EDITABLE_SKIP = "distribution marked as editable"


class IgnoreRule(Settings):
    """`{ id = "...", reason = "...", expires = YYYY-MM-DD }`: matches the id or any alias."""

    id: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    expires: dt.date | None = Field(default=None, description="Last day the ignore applies.")

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires


@dataclass(frozen=True)
class Vuln:
    id: str
    aliases: tuple[str, ...]
    fix_versions: tuple[str, ...]
    description: str

    @property
    def ids(self) -> set[str]:
        return {self.id.upper(), *(a.upper() for a in self.aliases)}


@dataclass(frozen=True)
class Dep:
    name: str
    version: str | None
    vulns: tuple[Vuln, ...] = ()
    skip_reason: str | None = None


def parse(stdout: str) -> list[Dep]:
    try:
        data: Any = json.loads(stdout)
        return [to_dep(d) for d in data["dependencies"]]
    except (json.JSONDecodeError, KeyError, TypeError, AttributeError) as exc:
        raise CheckError(
            f"pip-audit JSON output is unreadable ({type(exc).__name__}: {exc}): {stdout[:200]!r}"
        ) from None


def to_dep(item: dict[str, Any]) -> Dep:
    vulns = tuple(
        Vuln(
            id=str(v["id"]),
            aliases=tuple(v.get("aliases") or ()),
            fix_versions=tuple(v.get("fix_versions") or ()),
            description=" ".join(str(v.get("description") or "").split()),
        )
        for v in item.get("vulns", [])
    )
    return Dep(
        name=str(item["name"]),
        version=item.get("version"),
        vulns=vulns,
        skip_reason=item.get("skip_reason"),
    )


def matching_rule(vuln: Vuln, rules: Sequence[IgnoreRule]) -> IgnoreRule | None:
    return next((r for r in rules if r.id.upper() in vuln.ids), None)


@dataclass(frozen=True)
class Judgement:
    findings: list[Finding]
    suppressed: list[str]  # "ID (package): reason, until DATE"


def judge(
    check: Check,
    ctx: CheckContext,
    deps: Sequence[Dep],
    *,
    rules: Sequence[IgnoreRule],
    locate: Callable[[str], Declaration | None],
    severity_of: Callable[[set[str]], str | None],
    today: dt.date,
    threshold: Level,
) -> Judgement:
    """Findings for the vulnerabilities no live ignore covers, blocking at `threshold` or above."""
    findings, suppressed = [], []
    for dep in deps:
        for vuln in dep.vulns:
            rule = matching_rule(vuln, rules)
            if rule is not None and not rule.expired(today):
                until = f", until {rule.expires}" if rule.expires else ""
                suppressed.append(f"{vuln.id} ({dep.name}): {rule.reason}{until}")
                continue
            label = severity_of(vuln.ids)
            severity = SEVERITY.get(label.upper(), DEFAULT_SEVERITY) if label else DEFAULT_SEVERITY
            findings.append(
                to_finding(
                    check,
                    ctx,
                    dep,
                    vuln,
                    locate(dep.name),
                    expired=rule,
                    blocking=is_blocking(severity, threshold),
                    severity=severity,
                )
            )
    return Judgement(findings, suppressed)


def to_finding(
    check: Check,
    ctx: CheckContext,
    dep: Dep,
    vuln: Vuln,
    where: Declaration | None,
    *,
    expired: IgnoreRule | None,
    blocking: bool,
    severity: Severity,
) -> Finding:
    aliases = f" ({', '.join(vuln.aliases)})" if vuln.aliases else ""
    fixed = f"fixed in {', '.join(vuln.fix_versions)}" if vuln.fix_versions else "no fixed version"
    parts = [
        f"{dep.name} {dep.version} is affected by {vuln.id}{aliases}: installed "
        f"{dep.version}, {fixed}"
    ]
    if where is not None and where.line is None:
        parts.append(f"transitive dependency of {where.path}")
    if expired is not None:
        parts.append(f"the ignore for {expired.id} expired on {expired.expires}")
    if vuln.description:
        parts.append(vuln.description[:300])
    return make_finding(
        check,
        ctx.root,
        rule_id=vuln.id,
        message="; ".join(parts),
        path=where.path if where else None,
        line=where.line if where else None,
        severity=severity,
        blocking=blocking,
        tags=TAGS,
        help_uri=f"https://osv.dev/vulnerability/{vuln.id}",
        help_text=vuln.description[:1000] or f"Known vulnerability {vuln.id}",
    )


def vulnerable_reason(findings: list[Finding]) -> str:
    blocking = [f for f in findings if f.blocking]
    listed = ", ".join(f.rule_id for f in findings[:LISTED])
    more = f" and {len(findings) - LISTED} more" if len(findings) > LISTED else ""
    below = "" if blocking else " (all below the gate's fail_on)"
    count = (
        "1 known vulnerability" if len(findings) == 1 else f"{len(findings)} known vulnerabilities"
    )
    return f"{count}: {listed}{more}{below}"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def unaudited_reason(unaudited: list[Dep], audited: list[Dep]) -> str:
    names = ", ".join(f"{d.name} {d.version or ''}".strip() for d in unaudited[:LISTED])
    more = f" and {len(unaudited) - LISTED} more" if len(unaudited) > LISTED else ""
    why = unaudited[0].skip_reason
    if not audited:
        return (
            f"no advisory source reachable: {plural(len(unaudited), 'package')} could not be "
            f"audited: "
            f"{names}{more} (pip-audit: {why}); set `advisory_db` (offline OSV records) "
            "or `osv_url` (an OSV mirror)"
        )
    total = len(unaudited) + len(audited)
    return (
        f"{len(unaudited)} of {plural(total, 'package')} could not be audited: {names}{more} "
        f"(pip-audit: {why})"
    )


def unaudited_deps(deps: list[Dep], allow_unaudited: tuple[str, ...]) -> list[Dep]:
    """Dependencies pip-audit skipped, less the editable checkout and the accepted ones."""
    from packaging.utils import canonicalize_name

    allowed = {canonicalize_name(n) for n in allow_unaudited}
    return [
        d
        for d in deps
        if d.skip_reason not in (None, EDITABLE_SKIP) and canonicalize_name(d.name) not in allowed
    ]


def metrics(audited: int, unaudited: int, judgement: Judgement) -> tuple[Metric, ...]:
    return (
        Metric(name="dependencies_audited", value=audited),
        Metric(name="dependencies_unaudited", value=unaudited),
        Metric(name="vulnerabilities", value=len(judgement.findings)),
        Metric(name="vulnerabilities_suppressed", value=len(judgement.suppressed)),
    )
