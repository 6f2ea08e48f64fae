"""console.py: tool text and config names print literally (no markup, no emoji, no escapes),
reasons show the line that explains, and the top findings follow the table."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from atlas_ci import console
from atlas_ci.model import CheckResult, Finding, GateResult, Location, Report, Severity, Status

pytestmark = pytest.mark.unit


class _Stream(io.StringIO):
    def isatty(self) -> bool:
        return False


def _out() -> tuple[_Stream, console.Console]:
    stream = _Stream()
    return stream, console.make_console(stream)


def _finding(n: int, *, blocking: bool = True, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(
        check="quality.lint",
        tool="ruff",
        rule_id=f"E{n}",
        message=f"message {n} [/bold] :-1:",
        severity=severity,
        location=Location(path=f"src/m{n}.py", start_line=n),
        blocking=blocking,
    )


def _report(*checks: CheckResult) -> Report:
    return Report(
        tool_version="0",
        config_digest="d",
        started_at="2026-01-01T00:00:00+00:00",
        duration=1.0,
        status=Status.FAILED,
        gates=(GateResult(gate="quality", status=Status.FAILED, checks=checks),),
    )


def _check(reason: str, findings: tuple[Finding, ...] = ()) -> CheckResult:
    return CheckResult(
        check="quality.lint", gate="quality", status=Status.ERROR, reason=reason, findings=findings
    )


@pytest.mark.parametrize(
    "text",
    [
        "closing tag [/bold] from a tool's stderr",
        "set [gates.perf.benchmarks] paths",
        "conftest.py:-1: in <module>",
        "[link=file:///etc/passwd]x[/link] and [red]",
    ],
)
def test_untrusted_text_prints_literally_everywhere(text: str) -> None:
    stream, out = _out()
    console.print_text(out, text)
    console.print_lines(out, [text])
    console.print_table(out, _report(_check(text)))
    console.print_inventory(out, [(text, "yes", "tool", "1.0")])
    printed = stream.getvalue()
    assert printed.count(text) == 4
    assert "👎" not in printed


def test_error_prints_literally_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    console.error("unknown key [gates.qualty.lint] at line 3 [/bold]")
    assert capsys.readouterr().err == (
        "atlas-ci: error: unknown key [gates.qualty.lint] at line 3 [/bold]\n"
    )


def test_ansi_and_control_sequences_never_reach_the_console() -> None:
    stream, out = _out()
    console.print_lines(out, ["::error::\x1b[31mred\x1b[0m\x1b]0;pwned\x07 done\x08"])
    console.print_table(out, _report(_check("\x1b[2Jcleared\x1b[0m")))
    printed = stream.getvalue()
    assert "\x1b" not in printed
    assert "\x07" not in printed
    assert "\x08" not in printed
    assert "::error::red done" in printed
    assert "cleared" in printed


def test_reason_column_shows_the_tool_error_not_a_traceback_frame() -> None:
    reason = (
        "pytest exited 4 (usage error)\n"
        '  File "/venv/lib/python3.11/site-packages/pluggy/_execution.py", line 195, in x\n'
        "    raise exception\n"
        "pytest.PytestConfigWarning: Failed to import filter module 'trio'\n"
    )
    stream, out = _out()
    console.print_table(out, _report(_check(reason)))
    # The reason column folds: read its cells back in order.
    cells = [ln.split("│")[-2].strip() for ln in stream.getvalue().splitlines() if "│" in ln]
    shown = " ".join(c for c in cells if c)
    assert shown == (
        "pytest exited 4 (usage error): pytest.PytestConfigWarning: Failed to "
        "import filter module 'trio'"
    )


def test_top_findings_follow_the_table_bounded_most_pressing_first() -> None:
    findings = (
        *(_finding(n) for n in range(1, 13)),
        _finding(20, severity=Severity.CRITICAL),
        _finding(30, blocking=False, severity=Severity.CRITICAL),
    )
    stream, out = _out()
    console.print_table(out, _report(_check("14 finding(s)", findings)), summary="out/summary.md")
    lines = stream.getvalue().splitlines()
    start = lines.index("top findings:")
    shown = lines[start + 1 : start + 1 + console.TOP_FINDINGS]
    assert shown[0] == "  src/m20.py:20 E20 message 20 [/bold] :-1:"
    assert shown[1] == "  src/m1.py:1 E1 message 1 [/bold] :-1:"
    assert all("m30.py" not in line for line in shown)  # advisory comes after blocking ones
    assert lines[start + 1 + console.TOP_FINDINGS] == "  4 more in out/summary.md"


def test_no_findings_no_section() -> None:
    stream, out = _out()
    console.print_table(out, _report(_check("broke")))
    assert "top findings" not in stream.getvalue()


def test_help_text_names_config_tables_literally() -> None:
    from typer.testing import CliRunner

    from atlas_ci.cli import app

    res = CliRunner().invoke(app, ["gate", "--help"], terminal_width=200)
    assert res.exit_code == 0
    assert "[tool.atlas-ci]" in res.output


def test_results_point_at_the_summary_that_lists_the_rest(tmp_path: Path) -> None:
    findings = tuple(_finding(n) for n in range(1, 13))
    stream, out = _out()
    written = [tmp_path / "out/atlas-ci.json", tmp_path / "out/summary.md"]
    console.print_results(out, _report(_check("12 finding(s)", findings)), written, tmp_path)
    lines = stream.getvalue().splitlines()
    assert "  2 more in out/summary.md" in lines
    assert lines[-2:] == ["wrote out/atlas-ci.json", "wrote out/summary.md"]


def test_config_show_redacts_credentials_in_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from atlas_ci.cli import app

    password = "Zq8" + "pLm3" + "vRt9Wx2"  # pragma: allowlist secret
    (tmp_path / "atlas-ci.toml").write_text(
        "[gates.security.dependencies]\n"
        'service = "osv"\n'
        f'osv_url = "https://ci:{password}@osv.internal/v1/query"\n'
    )
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["config", "show"])
    assert res.exit_code == 0, res.output
    assert password not in res.output
    assert '"osv_url": "https://ci:[redacted]@osv.internal/v1/query"' in res.output
