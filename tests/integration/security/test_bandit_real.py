"""security.bandit against real bandit: the findings bandit reports, and its config honoured."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from atlas_ci.model import Status

pytestmark = pytest.mark.integration


def bandit_itself(root, severity, confidence):
    argv = [
        sys.executable,
        "-m",
        "bandit",
        "-f",
        "json",
        "-q",
        "-r",
        "src",
        "--severity-level",
        severity,
        "--confidence-level",
        confidence,
    ]
    out = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False).stdout
    return {(r["test_id"], r["filename"], r["line_number"]) for r in json.loads(out)["results"]}


@pytest.mark.parametrize(("severity", "confidence"), [("medium", "medium"), ("low", "low")])
def test_findings_equal_what_bandit_reports(copy_fixture, run_check, severity, confidence):
    root = copy_fixture("bandit_repo")
    res = run_check("bandit", root, min_severity=severity, min_confidence=confidence)
    assert res.status is Status.FAILED
    got = {(f.rule_id, f.location.path, f.location.start_line) for f in res.findings}
    assert got == bandit_itself(root, severity, confidence)
    rules = {f.rule_id for f in res.findings}
    # shell=True, pickle.loads, yaml.load, md5 at the default thresholds; the password at low.
    assert {"B602", "B301", "B506", "B324"} <= rules
    assert ("B105" in rules) is (severity == "low")
    assert res.tool_version is not None


def test_nosec_is_honoured(copy_fixture, run_check):
    root = copy_fixture("bandit_repo")
    res = run_check("bandit", root)
    # Line 29 carries `# nosec B301`; line 17 is the same call without it.
    assert [f.location.start_line for f in res.findings if f.rule_id == "B301"] == [17]


def test_pyproject_bandit_table_is_honoured(copy_fixture, run_check):
    root = copy_fixture("bandit_repo")
    (root / "pyproject.toml").write_text('[tool.bandit]\nskips = ["B324", "B602"]\n')
    res = run_check("bandit", root)
    assert {f.rule_id for f in res.findings} == {"B301", "B506"}


def test_clean_code_passes(tmp_path, run_check):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ok.py").write_text("def add(a, b):\n    return a + b\n")
    res = run_check("bandit", tmp_path)
    assert res.status is Status.PASSED
    assert res.findings == ()
