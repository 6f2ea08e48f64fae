"""Acceptance of `report merge` on real reports: two test categories from different jobs and a
quality report -> one JSON, one SARIF (official schema and GitHub's rules), one summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import SHARED_SCHEMA, atlas_ci
from jsonschema.validators import validator_for


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=30,
    )


@pytest.fixture(scope="module")
def jobs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three CI jobs run for real on one commit of a small repository, each with its report dir."""
    root = tmp_path_factory.mktemp("repo")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text('"""App."""\n\nimport os\n\nVALUE = 1\n')  # F401
    (root / "tests" / "integration").mkdir(parents=True)
    (root / "tests" / "test_ok.py").write_text("def test_ok():\n    assert 1 + 1 == 2\n")
    (root / "tests" / "integration" / "test_broken.py").write_text(
        "def test_broken():\n    assert 'merged' == 'separate'\n"
    )
    (root / "atlas-ci.toml").write_text(
        '[project]\npaths = ["src"]\n\n[gates.tests.coverage]\nenabled = false\n'
    )
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "fixture")
    runs = [
        ("tests-ubuntu-latest-py3.11-unit", ["gate", "tests", "--only", "tests.unit"]),
        ("tests-ubuntu-22.04-py3.12-integration", ["gate", "tests", "--only", "tests.integration"]),
        ("quality-reports", ["gate", "quality", "--only", "quality.lint"]),
    ]
    for job, argv in runs:
        res = atlas_ci(*argv, "--quiet", "--report-dir", f"jobs/{job}", cwd=root)
        assert res.returncode in (0, 1), res.stdout + res.stderr
    return root


def test_merge_holds_every_jobs_checks_and_exits_with_the_worst(jobs: Path) -> None:
    res = atlas_ci(
        "report",
        "merge",
        *(str(p) for p in sorted((jobs / "jobs").iterdir())),
        "--report-dir",
        "merged",
        cwd=jobs,
    )
    assert res.returncode == 1, res.stdout + res.stderr  # failed (integration, lint), none errored
    report = json.loads((jobs / "merged" / "atlas-ci.json").read_text())
    checks = {c["check"]: c["status"] for g in report["gates"] for c in g["checks"]}
    assert checks == {
        "tests.unit": "passed",
        "tests.integration": "failed",
        "quality.lint": "failed",
    }
    assert report["status"] == "failed"
    summary = (jobs / "merged" / "summary.md").read_text()
    for name in (
        *checks,
        "tests-ubuntu-latest-py3.11-unit",
        "tests-ubuntu-22.04-py3.12-integration",
        "quality-reports",
    ):
        assert name in summary
    _check_sarif(json.loads((jobs / "merged" / "atlas-ci.sarif").read_text()), set(checks))


def _check_sarif(log: dict[str, Any], checks: set[str]) -> None:
    schema = json.loads(SHARED_SCHEMA.read_text())
    errors = list(validator_for(schema)(schema).iter_errors(log))
    assert not errors, [e.message for e in errors[:5]]
    runs = log["runs"]
    ids = [r["automationDetails"]["id"] for r in runs]
    assert len(runs) <= 20
    assert len(set(ids)) == len(ids), ids  # GitHub: unique category per run
    assert set(ids) == {f"atlas-ci/{c}/" for c in checks}
    rules = {r["ruleId"] for run in runs for r in run["results"]}
    assert "F401" in rules
    for run in runs:
        for result in run["results"]:
            assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
            assert "primaryLocationLineHash" in result["partialFingerprints"]


def test_merging_a_job_twice_labels_each_copy(jobs: Path) -> None:
    unit = jobs / "jobs" / "tests-ubuntu-latest-py3.11-unit"
    res = atlas_ci("report", "merge", str(unit), str(unit), "--report-dir", "twice", cwd=jobs)
    assert res.returncode == 0, res.stdout + res.stderr
    report = json.loads((jobs / "twice" / "atlas-ci.json").read_text())
    labels = sorted(c["check"] for g in report["gates"] for c in g["checks"])
    assert labels == [
        "tests.unit [tests-ubuntu-latest-py3.11-unit#2]",
        "tests.unit [tests-ubuntu-latest-py3.11-unit]",
    ]


def test_no_report_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    res = atlas_ci("report", "merge", "empty", cwd=tmp_path)
    assert res.returncode == 2
    assert "no atlas-ci.json under empty" in res.stdout + res.stderr
    assert "Traceback" not in res.stderr
