"""Coverage of new code: which added or changed lines tests executed, and the uncovered ranges."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ci.checks.base import relpath


@dataclass(frozen=True)
class Uncovered:
    path: str
    start: int
    end: int

    @property
    def count_text(self) -> str:
        return f"line {self.start}" if self.start == self.end else f"lines {self.start}-{self.end}"


@dataclass(frozen=True)
class NewCode:
    covered: int
    total: int
    uncovered: tuple[Uncovered, ...]

    @property
    def percent(self) -> float | None:
        return 100.0 * self.covered / self.total if self.total else None


def measure(report: Mapping[str, Any], new: Mapping[str, set[int]], root: Path) -> NewCode:
    """Join `coverage json` (per-file executed/missing lines) with the new lines of each file."""
    covered = total = 0
    ranges: list[Uncovered] = []
    for name, data in sorted(report.get("files", {}).items()):
        path = relpath(name, root)
        lines = new.get(path)
        if not lines:
            continue
        executed, missing = set(data.get("executed_lines", ())), set(data.get("missing_lines", ()))
        covered += len(executed & lines)
        total += len((executed | missing) & lines)
        ranges += _ranges(path, sorted(executed | missing), missing & lines)
    return NewCode(covered, total, tuple(ranges))


def _ranges(path: str, executable: list[int], uncovered: set[int]) -> list[Uncovered]:
    """Runs of uncovered new statements (blank lines and comments between them do not split one)."""
    runs: list[Uncovered] = []
    start = end = None
    for line in executable:
        if line in uncovered:
            start, end = (start or line), line
            continue
        if start is not None and end is not None:
            runs.append(Uncovered(path, start, end))
        start = end = None
    if start is not None and end is not None:
        runs.append(Uncovered(path, start, end))
    return runs
