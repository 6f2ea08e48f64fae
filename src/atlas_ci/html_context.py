"""The code around each finding, read before the HTML reporter renders (reporters stay pure).

Bounded: at most `MAX_FILES` files, two lines either side of each finding, long lines cut. A line
flagged by the secrets check is never read at all (it holds the secret); every other line goes
through `scrub`, the same redaction pass as every other output.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from atlas_ci.model import Report

MAX_FILES = 200
MAX_LINE = 240
AROUND = 2
SECRET_CHECKS = ("security.secrets", "deploy.secrets")


def _wanted(report: Report) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    wanted: dict[str, set[int]] = {}
    hidden: dict[str, set[int]] = {}
    for c in report.checks:
        for f in c.findings:
            if f.location is None or f.location.start_line is None:
                continue
            start = f.location.start_line
            end = f.location.end_line or start
            if c.check in SECRET_CHECKS:
                # No context around a secret either: a key block spans several lines.
                hidden.setdefault(f.location.path, set()).update(
                    range(max(1, start - AROUND), end + AROUND + 1)
                )
                continue
            wanted.setdefault(f.location.path, set()).update(
                range(max(1, start - AROUND), end + AROUND + 1)
            )
    return wanted, hidden


def gather(report: Report, root: Path, scrub: Callable[[str], str]) -> dict[str, dict[int, str]]:
    wanted, hidden = _wanted(report)
    out: dict[str, dict[int, str]] = {}
    top = root.resolve()
    for path in sorted(wanted)[:MAX_FILES]:
        file = (root / path).resolve()
        if not file.is_relative_to(top) or not file.is_file():
            continue
        try:
            lines = file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        secret = hidden.get(path, set())
        out[path] = {
            n: "[line hidden: it holds a secret]" if n in secret else scrub(lines[n - 1][:MAX_LINE])
            for n in sorted(wanted[path])
            if n <= len(lines)
        }
    return out
