"""security.workflows against real zizmor (offline): template injection found, config honoured."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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
    assert (
        res.reason == "no workflow files in .github/workflows, no action.yml and no dependabot.yml"
    )


ACTION = """\
name: greet
description: a composite action with an injectable input
inputs:
  who:
    description: who
runs:
  using: composite
  steps:
    - run: echo "hello ${{ github.event.issue.title }}"
      shell: bash
"""
DEPENDABOT = """\
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule:
      interval: daily
"""


ZIZMOR = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")


def _zizmor_by_hand(root) -> set[tuple[str, str, int]]:
    out = subprocess.run(
        [ZIZMOR, "--offline", "--format", "json", "--no-exit-codes", "."],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = set()
    for item in json.loads(out):
        loc = next(x for x in item["locations"] if x["symbolic"]["kind"] == "Primary")
        path = os.path.normpath(loc["symbolic"]["key"]["Local"]["verbatim_path"])
        found.add((item["ident"], path, loc["concrete"]["location"]["start_point"]["row"] + 1))
    return found


def test_findings_equal_zizmor_offline_on_the_repository_root(copy_fixture, run_check):
    root = copy_fixture("workflows_repo")
    (root / "actions" / "greet").mkdir(parents=True)
    (root / "actions" / "greet" / "action.yml").write_text(ACTION)
    (root / ".github" / "dependabot.yml").write_text(DEPENDABOT)
    res = run_check("workflows", root)
    ours = {(f.rule_id, f.location.path, f.location.start_line) for f in res.findings}
    assert ours == _zizmor_by_hand(root)
    assert {path for _, path, _ in ours} >= {
        ".github/workflows/triage.yml",
        "actions/greet/action.yml",
        ".github/dependabot.yml",
    }


def test_a_composite_action_alone_is_audited(tmp_path, run_check):
    (tmp_path / "action.yml").write_text(ACTION)
    res = run_check("workflows", tmp_path)
    assert res.status is Status.FAILED, res.reason
    assert {f.location.path for f in res.findings} == {"action.yml"}
