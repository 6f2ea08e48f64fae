"""report merge: every job's verdict kept (labelled), the worst decides, one SARIF run per check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from atlas_ci import merge
from atlas_ci.errors import ConfigError
from atlas_ci.model import Status


def _write(directory: Path, report: Any) -> Path:
    directory.mkdir(parents=True)
    (directory / "atlas-ci.json").write_text(report.model_dump_json())
    return directory


def test_a_check_in_several_jobs_keeps_each_verdict(build: Any, tmp_path: Path) -> None:
    ok = build.check("tests.unit", Status.PASSED, tool="pytest")
    bad_finding = build.finding("tests.unit", "test_x", "assert 1 == 2", path="tests/test_x.py")
    bad = build.check("tests.unit", Status.FAILED, [bad_finding], tool="pytest")
    a = _write(tmp_path / "jobs" / "tests-py3.11-unit", build.report(ok))
    b = _write(tmp_path / "jobs" / "tests-py3.12-unit", build.report(bad))
    merged = merge.merge(merge.find_reports([a, b]), tmp_path / "out")
    labels = {c.check: c.status for c in merged.report.checks}
    assert labels == {
        "tests.unit [tests-py3.11-unit]": Status.PASSED,
        "tests.unit [tests-py3.12-unit]": Status.FAILED,
    }
    assert merged.report.status is Status.FAILED
    # The SARIF side has one check per id, carrying the failing job's finding.
    (one,) = merged.sarif_report.checks
    assert one.check == "tests.unit"
    assert one.status is Status.FAILED
    assert [f.rule_id for f in one.findings] == ["test_x"]


def test_the_same_finding_in_two_jobs_is_one_sarif_result(build: Any, tmp_path: Path) -> None:
    f = build.finding("quality.lint", "F401", "unused import", path="src/a.py")
    c = build.check("quality.lint", Status.FAILED, [f])
    dirs = [_write(tmp_path / n, build.report(c)) for n in ("j1", "j2")]
    merged = merge.merge(merge.find_reports(dirs), tmp_path / "out")
    assert len(merged.report.checks) == 2
    assert len(merged.sarif_report.checks[0].findings) == 1


def test_an_errored_copy_does_not_hide_the_others_findings(build: Any, tmp_path: Path) -> None:
    f = build.finding("tests.unit", "t", "boom", path="tests/t.py")
    failed = build.check("tests.unit", Status.FAILED, [f], tool="pytest")
    errored = build.check("tests.unit", Status.ERROR, reason="timed out", tool="pytest")
    dirs = [
        _write(tmp_path / "a", build.report(failed)),
        _write(tmp_path / "b", build.report(errored)),
    ]
    merged = merge.merge(merge.find_reports(dirs), tmp_path / "out")
    assert merged.report.status is Status.ERROR  # the worst decides the merged status
    assert merged.sarif_report.checks[0].status is Status.FAILED
    assert len(merged.sarif_report.checks[0].findings) == 1


def test_reports_of_different_commits_are_refused(build: Any, tmp_path: Path) -> None:
    c = build.check()
    a = _write(tmp_path / "a", build.report(c))
    b = _write(tmp_path / "b", build.report(c, commit="f" * 40))
    with pytest.raises(ConfigError, match="different commits"):
        merge.merge(merge.find_reports([a, b]), tmp_path / "out")


def test_bad_inputs_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a directory"):
        merge.find_reports([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match=r"no atlas-ci\.json"):
        merge.find_reports([tmp_path / "empty"])
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "atlas-ci.json").write_text(json.dumps({"status": "passed"}))
    with pytest.raises(ConfigError, match="not an atlas-ci report"):
        merge.find_reports([tmp_path / "bad"])


def test_artifacts_point_into_the_job_directories(build: Any, tmp_path: Path) -> None:
    c = build.check("tests.unit", Status.PASSED, tool="pytest", artifacts=("junit-unit.xml",))
    a = _write(tmp_path / "jobs" / "a", build.report(c))
    merged = merge.merge(merge.find_reports([a]), tmp_path / "out")
    assert merged.report.checks[0].artifacts == ("../jobs/a/junit-unit.xml",)


def test_two_directories_with_one_name_stay_two_jobs(build: Any, tmp_path: Path) -> None:
    c = build.check()
    dirs = [_write(tmp_path / p / "reports", build.report(c)) for p in ("x", "y")]
    jobs = merge.find_reports(dirs)
    assert [j.job for j in jobs] == ["reports", "reports#2"]
