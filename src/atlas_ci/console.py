"""The only module that imports Rich: live progress while checks run, then the final table."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from atlas_ci.model import CheckResult, Report, Status

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
        soft_wrap=True,
        width=None if out.isatty() else 120,
    )


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
            f" {result.check}  {result.duration:.1f}s",
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
            table.add_row(Text(f"running {check}", style="cyan"), f"{now - since:.0f}s")
        return table


def print_table(console: Console, report: Report) -> None:
    table = Table(title=f"atlas-ci: {report.status.value}", title_justify="left")
    for column in ("check", "status", "findings", "duration", "reason"):
        table.add_column(column, overflow="fold")
    for check in report.checks:
        table.add_row(
            check.check,
            Text(check.status.value, style=_STYLE[check.status]),
            str(len(check.findings)),
            f"{check.duration:.1f}s",
            _first_line(check.reason),
        )
    console.print(table)


def _first_line(text: str, limit: int = 100) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def print_lines(console: Console, lines: Iterable[str]) -> None:
    for line in lines:
        console.print(line, markup=False, highlight=False)


def error(message: str) -> None:
    """One clear message on stderr, never a traceback."""
    Console(
        file=sys.stderr, no_color="NO_COLOR" in os.environ, highlight=False, soft_wrap=True
    ).print(Text(f"atlas-ci: error: {message}"))


def print_inventory(console: Console, rows: Iterable[tuple[str, str, str, str]]) -> None:
    """rows: (check, enabled, tool, version)."""
    table = Table(title="atlas-ci checks", title_justify="left")
    for column in ("check", "enabled", "tool", "version"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def print_text(console: Console, text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)
