"""deploy.reports on fabricated-but-valid reports: only this commit's complete evidence passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.deploy import PASSING_GATES, fabricated_report, git_repo, make_ctx, write_reports

from atlas_ci.checks.deploy.reports import Reports, ReportsSettings
from atlas_ci.model import Severity, Status


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, str]:
    root = tmp_path / "repo"
    return root, git_repo(root)


def run(root: Path, **settings: object) -> tuple[Status, list[str], str]:
    ctx = make_ctx(Reports(), root, settings=ReportsSettings.model_validate(settings))
    res = Reports().run(ctx)
    return res.status, [f"{f.rule_id}: {f.message}" for f in res.findings], res.reason


def test_every_gate_passed_for_head_passes(repo: tuple[Path, str]) -> None:
    root, head = repo
    # One report per gate, as separate CI jobs upload them.
    for gate, checks in PASSING_GATES.items():
        write_reports(root / "evidence" / gate, fabricated_report(head, {gate: checks}))
    status, findings, reason = run(root, from_dir="evidence")
    assert (status, findings) == (Status.PASSED, [])
    assert head[:12] in reason


def test_reports_of_another_commit_fail_naming_both_commits(repo: tuple[Path, str]) -> None:
    root, head = repo
    write_reports(root / "evidence", fabricated_report("a" * 40))
    status, findings, _ = run(root, from_dir="evidence")
    assert status is Status.FAILED
    assert len(findings) == 5
    assert findings[0] == (
        f"other-commit: the quality report is for commit {'a' * 12}, not HEAD {head[:12]}"
    )


def test_missing_perf_report_fails(repo: tuple[Path, str]) -> None:
    root, head = repo
    gates = {g: c for g, c in PASSING_GATES.items() if g != "perf"}
    write_reports(root / "evidence", fabricated_report(head, gates))
    status, findings, _ = run(root, from_dir="evidence")
    assert (status, findings) == (Status.FAILED, ["missing-report: no report of the perf gate"])


def test_no_evidence_at_all_is_a_failure_not_a_pass(repo: tuple[Path, str]) -> None:
    root, _ = repo
    status, findings, _ = run(root)
    assert status is Status.FAILED
    assert findings == ["no-evidence: no gate reports given: use --from DIR or --run-gates"]


def test_errored_check_critical_finding_and_failed_tests_are_each_named(
    repo: tuple[Path, str],
) -> None:
    root, head = repo
    critical = {
        "check": "security.dependencies",
        "tool": "pip-audit",
        "rule_id": "PYSEC-1",
        "message": "m",
        "severity": Severity.CRITICAL,
    }
    report = fabricated_report(
        head,
        **{
            "quality.types": {"status": Status.ERROR, "reason": "mypy crashed\ntrace"},
            "security.dependencies": {"status": Status.FAILED, "findings": [critical]},
            "tests.integration": {"status": Status.FAILED, "reason": "2 failed"},
            "perf.benchmarks": {"status": Status.FAILED, "reason": "slower"},
        },
    )
    write_reports(root / "evidence", report)
    status, findings, _ = run(root, from_dir="evidence")
    assert status is Status.FAILED
    assert findings == [
        "check-errored: quality: quality.types errored: mypy crashed",
        "security-finding: security: critical PYSEC-1 in the project",
        "tests-not-passed: tests: tests.integration failed: 2 failed",
        "gate-not-passed: perf: gate failed: perf.benchmarks failed",
    ]


def test_high_finding_passes_unless_the_threshold_is_lowered(repo: tuple[Path, str]) -> None:
    root, head = repo
    high = {
        "check": "security.bandit",
        "tool": "bandit",
        "rule_id": "B1",
        "message": "m",
        "severity": Severity.HIGH,
    }
    report = fabricated_report(
        head, **{"security.bandit": {"status": Status.FAILED, "findings": [high]}}
    )
    write_reports(root / "evidence", report)
    assert run(root, from_dir="evidence")[0] is Status.PASSED
    assert run(root, from_dir="evidence", security_fail_on="high")[0] is Status.FAILED


def test_skipped_test_category_and_missing_coverage_fail(repo: tuple[Path, str]) -> None:
    root, head = repo
    gates = dict(PASSING_GATES, tests=("unit", "integration"))
    report = fabricated_report(
        head, gates, **{"tests.integration": {"status": Status.SKIPPED, "reason": "no tests"}}
    )
    write_reports(root / "evidence", report)
    _, findings, _ = run(root, from_dir="evidence")
    assert findings == [
        "tests-not-passed: tests: tests.integration skipped: no tests",
        "coverage-missing: tests: tests.coverage is not in the report",
    ]


def test_newest_report_for_head_wins_and_other_json_is_ignored(repo: tuple[Path, str]) -> None:
    root, head = repo
    old = fabricated_report(head, **{"quality.lint": {"status": Status.FAILED}})
    write_reports(root / "evidence", old, "old.json")
    new = fabricated_report(head).model_copy(update={"started_at": "2026-01-02T00:00:00+00:00"})
    write_reports(root / "evidence", new, "new.json")
    (root / "evidence" / "junit.json").write_text('{"not": "a report"}')
    assert run(root, from_dir="evidence")[0] is Status.PASSED


def test_a_broken_report_is_an_error(repo: tuple[Path, str]) -> None:
    from atlas_ci.errors import CheckError

    root, _ = repo
    (root / "evidence").mkdir()
    (root / "evidence" / "atlas-ci.json").write_text('{"schema_version": "1.0", "gates": 3}')
    with pytest.raises(CheckError, match="looks like an atlas-ci report but is not valid"):
        run(root, from_dir="evidence")


def test_a_merged_report_with_job_labels_counts_its_coverage(repo: tuple[Path, str]) -> None:
    root, head = repo
    gates = dict(PASSING_GATES, tests=("unit [tests-py3.11-unit]", "coverage [tests-py3.11-unit]"))
    write_reports(root / "evidence", fabricated_report(head, gates))
    assert run(root, from_dir="evidence")[:2] == (Status.PASSED, [])
