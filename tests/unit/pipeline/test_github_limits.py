"""GitHub's output limits: annotations ranked and spread within 10 per type per step (50 per job),
then one notice; the step summary under 1 MiB, cut with a link to the reports artifact."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from atlas_ci import reporting
from atlas_ci.model import Severity, Status
from atlas_ci.reporters import github

_FILE = re.compile(r"file=([^,]+)")


def _many(build: Any, n: int, files: int, **kw: Any) -> list[Any]:
    severities = list(Severity)
    return [
        build.finding(
            "security.bandit",
            f"B{100 + i % 7}",
            f"finding {i}",
            path=f"src/mod{i % files}.py",
            line=1 + i,
            severity=severities[i % len(severities)],
            **kw,
        )
        for i in range(n)
    ]


def test_300_findings_over_40_files_give_10_errors_from_10_files_then_the_notice(
    build: Any,
) -> None:
    report = build.report(build.check("security.bandit", Status.FAILED, _many(build, 300, 40)))
    lines = github.annotations(report).splitlines()
    errors = [x for x in lines if x.startswith("::error ")]
    assert len(errors) == 10
    files = [_FILE.search(x).group(1) for x in errors]  # type: ignore[union-attr]
    assert len(set(files)) == 10  # spread: ten different files, not one file's ten findings
    assert lines[-1].startswith("::notice ")
    assert "290 more annotation(s) not shown; see the SARIF report and the job summary" in lines[-1]
    assert len(lines) == 11


def test_the_most_severe_of_each_file_is_shown(build: Any) -> None:
    low = [build.finding(path=f"src/f{i}.py", severity=Severity.LOW) for i in range(12)]
    critical = build.finding(
        "quality.lint", "X1", "worst", path="src/f3.py", severity=Severity.CRITICAL
    )
    report = build.report(build.check("quality.lint", Status.FAILED, [*low, critical]))
    errors = github.annotations(report).splitlines()
    assert "title=quality.lint X1 (critical)" in errors[0]


def test_rules_are_spread_within_one_file(build: Any) -> None:
    same_rule = [build.finding(rule_id="E501", path="src/a.py", line=i) for i in range(1, 30)]
    other = build.finding(rule_id="F401", path="src/a.py", line=40)
    report = build.report(build.check("quality.lint", Status.FAILED, [*same_rule, other]))
    errors = [x for x in github.annotations(report).splitlines() if x.startswith("::error")]
    assert any("F401" in x for x in errors[:2])


def test_errors_come_before_warnings_and_each_level_is_capped(build: Any) -> None:
    blocking = _many(build, 30, 30)
    advisory = _many(build, 30, 30, blocking=False)
    errored = build.check("quality.types", Status.ERROR, reason="mypy crashed")
    report = build.report(
        build.check("security.bandit", Status.FAILED, [*advisory, *blocking]), errored
    )
    lines = github.annotations(report).splitlines()
    kinds = [x.split(" ", 1)[0].split("::")[1] for x in lines]
    assert kinds == ["error"] * 10 + ["warning"] * 10 + ["notice"]
    assert "quality.types errored" in lines[0]  # a check that could not run leads
    assert len(lines) <= github.MAX_PER_JOB


def test_no_notice_when_everything_fits(build: Any) -> None:
    report = build.report(build.check("security.bandit", Status.FAILED, _many(build, 5, 5)))
    assert "::notice" not in github.annotations(report)


def test_a_5_mib_summary_becomes_at_most_1_mib_with_the_link() -> None:
    text = "".join(f"| row {i} | {'x' * 80} |\n" for i in range(60_000))
    assert len(text.encode()) > 5 * 1024 * 1024
    url = github.run_url(
        {
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_RUN_ID": "42",
        }
    )
    cut = github.step_summary(text, url)
    assert len(cut.encode()) <= 1024 * 1024
    assert cut.rstrip().endswith("(https://github.example/o/r/actions/runs/42#artifacts).")
    # Cut at a line: no half row before the note.
    body = cut.split("\n\n**Summary truncated**")[0]
    assert body.endswith("|")


def test_a_small_summary_is_unchanged() -> None:
    assert github.step_summary("# ok\n", None) == "# ok\n"


def test_the_step_summary_file_gets_the_capped_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "summary"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    monkeypatch.delenv("GITHUB_RUN_ID", raising=False)
    reporting.append_step_summary("y" * (5 * 1024 * 1024))
    written = target.read_bytes()
    assert len(written) <= 1024 * 1024 + 1
    assert b"the full summary.md is in the reports artifact of this run" in written
