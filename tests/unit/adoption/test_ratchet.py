"""Baseline and ratchet: baselined findings pass, new ones fail alone, metrics may not worsen."""

from __future__ import annotations

from pathlib import Path

import pytest

from atlas_ci import ratchet
from atlas_ci.errors import ConfigError
from atlas_ci.model import CheckResult, Finding, Location, Metric, Status, fingerprint


def finding(n: int, line: int) -> Finding:
    content = f"x{n} = eval(data)"
    return Finding(
        check="quality.lint",
        tool="ruff",
        rule_id="S307",
        message=f"eval {n}",
        location=Location(path="src/a.py", start_line=line),
        fingerprint=fingerprint("S307", "src/a.py", content),
    )


def lint(findings: list[Finding]) -> CheckResult:
    status = Status.FAILED if findings else Status.PASSED
    reason = f"{len(findings)} finding(s)" if findings else "clean"
    return CheckResult(
        check="quality.lint", gate="quality", status=status, reason=reason, findings=tuple(findings)
    )


def coverage(value: float) -> CheckResult:
    m = Metric(name="coverage", value=value, unit="%", threshold=50, direction="min")
    return CheckResult(
        check="tests.coverage",
        gate="tests",
        status=Status.PASSED,
        reason=f"{value}% >= 50%",
        metrics=(m,),
    )


def ten() -> list[Finding]:
    return [finding(n, 10 + n) for n in range(10)]


def test_a_repository_with_ten_findings_and_a_baseline_passes() -> None:
    base = ratchet.recorded(None, [lint(ten())], prune=False)
    (res,) = ratchet.apply([lint(ten())], base)
    assert res.status is Status.PASSED
    assert all(f.baselined and not f.blocking for f in res.findings)
    assert res.reason == "10 baselined finding(s)"


def test_one_new_finding_fails_with_exactly_that_finding() -> None:
    base = ratchet.recorded(None, [lint(ten())], prune=False)
    new = finding(99, 200)
    (res,) = ratchet.apply([lint([*ten(), new])], base)
    assert res.status is Status.FAILED
    assert [f.message for f in res.findings if f.blocking] == ["eval 99"]
    assert res.reason.startswith("1 finding(s)")


def test_moved_lines_stay_baselined() -> None:
    base = ratchet.recorded(None, [lint(ten())], prune=False)
    moved = [finding(n, 50 + n) for n in range(10)]  # 40 lines inserted above them
    (res,) = ratchet.apply([lint(moved)], base)
    assert res.status is Status.PASSED


def test_coverage_falling_below_its_baseline_fails() -> None:
    base = ratchet.recorded(None, [coverage(81.0)], prune=False)
    (same,) = ratchet.apply([coverage(81.0)], base)
    (lower,) = ratchet.apply([coverage(80.0)], base)
    (higher,) = ratchet.apply([coverage(85.0)], base)
    assert same.status is Status.PASSED
    assert higher.status is Status.PASSED
    assert lower.status is Status.FAILED
    assert "coverage 80% is worse than its baseline 81%" in lower.reason


def test_a_removed_finding_is_a_stale_entry() -> None:
    base = ratchet.recorded(None, [lint(ten())], prune=False)
    (res,) = ratchet.apply([lint(ten()[1:])], base)
    assert res.status is Status.PASSED
    assert "1 stale baseline entry" in res.reason
    (strict,) = ratchet.apply([lint(ten()[1:])], base, fail_on_stale=True)
    assert strict.status is Status.FAILED


def test_update_keeps_accepted_entries_unless_pruned() -> None:
    base = ratchet.recorded(None, [lint(ten())], prune=False)
    kept = ratchet.recorded(base, [lint(ten()[1:])], prune=False)
    pruned = ratchet.recorded(base, [lint(ten()[1:])], prune=True)
    assert len(kept.checks["quality.lint"].findings) == 10
    assert len(pruned.checks["quality.lint"].findings) == 9


def test_errors_are_never_hidden_and_errored_checks_keep_their_entries() -> None:
    base = ratchet.recorded(None, [lint(ten())], prune=False)
    err = CheckResult(check="quality.lint", gate="quality", status=Status.ERROR, reason="boom")
    assert ratchet.apply([err], base) == [err]
    assert ratchet.recorded(base, [err], prune=True) == base


def test_the_file_round_trips_and_bad_files_name_the_key(tmp_path: Path) -> None:
    base = ratchet.recorded(None, [lint(ten()), coverage(80)], prune=False)
    path = tmp_path / "baseline.json"
    path.write_text(ratchet.dump(base))
    assert ratchet.load(path) == base
    assert ratchet.load(tmp_path / "missing.json") is None
    path.write_text('{"checks": {"quality.lint": {"findings": [{"rule_id": 1}]}}}')
    with pytest.raises(ConfigError, match=r"baseline\.json.*checks\.quality\.lint\.findings\.0"):
        ratchet.load(path)
