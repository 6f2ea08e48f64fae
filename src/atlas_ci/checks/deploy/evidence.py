"""The other gates' JSON reports (downloaded CI artifacts or a fresh run): found, read, matched.

Any `*.json` under the directory that reads as an atlas-ci report counts; other JSON files are
not evidence and are passed over. A file that claims to be a report (it has `schema_version`
and `gates`) but does not validate is an error: evidence that cannot be read is never skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from atlas_ci.errors import CheckError
from atlas_ci.model import GateResult, Report

MAX_REPORT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Evidence:
    """One gate's result as found in one report file."""

    gate: GateResult
    report: Report
    path: Path


def load_reports(directory: Path) -> list[tuple[Path, Report]]:
    if not directory.is_dir():
        raise CheckError(f"reports directory not found: {directory}")
    found = []
    for path in sorted(directory.rglob("*.json")):
        if path.is_symlink() or not path.is_file():
            continue
        report = _read(path)
        if report is not None:
            found.append((path, report))
    return found


def _read(path: Path) -> Report | None:
    if path.stat().st_size > MAX_REPORT_BYTES:
        return None
    try:
        data = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not (isinstance(data, dict) and "schema_version" in data and "gates" in data):
        return None
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        raise CheckError(
            f"{path.name} looks like an atlas-ci report but is not valid: "
            f"{exc.error_count()} problem(s), first at "
            f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}"
        ) from None


def by_gate(reports: list[tuple[Path, Report]], gate: str) -> list[Evidence]:
    return [
        Evidence(result, report, path)
        for path, report in reports
        for result in report.gates
        if result.gate == gate
    ]


def for_commit(candidates: list[Evidence], commit: str) -> Evidence | None:
    """The newest report of the gate made at `commit` (a re-run supersedes an older one)."""
    same = [e for e in candidates if e.report.commit == commit]
    return max(same, key=lambda e: (e.report.started_at, str(e.path)), default=None)


def select(directory: Path, gates: tuple[str, ...], commit: str) -> dict[str, Evidence]:
    """The evidence for each gate at `commit` that exists (missing gates are left out)."""
    reports = load_reports(directory)
    chosen = {}
    for gate in gates:
        found = for_commit(by_gate(reports, gate), commit)
        if found is not None:
            chosen[gate] = found
    return chosen
