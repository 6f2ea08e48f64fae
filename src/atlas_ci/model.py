"""Result data: statuses, severities, findings, metrics and reports (immutable, typed)."""

from __future__ import annotations

import enum
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"


class Status(enum.StrEnum):
    """How a check ended; the order of `RANK` decides a gate's status."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


# error > failed > passed > skipped: a gate is as bad as its worst check.
RANK: dict[Status, int] = {Status.SKIPPED: 0, Status.PASSED: 1, Status.FAILED: 2, Status.ERROR: 3}


def worst(statuses: list[Status]) -> Status:
    """The status of a group of checks (all skipped, or none, -> skipped)."""
    return max(statuses, key=RANK.__getitem__, default=Status.SKIPPED)


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Location(_Frozen):
    """A place in the repository: POSIX path relative to its root, 1-based lines and columns."""

    path: str
    start_line: int | None = Field(default=None, ge=1)
    end_line: int | None = Field(default=None, ge=1)
    start_column: int | None = Field(default=None, ge=1)
    end_column: int | None = Field(default=None, ge=1)


class Finding(_Frozen):
    check: str
    tool: str
    rule_id: str
    message: str
    severity: Severity = Severity.MEDIUM
    location: Location | None = None
    fingerprint: str = ""
    help_uri: str | None = None
    help_text: str | None = None
    tags: tuple[str, ...] = ()
    # Findings below the gate's threshold are reported but do not fail the check.
    blocking: bool = True
    # Accepted in the committed baseline (.atlas-ci/baseline.json): reported, never blocking.
    baselined: bool = False
    # GitHub's primaryLocationLineHash of the flagged line, filled in from the source before
    # the reports are rendered (`linehash.attach`) so that reporters never read files.
    line_hash: str | None = None


class Metric(_Frozen):
    """A number a gate judges, kept with its threshold so reports and baselines can ratchet it."""

    name: str
    value: float
    unit: str = ""
    threshold: float | None = None
    # "max": value must stay at or below threshold; "min": at or above.
    direction: Literal["max", "min"] | None = None


class CheckResult(_Frozen):
    check: str
    gate: str
    status: Status
    reason: str = ""
    duration: float = 0.0
    tool: str = ""
    tool_version: str | None = None
    findings: tuple[Finding, ...] = ()
    metrics: tuple[Metric, ...] = ()
    # Files the check produced in the report directory (JUnit XML, raw tool output), relative to it.
    artifacts: tuple[str, ...] = ()
    # Returned from the result cache: its inputs had not changed since it was computed.
    cached: bool = False


class GateResult(_Frozen):
    gate: str
    status: Status
    checks: tuple[CheckResult, ...]


class Report(_Frozen):
    schema_version: str = SCHEMA_VERSION
    tool: str = "atlas-ci"
    tool_version: str
    commit: str | None = None
    config_digest: str
    started_at: str
    duration: float
    interrupted: bool = False
    status: Status
    gates: tuple[GateResult, ...]

    @property
    def checks(self) -> tuple[CheckResult, ...]:
        return tuple(c for g in self.gates for c in g.checks)


def fingerprint(rule_id: str, path: str, content: str) -> str:
    """Stable across unrelated edits: rule, path and normalized flagged content, not the line."""
    normalized = " ".join(content.split())
    digest = hashlib.sha256(f"{rule_id}\0{path}\0{normalized}".encode())
    return digest.hexdigest()[:32]
