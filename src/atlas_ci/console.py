"""The only module that imports Rich: live progress while checks run, then the final table.

Nothing shown here is ever read as Rich markup or emoji codes: tool text and config names go out
as `rich.text.Text`, literally (`[/bold]`, `[gates.perf.benchmarks]` and `conftest.py:-1:` stay
as they are), cleaned of control/ANSI sequences and redacted (`redact.text`).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from atlas_ci import redact
from atlas_ci.model import CheckResult, Finding, Report, Status
from atlas_ci.text import headline

_STYLE = {
    Status.PASSED: "green",
    Status.FAILED: "red",
    Status.ERROR: "bold red",
    Status.SKIPPED: "yellow",
}


def make_console(stream: TextIO | None = None) -> Console:
    """Plain output when not a terminal or NO_COLOR is set (Rich honours NO_COLOR itself)."""
    out = stream or sys.stdout
    return Console(
        file=out,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
        width=None if out.isatty() else 120,
    )


def safe(text: str) -> Text:
    """Untrusted text as a literal Text: no markup, no emoji, no escapes, no secrets."""
    return Text(redact.text(text))


def live_enabled(console: Console) -> bool:
    return console.is_terminal and "NO_COLOR" not in os.environ


class Progress:
    """Runner observer: live view of running checks on a TTY, a line per finished check."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.total = total
        self.running: dict[str, float] = {}
        self.finished_count = 0
        self._lock = threading.Lock()
        self._live: Live | None = None

    def __enter__(self) -> Progress:
        if live_enabled(self.console):
            self._live = Live(
                get_renderable=self._render,
                console=self.console,
                refresh_per_second=4,
                transient=True,
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)

    def started(self, check: str) -> None:
        with self._lock:
            self.running[check] = time.monotonic()

    def finished(self, result: CheckResult) -> None:
        with self._lock:
            self.running.pop(result.check, None)
            self.finished_count += 1
        line = Text.assemble(
            (f"{result.status.value:<8}", _STYLE[result.status]),
            safe(f" {result.check}  {result.duration:.1f}s"),
            f"  {len(result.findings)} finding(s)" if result.findings else "",
        )
        self.console.print(line)

    def _render(self) -> Table:
        table = Table.grid(padding=(0, 2))
        now = time.monotonic()
        with self._lock:
            running = sorted(self.running.items())
            done = self.finished_count
        table.add_row(Text(f"{done}/{self.total} done", style="bold"), "")
        for check, since in running:
            table.add_row(
                Text(redact.text(f"running {check}"), style="cyan"), f"{now - since:.0f}s"
            )
        return table


def print_table(console: Console, report: Report, *, summary: str = "reports/summary.md") -> None:
    """The results table, then the top findings (`summary` is where the rest are listed)."""
    table = Table(title=Text(f"atlas-ci: {report.status.value}"), title_justify="left")
    for column in ("check", "status", "findings", "duration", "reason"):
        table.add_column(column, overflow="fold")
    for check in report.checks:
        table.add_row(
            safe(check.check),
            Text(check.status.value, style=_STYLE[check.status]),
            str(len(check.findings)),
            "cached" if check.cached else f"{check.duration:.1f}s",
            safe(headline(check.reason, limit=100)),
        )
    console.print(table)
    print_findings(console, report, summary=summary)


def print_results(console: Console, report: Report, written: list[Path], root: Path) -> None:
    """The table, the top findings, then the reports written (relative to the root)."""
    shown = [str(p.relative_to(root) if p.is_relative_to(root) else p) for p in written]
    # Where the findings left out here are listed: summary.md, else whatever report was written.
    rest = next((s for s in shown if s.endswith("summary.md")), shown[0] if shown else "")
    print_table(console, report, summary=rest or "the reports")
    for path in shown:
        print_text(console, f"wrote {path}")


# Enough to act on without scrolling; the step summary and SARIF carry them all.
TOP_FINDINGS = 10


def print_findings(
    console: Console, report: Report, *, summary: str, limit: int = TOP_FINDINGS
) -> None:
    """The most pressing findings: blocking first, most severe first, `path:line rule message`."""
    findings = top_findings(report)
    if not findings:
        return
    console.print(Text("top findings:", style="bold"))
    for f in findings[:limit]:
        console.print(Text.assemble("  ", safe(finding_line(f))))
    if len(findings) > limit:
        console.print(safe(f"  {len(findings) - limit} more in {summary}"))


def top_findings(report: Report) -> list[Finding]:
    return sorted(
        (f for c in report.checks for f in c.findings),
        key=lambda f: (not f.blocking, -f.severity.rank),
    )


def finding_line(f: Finding) -> str:
    where = "(no location)"
    if f.location:
        line = f":{f.location.start_line}" if f.location.start_line else ""
        where = f"{f.location.path}{line}"
    return f"{where} {f.rule_id} {headline(f.message or f.rule_id, limit=160)}"


def print_lines(console: Console, lines: Iterable[str]) -> None:
    for line in lines:
        console.print(safe(line))


def _stderr() -> Console:
    return Console(
        file=sys.stderr,
        no_color="NO_COLOR" in os.environ,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=True,
    )


def error(message: str) -> None:
    """One clear message on stderr, never a traceback."""
    _stderr().print(safe(f"atlas-ci: error: {message}"))


def print_inventory(console: Console, rows: Iterable[tuple[str, str, str, str]]) -> None:
    """rows: (check, enabled, tool, version)."""
    table = Table(title="atlas-ci checks", title_justify="left")
    for column in ("check", "enabled", "tool", "version"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(safe(cell) for cell in row))
    console.print(table)


def print_text(console: Console, text: str) -> None:
    console.print(safe(text), soft_wrap=True)
