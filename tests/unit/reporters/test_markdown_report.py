"""Markdown summary: status heading, a well-formed checks table, failing findings, metrics."""

from __future__ import annotations

import re
from typing import Any

import pytest

from atlas_ci.model import Metric, Severity, Status
from atlas_ci.reporters import markdown

pytestmark = pytest.mark.unit

UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _table_rows(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    start = lines.index(header)
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in UNESCAPED_PIPE.split(line)[1:-1]])
    return rows


CHECKS_HEADER = "| Check | Status | Findings | Duration | Reason |"


def test_heading_and_one_row_per_check(build: Any) -> None:
    report = build.report(
        build.check(
            "quality.lint", Status.FAILED, [build.finding()], reason="1 finding(s)", duration=1.25
        ),
        build.check(
            "quality.types", Status.ERROR, reason="mypy crashed\nTraceback ...", duration=75
        ),
        build.check("tests.unit", Status.SKIPPED, reason="disabled"),
    )
    text = markdown.render(report)
    assert text.splitlines()[0] == "# atlas-ci: ERROR"
    assert "commit `0123456789ab`" in text
    assert _table_rows(text, CHECKS_HEADER) == [
        ["quality.lint", "failed", "1", "1.2s", "1 finding(s)"],
        ["quality.types", "error", "0", "1m 15s", "mypy crashed"],
        ["tests.unit", "skipped", "0", "0.0s", "disabled"],
    ]
    assert "Traceback" not in text
    assert text.isascii()


def test_pipes_are_escaped_and_long_reasons_trimmed(build: Any) -> None:
    reason = "a | b <!-- " + "x" * 300
    text = markdown.render(build.report(build.check("quality.lint", Status.FAILED, reason=reason)))
    row = _table_rows(text, CHECKS_HEADER)[0]
    assert len(row) == 5
    assert row[4].startswith("a \\| b &lt;!-- xxx")
    assert row[4].endswith("...")
    # Trimmed before escaping: +1 for the backslash before `|`, +3 for "&lt;".
    assert len(row[4]) == markdown.MAX_REASON + 4


def test_failing_checks_list_20_findings_then_a_count(build: Any) -> None:
    findings = [build.finding(rule_id=f"E{n}", message=f"msg {n}", line=n) for n in range(1, 26)]
    advisory = build.finding(
        rule_id="W1", message="advisory one", blocking=False, severity=Severity.CRITICAL
    )
    report = build.report(
        build.check("quality.lint", Status.FAILED, [advisory, *findings]),
        build.check("security.secrets", Status.PASSED, [build.finding(message="not listed")]),
    )
    text = markdown.render(report)
    section = text.split("## quality.lint: failed\n", 1)[1]
    items = [line for line in section.splitlines() if line.startswith("- ")]
    assert len(items) == 21
    assert items[0] == "- `src/app.py:1` `E1` medium: msg 1"
    assert items[-1] == "- and 6 more"
    assert "advisory one" not in text  # blocking findings come first and fill the 20
    assert "not listed" not in text
    assert "| quality.lint | failed | 26 (1 advisory) |" in text


def test_messages_cannot_break_the_layout(build: Any) -> None:
    f = build.finding(
        message="first\n# Heading\n- item <script>x</script> | pipe", path="a`b.py", rule_id="X1"
    )
    text = markdown.render(build.report(build.check("quality.lint", Status.FAILED, [f])))
    line = next(x for x in text.splitlines() if "X1" in x)
    assert line == (
        "- ``a`b.py:1`` `X1` medium: first # Heading - item &lt;script>x&lt;/script> | pipe"
    )
    assert not any(x.startswith("# Heading") for x in text.splitlines())


def test_metrics_table_per_check_with_thresholds(build: Any) -> None:
    metrics = (
        Metric(name="coverage < goal", value=87.456, unit="%", threshold=90, direction="min"),
        Metric(name="max complexity", value=12, threshold=10, direction="max"),
        Metric(name="p95 | latency", value=0.00123, unit="s"),
    )
    report = build.report(
        build.check("tests.coverage", Status.FAILED, metrics=metrics),
        build.check("quality.lint", Status.PASSED),
    )
    text = markdown.render(report)
    assert "### tests.coverage" in text
    assert "### quality.lint" not in text
    assert _table_rows(text, "| Metric | Value | Unit | Threshold |") == [
        ["coverage < goal", "87.456", "%", "min 90"],
        ["max complexity", "12", "", "max 10"],
        ["p95 \\| latency", "0.00123", "s", ""],
    ]


def test_interrupted_and_empty_reports(build: Any) -> None:
    text = markdown.render(build.report(build.check(), interrupted=True))
    assert "**Interrupted**" in text
    assert text.startswith("# atlas-ci: PASSED\n")
    empty = build.report(status=Status.SKIPPED, gates=())
    assert "No checks were selected." in markdown.render(empty)


def test_size_is_capped_below_the_step_summary_limit(build: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(markdown, "MAX_BYTES", 2_000)
    checks = [
        build.check(f"quality.c{i}", Status.FAILED, [build.finding()] * 20) for i in range(20)
    ]
    text = markdown.render(build.report(*checks))
    assert len(text.encode()) < 2_200
    assert text.endswith("_Summary truncated to stay within GitHub's step summary size limit._\n")
