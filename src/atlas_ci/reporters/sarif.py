"""SARIF 2.1.0 for GitHub code scanning: one run per check, stable fingerprints, within limits."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

import pydantic_core

from atlas_ci.model import Finding, Location, Report, Severity, Status, fingerprint
from atlas_ci.reporters import sarif_limits as lim
from atlas_ci.reporters.paths import repo_relative, to_uri

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
DEFAULT_CONFIG = "atlas-ci.toml"

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub buckets security-severity as >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, < 4 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "0.0",
}
INFORMATION_URI = {
    "ruff": "https://docs.astral.sh/ruff/",
    "mypy": "https://mypy-lang.org/",
    "bandit": "https://bandit.readthedocs.io/",
    "radon": "https://radon.readthedocs.io/",
    "detect-secrets": "https://github.com/Yelp/detect-secrets",  # pragma: allowlist secret
    "pip-audit": "https://github.com/pypa/pip-audit",
    "zizmor": "https://docs.zizmor.sh/",
    "pytest": "https://docs.pytest.org/",
    "coverage": "https://coverage.readthedocs.io/",
    "locust": "https://locust.io/",
}


def render(
    report: Report,
    root: Path,
    *,
    config_path: str | None = None,
    limits: lim.Limits = lim.GITHUB_LIMITS,
) -> str:
    """The SARIF log as JSON text; `root` is the repository root the finding paths are relative to.

    Pure: no file is read. Line hashes come from the findings (`linehash.attach` fills them in
    before rendering); a finding without one gets a key derived from its own identity.

    `config_path` (the config file the run used) is where findings without a usable location
    point: GitHub needs a file and a line for every result, and the config is what governs them.
    """
    plans = lim.fit_runs(
        [lim.plan(c) for c in report.checks if c.status in (Status.PASSED, Status.FAILED)], limits
    )
    for p in plans:
        lim.truncate(p, limits.max_results, lim.PER_RUN)
    builder = _Builder(root, repo_relative(config_path or "", root) or DEFAULT_CONFIG, limits)
    while True:
        # pydantic-core's encoder writes what json.dumps(indent=2, ensure_ascii=False) writes,
        # several times faster: json.dumps falls back to pure Python whenever it indents.
        data = pydantic_core.to_json(builder.log(plans), indent=2)
        text = data.decode() + "\n"
        if _fits(data, limits.max_gzip_bytes):
            return text
        biggest = max(plans, key=lambda p: len(p.findings), default=None)
        if biggest is None or not biggest.findings:
            return text  # nothing left to cut; only absurd rule texts could get here
        lim.truncate(biggest, len(biggest.findings) // 2, lim.SIZE)


def _fits(data: bytes, max_gzip_bytes: int) -> bool:
    """GitHub measures the gzipped upload; level 6 is what zlib (and so the upload) defaults to.
    What deflate cannot shrink it stores, 5 bytes per block of up to 64 KiB, and gzip adds an
    18-byte header and trailer: text well under the limit fits without compressing it."""
    if len(data) + len(data) // 1000 + 1024 < max_gzip_bytes:
        return True
    return len(gzip.compress(data, compresslevel=6, mtime=0)) < max_gzip_bytes


class _Builder:
    """Turns run plans into SARIF dicts."""

    def __init__(self, root: Path, config_uri: str, limits: lim.Limits) -> None:
        self.root = root
        self.config = config_uri
        self.limits = limits

    def log(self, plans: list[lim.RunPlan]) -> dict[str, Any]:
        return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [self.run(p) for p in plans]}

    def run(self, plan: lim.RunPlan) -> dict[str, Any]:
        rules, index = self.rules(plan.findings)
        driver: dict[str, Any] = {"name": plan.tool or "atlas-ci", "rules": rules}
        if plan.version:
            driver["version"] = plan.version
        if uri := INFORMATION_URI.get(plan.tool):
            driver["informationUri"] = uri
        invocation: dict[str, Any] = {"executionSuccessful": True}
        notes = [*plan.notes, *lim.dropped_notes(plan, self.limits)]
        if notes:
            invocation["toolExecutionNotifications"] = [
                {"level": "warning", "message": {"text": n}} for n in notes
            ]
        props: dict[str, Any] = {
            "atlas-ci/check": plan.category,
            "atlas-ci/status": plan.status,
            "atlas-ci/duration": plan.duration,
        }
        if plan.dropped:
            props["atlas-ci/dropped-results"] = sum(plan.dropped.values())
        if plan.merged:
            props["atlas-ci/merged-checks"] = list(plan.merged)
        return {
            "tool": {"driver": driver},
            "automationDetails": {"id": f"atlas-ci/{plan.category}/"},
            "invocations": [invocation],
            # No absolute uri: the checkout path is machine-specific and must not leak into reports.
            "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
            "results": [self.result(f, index[f.rule_id]) for f in plan.findings],
            "properties": props,
        }

    def rules(self, findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        groups: dict[str, list[Finding]] = {}
        for f in findings:
            groups.setdefault(f.rule_id, []).append(f)
        rules = [self.rule(rule_id, group) for rule_id, group in groups.items()]
        return rules, {rule_id: i for i, rule_id in enumerate(groups)}

    def rule(self, rule_id: str, group: list[Finding]) -> dict[str, Any]:
        first = group[0]
        text = first.help_text or first.message or rule_id
        worst = max((f.severity for f in group), key=lambda s: s.rank)
        rule: dict[str, Any] = {
            "id": rule_id,
            "shortDescription": {"text": _first_line(text)},
            "fullDescription": {"text": text},
            "help": {"text": text},
            "defaultConfiguration": {"level": LEVEL[worst]},
            "properties": self.rule_properties(group, worst),
        }
        if help_uri := next((f.help_uri for f in group if f.help_uri), None):
            rule["helpUri"] = help_uri
        return rule

    def rule_properties(self, group: list[Finding], worst: Severity) -> dict[str, Any]:
        """The rule's tags (capped) and, for security checks, GitHub's security-severity."""
        security = group[0].check.startswith("security.")
        tags = list(
            dict.fromkeys(
                [*(["security"] if security else []), *(t for f in group for t in f.tags)]
            )
        )
        props: dict[str, Any] = {"tags": tags[: self.limits.max_tags]}
        if security:
            props["security-severity"] = SECURITY_SEVERITY[worst]
        return props

    def result(self, f: Finding, rule_index: int) -> dict[str, Any]:
        location, line_hash = self.location(f)
        return {
            "ruleId": f.rule_id,
            "ruleIndex": rule_index,
            "level": LEVEL[f.severity],
            "message": {"text": f.message or f.rule_id},
            "locations": [location],
            "partialFingerprints": {"primaryLocationLineHash": line_hash},
            "fingerprints": {"atlas-ci/v1": _stable_id(f)},
            "properties": {"severity": f.severity.value, "blocking": f.blocking},
        }

    def location(self, f: Finding) -> tuple[dict[str, Any], str]:
        loc = f.location
        rel = repo_relative(loc.path, self.root) if loc else None
        if loc is None or rel is None:
            # Location-less (or outside the repo): point at the config file's first line; the
            # line hash comes from the finding itself so distinct findings stay distinct alerts.
            return _physical(self.config, {"startLine": 1}), _fallback_hash(f)
        return _physical(rel, _region(loc)), f.line_hash or _fallback_hash(f)


def _physical(rel: str, region: dict[str, Any]) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": to_uri(rel), "uriBaseId": SRCROOT},
            "region": region,
        }
    }


def _region(loc: Location) -> dict[str, Any]:
    """SARIF region of a location; without a start line only line 1, with no end or columns."""
    if not loc.start_line:
        return {"startLine": 1}
    start = loc.start_line
    region: dict[str, Any] = {"startLine": start}
    if loc.end_line and loc.end_line >= start:
        region["endLine"] = loc.end_line
    if loc.start_column:
        region["startColumn"] = loc.start_column
        same_line = region.get("endLine", start) == start
        # An end column before the start on the same line would be an inverted span: drop it.
        if loc.end_column and not (same_line and loc.end_column < loc.start_column):
            region["endColumn"] = loc.end_column
    return region


def _stable_id(f: Finding) -> str:
    if f.fingerprint:
        return f.fingerprint
    path = f.location.path if f.location else ""
    return fingerprint(f.rule_id, path, f.message)


def _fallback_hash(f: Finding) -> str:
    """Same "hex:count" shape as the real line hash, derived from the finding's own identity."""
    digest = hashlib.sha256(f"{f.check}\0{_stable_id(f)}".encode()).hexdigest()[:16]
    return f"{digest}:1"


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= limit else line[: limit - 3] + "..."
