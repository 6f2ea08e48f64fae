"""This repository's own security gate, through the real CLI: clean, except the offline audit.

On a machine whose only network is a package index, pip-audit's vulnerability service cannot be
reached; security.dependencies must then say so and be `error`, never `passed`.
"""

from __future__ import annotations

import re

import pytest
from helpers.cli import REPO, atlas_ci, checks, report

from atlas_ci.model import Status

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def self_gate(tmp_path_factory):
    out = tmp_path_factory.mktemp("self-security")
    proc = atlas_ci("gate", "security", "--report-dir", str(out), "--quiet", cwd=REPO)
    return proc, checks(report(out, name="."))


@pytest.mark.parametrize("check", ["security.bandit", "security.secrets", "security.workflows"])
def test_static_security_checks_pass_on_this_repository(self_gate, check):
    _, results = self_gate
    result = results[check]
    problems = [(f["rule_id"], f["location"]) for f in result["findings"] if f["blocking"]]
    assert result["status"] == Status.PASSED, (result["reason"], problems)


def test_dependency_audit_is_an_error_that_says_why(self_gate):
    proc, results = self_gate
    result = results["security.dependencies"]
    assert result["status"] == Status.ERROR
    match = re.match(
        r"no advisory source reachable: (\d+) packages could not be audited: ", result["reason"]
    )
    assert match, result["reason"]
    assert int(match.group(1)) > 10
    assert "pydantic" in result["reason"]
    assert proc.returncode == 3
