"""JSON report: every field DESIGN.md promises, and a lossless round trip through the model."""

from __future__ import annotations

import json
from typing import Any

import pytest

from atlas_ci.model import Metric, Report, Status
from atlas_ci.reporters import json_report

pytestmark = pytest.mark.unit


def test_report_fields_and_round_trip(build: Any) -> None:
    check = build.check(
        "tests.coverage",
        Status.FAILED,
        [build.finding("tests.coverage")],
        reason="below",
        duration=2.5,
        tool="coverage",
        tool_version="7.6.1",
        metrics=(Metric(name="coverage", value=80.0, unit="%", threshold=90, direction="min"),),
    )
    report = build.report(check)
    text = json_report.render(report)
    assert text.endswith("}\n")
    data = json.loads(text)
    assert data["schema_version"] == "1.0"
    assert data["tool"] == "atlas-ci"
    assert data["tool_version"] == "0.1.0"
    assert data["commit"] == "0123456789abcdef0123456789abcdef01234567"  # pragma: allowlist secret
    assert data["config_digest"] == "sha256:abc"
    c = data["gates"][0]["checks"][0]
    assert (c["status"], c["reason"], c["duration"]) == ("failed", "below", 2.5)
    assert (c["tool"], c["tool_version"]) == ("coverage", "7.6.1")
    assert c["findings"][0]["location"] == {
        "path": "src/app.py",
        "start_line": 1,
        "end_line": None,
        "start_column": None,
        "end_column": None,
    }
    assert c["metrics"][0]["threshold"] == 90
    assert Report.model_validate_json(text) == report
