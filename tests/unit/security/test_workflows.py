"""security.workflows: zizmor's recorded JSON, ignored findings, arguments, and skips."""

from __future__ import annotations

import json
from importlib import metadata

import pytest

from atlas_ci.checks.security.workflows import Workflows, WorkflowsSettings, parse, zizmor_args
from atlas_ci.errors import CheckError
from atlas_ci.model import Severity, Status

pytestmark = pytest.mark.unit


@pytest.fixture
def repo(fixtures):
    return fixtures / "workflows_repo"


def test_template_injection_is_a_high_finding_at_the_expression(recorded, make_ctx, repo):
    (finding,) = parse(recorded("zizmor.json"), Workflows(), make_ctx(Workflows(), root=repo))
    assert finding.rule_id == "template-injection"
    assert finding.location.path == ".github/workflows/triage.yml"
    # zizmor's rows and columns are 0-based; line 12 holds `echo "... ${{ ... }}"`.
    assert (finding.location.start_line, finding.location.start_column) == (12, 31)
    assert finding.severity is Severity.HIGH
    assert finding.tags == ("security", "CWE-94")
    assert finding.help_uri == "https://docs.zizmor.sh/audits/#template-injection"
    assert "attacker-controllable" in finding.message
    assert "(confidence: high)" in finding.message


def test_ignored_findings_are_dropped_and_low_ones_do_not_block(recorded, make_ctx, repo):
    items = json.loads(recorded("zizmor.json"))
    low = json.loads(json.dumps(items[0]))
    low["ident"], low["determinations"]["severity"] = "artipacked", "Low"
    ignored = json.loads(json.dumps(items[0]))
    ignored["ignored"] = True
    findings = parse(
        json.dumps([*items, low, ignored]), Workflows(), make_ctx(Workflows(), root=repo)
    )
    assert [(f.rule_id, f.severity, f.blocking) for f in findings] == [
        ("template-injection", Severity.HIGH, True),
        ("artipacked", Severity.LOW, False),
    ]


@pytest.mark.parametrize("stdout", ["garbage", "{}", '[{"ident": "x"}]'])
def test_unreadable_output_is_a_check_error(stdout, make_ctx, repo):
    with pytest.raises(CheckError):
        parse(stdout, Workflows(), make_ctx(Workflows(), root=repo))


def test_offline_json_and_thresholds_are_passed():
    args = zizmor_args(WorkflowsSettings(persona="pedantic", min_severity="medium"))
    assert {"--offline", "--no-exit-codes"} <= set(args)
    assert args[args.index("--format") + 1] == "json"
    assert args[args.index("--persona") + 1] == "pedantic"
    assert args[args.index("--min-severity") + 1] == "medium"
    assert "--min-confidence" not in args


def test_run_audits_the_repository_root_as_zizmor_dot_does(fake_tools, recorded, make_ctx, repo):
    fake_tools.respond("zizmor", recorded("zizmor.json"))
    res = Workflows().run(make_ctx(Workflows(), root=repo))
    assert res.status is Status.FAILED
    # atlas-ci's own zizmor: its package metadata answers, no --version call.
    assert res.tool_version == metadata.version("zizmor")
    assert fake_tools.tool_calls()[0][-1] == "."


def test_a_zizmor_failure_is_an_error(fake_tools, make_ctx, repo):
    fake_tools.respond("zizmor", "", returncode=1, stderr="fatal: no audit was performed")
    with pytest.raises(CheckError, match="no audit was performed"):
        Workflows().run(make_ctx(Workflows(), root=repo))


def test_no_workflows_folder_is_skipped_with_a_reason(fake_tools, make_ctx, tmp_path):
    res = Workflows().run(make_ctx(Workflows(), root=tmp_path))
    assert res.status is Status.SKIPPED
    assert (
        res.reason == "no workflow files in .github/workflows, no action.yml and no dependabot.yml"
    )
    assert fake_tools.tool_calls() == []
