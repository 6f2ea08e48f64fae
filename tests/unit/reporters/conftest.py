"""Builders for reporter tests: real Report objects, assembled from the model's own classes."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from atlas_ci.model import (
    CheckResult,
    Finding,
    GateResult,
    Location,
    Metric,
    Report,
    Severity,
    Status,
    fingerprint,
    worst,
)


class Build:
    """Small factories with defaults, so each test states only what it is about."""

    @staticmethod
    def finding(
        check: str = "quality.lint",
        rule_id: str = "E501",
        message: str = "line too long",
        *,
        path: str | None = "src/app.py",
        line: int | None = 1,
        severity: Severity = Severity.MEDIUM,
        **kw: object,
    ) -> Finding:
        loc_kw = {k: kw.pop(k) for k in ("end_line", "start_column", "end_column") if k in kw}
        location = None if path is None else Location(path=path, start_line=line, **loc_kw)
        data = {
            "check": check,
            "tool": kw.pop("tool", "ruff"),
            "rule_id": rule_id,
            "message": message,
            "severity": severity,
            "location": location,
            "fingerprint": fingerprint(rule_id, path or "", f"{message}{line}"),
            **kw,
        }
        return Finding.model_validate(data)

    @staticmethod
    def check(
        check: str = "quality.lint",
        status: Status = Status.PASSED,
        findings: Sequence[Finding] = (),
        **kw: object,
    ) -> CheckResult:
        data = {
            "check": check,
            "gate": check.split(".", maxsplit=1)[0],
            "status": status,
            "tool": "ruff",
            "findings": tuple(findings),
            **kw,
        }
        return CheckResult.model_validate(data)

    @staticmethod
    def report(*checks: CheckResult, **kw: object) -> Report:
        gates: dict[str, list[CheckResult]] = {}
        for c in checks:
            gates.setdefault(c.gate, []).append(c)
        results = tuple(
            GateResult(gate=g, status=worst([c.status for c in cs]), checks=tuple(cs))
            for g, cs in gates.items()
        )
        data = {
            "tool_version": "0.1.0",
            "commit": "0123456789abcdef0123456789abcdef01234567",  # pragma: allowlist secret
            "config_digest": "sha256:abc",
            "started_at": "2025-01-01T00:00:00Z",
            "duration": 12.5,
            "status": worst([c.status for c in checks]),
            "gates": results,
            **kw,
        }
        return Report.model_validate(data)

    metric = Metric


@pytest.fixture
def build() -> type[Build]:
    return Build
