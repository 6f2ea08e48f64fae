"""`atlas-ci gate tests` as a real subprocess on the fixture project."""

from __future__ import annotations

import pytest
from helpers.cli import atlas_ci, checks, report
from helpers.tests_gate import copy_fixture

pytestmark = pytest.mark.integration


def test_gate_tests_fails_on_a_failing_test_and_low_coverage(tmp_path):
    root = copy_fixture("project", tmp_path)
    proc = atlas_ci("gate", "tests", "--quiet", cwd=root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    by_id = checks(report(root))
    assert {k: v["status"] for k, v in by_id.items()} == {
        "tests.unit": "failed",
        "tests.integration": "passed",
        "tests.observability": "skipped",
        "tests.reliability": "skipped",
        "tests.coverage": "failed",
    }
    assert by_id["tests.unit"]["findings"][0]["location"]["path"] == "tests/unit/test_ops.py"
    assert by_id["tests.unit"]["artifacts"] == ["junit/unit.xml"]
    assert (root / "reports" / "junit" / "unit.xml").is_file()
    assert (root / "reports" / "junit" / "integration.xml").is_file()


def test_only_coverage_errors_for_want_of_data(tmp_path):
    root = copy_fixture("project", tmp_path)
    proc = atlas_ci("gate", "tests", "--only", "coverage", "--quiet", cwd=root)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    cov = checks(report(root))["tests.coverage"]
    assert cov["status"] == "error"
    assert "no coverage data from this run" in cov["reason"]
