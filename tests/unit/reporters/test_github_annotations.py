"""GitHub annotations: exact workflow-command syntax and escaping, one line per annotation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from atlas_ci.model import Severity, Status
from atlas_ci.reporters import github

pytestmark = pytest.mark.unit


def test_escaping_follows_actions_core() -> None:
    assert github.escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert github.escape_property("100% a:b,c\n") == "100%25 a%3Ab%2Cc%0A"
    # `%` is escaped first, so an already-escaped-looking value survives a round trip.
    assert github.escape_property("%0A") == "%250A"


def test_blocking_finding_is_an_error_with_full_location(build: Any) -> None:
    f = build.finding(line=3, end_line=4, start_column=2, end_column=9)
    out = github.annotations(build.report(build.check("quality.lint", Status.FAILED, [f])))
    assert out == (
        "::error file=src/app.py,line=3,endLine=4,col=2,endColumn=9,"
        "title=quality.lint E501 (medium)::line too long\n"
    )


def test_advisory_finding_is_a_warning_and_properties_are_escaped(build: Any) -> None:
    f = build.finding(
        "security.secrets",
        "Key:Word,Detector",
        "a\nb",
        path="dir,x/a:b.py",
        line=None,
        blocking=False,
        severity=Severity.LOW,
    )
    out = github.annotations(build.report(build.check("security.secrets", Status.PASSED, [f])))
    assert out == (
        "::warning file=dir%2Cx/a%3Ab.py,"
        "title=security.secrets Key%3AWord%2CDetector (low)::a%0Ab\n"
    )


def test_messages_cannot_inject_commands(build: Any) -> None:
    f = build.finding(message="oops\n::add-mask::x\r\n::error::fake")
    out = github.annotations(build.report(build.check("quality.lint", Status.FAILED, [f])))
    assert out.count("\n") == 1
    assert out.endswith("::oops%0A::add-mask::x%0D%0A::error::fake\n")


def test_errored_checks_and_paths_outside_the_repo(build: Any, tmp_path: Path) -> None:
    outside = build.finding(path="/etc/passwd", line=1)
    inside = build.finding(path=str(tmp_path / "src/app.py"), line=2, rule_id="E2")
    report = build.report(
        build.check("quality.types", Status.ERROR, reason="mypy crashed: 1, 2\nTraceback"),
        build.check("quality.lint", Status.FAILED, [outside, inside]),
    )
    lines = github.annotations(report, tmp_path).splitlines()
    assert lines == [
        "::error title=atlas-ci quality.types errored::mypy crashed: 1, 2",
        "::error title=quality.lint E501 (medium)::line too long",
        "::error file=src/app.py,line=2,title=quality.lint E2 (medium)::line too long",
    ]


def test_annotations_are_capped_per_level_with_a_notice(build: Any) -> None:
    errors = [build.finding(rule_id=f"E{n}", line=n) for n in range(1, 15)]
    warnings = [build.finding(rule_id=f"W{n}", blocking=False) for n in range(3)]
    critical = build.finding(rule_id="C1", severity=Severity.CRITICAL)
    report = build.report(
        build.check("quality.lint", Status.FAILED, [*errors, *warnings, critical])
    )
    lines = github.annotations(report).splitlines()
    assert sum(x.startswith("::error ") for x in lines) == 10
    assert sum(x.startswith("::warning ") for x in lines) == 3
    assert "C1" in lines[0]  # most severe first
    assert lines[-1] == (
        "::notice title=atlas-ci::5 more annotation(s) not shown; see the SARIF "
        "report and the job summary"
    )


def test_nothing_to_say_gives_empty_text(build: Any) -> None:
    assert github.annotations(build.report(build.check())) == ""
