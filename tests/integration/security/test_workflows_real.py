"""security.workflows against real zizmor (offline): template injection found, config honoured."""

from __future__ import annotations

import pytest

from atlas_ci.model import Status

pytestmark = pytest.mark.integration


def test_template_injection_in_run_is_a_finding(copy_fixture, run_check):
    root = copy_fixture("workflows_repo")
    res = run_check("workflows", root)
    assert res.status is Status.FAILED, res.reason
    injection = [f for f in res.findings if f.rule_id == "template-injection"]
    assert [(f.location.path, f.location.start_line) for f in injection] == [
        (".github/workflows/triage.yml", 12)
    ]
    assert res.tool_version is not None


def test_zizmor_config_is_honoured(copy_fixture, run_check):
    root = copy_fixture("workflows_repo")
    (root / "zizmor.yml").write_text("rules:\n  template-injection:\n    disable: true\n")
    res = run_check("workflows", root)
    assert res.status is Status.PASSED, res.reason


def test_unparseable_workflow_is_an_error_not_a_pass(copy_fixture, run_check):
    root = copy_fixture("workflows_repo")
    (root / ".github" / "workflows" / "triage.yml").write_text("on: [push\njobs: {\n")
    res = run_check("workflows", root)
    assert res.status is Status.ERROR
    assert "zizmor exited" in res.reason


def test_without_workflows_it_is_skipped(tmp_path, run_check):
    res = run_check("workflows", tmp_path)
    assert res.status is Status.SKIPPED
    assert "no workflow files" in res.reason
