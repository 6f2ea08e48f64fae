"""`atlas-ci reports prune`: retention per artifact kind, and for the run history.

Only two places are ever touched: the report directory and the history file. The walk never
follows a symlink (a link is judged, and removed, as the link itself, whatever it points to), and
every path it removes is checked to lie inside the report directory first.

An artifact's kind is the first component of its path inside the report directory:
  security     security/, secrets/, sarif/ and top-level *.sarif files
  tests        junit/, coverage/, tests/
  deployment   deploy/, dist/, bundle/, sbom/, package/
  performance  perf/, benchmarks/
  other        everything else (the JSON report, summary.md, reliability/, debug/ ...)
Age is the file's modification time.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

from atlas_ci import history
from atlas_ci.ops_settings import HistorySettings, RetentionSettings

KINDS: dict[str, str] = {
    "security": "security",
    "secrets": "security",  # pragma: allowlist secret - a directory name, not a value
    "sarif": "security",
    "junit": "tests",
    "coverage": "tests",
    "tests": "tests",
    "deploy": "deployment",
    "dist": "deployment",
    "bundle": "deployment",
    "sbom": "deployment",
    "package": "deployment",
    "perf": "performance",
    "benchmarks": "performance",
}


def kind_of(rel: PurePosixPath) -> str:
    first = rel.parts[0]
    if len(rel.parts) == 1 and first.endswith(".sarif"):
        return "security"
    return KINDS.get(first, "other")


@dataclass(frozen=True)
class Plan:
    remove: tuple[str, ...]  # paths relative to the report directory, POSIX
    keep: int
    history_dropped: int


def _entries(top: Path) -> Iterator[tuple[PurePosixPath, os.stat_result]]:
    """Every file and symlink under `top` (lstat, links not followed), with its path."""
    for dirpath, dirnames, filenames in os.walk(top, followlinks=False):
        base = Path(dirpath)
        # os.walk lists a symlink to a directory among dirnames; judge it as a file, never enter.
        links = [d for d in dirnames if (base / d).is_symlink()]
        dirnames[:] = [d for d in dirnames if d not in links]
        for name in [*filenames, *links]:
            path = base / name
            yield PurePosixPath(path.relative_to(top).as_posix()), path.lstat()


def plan(
    report_dir: Path,
    retention: RetentionSettings,
    hist: HistorySettings,
    history_path: Path,
    now: datetime,
) -> Plan:
    remove: list[str] = []
    keep = 0
    if report_dir.is_dir() and not report_dir.is_symlink():
        for rel, st in _entries(report_dir):
            days = getattr(retention, kind_of(rel))
            age = now.timestamp() - st.st_mtime
            if age > days * 86400:
                remove.append(rel.as_posix())
            else:
                keep += 1
    cutoff = now - timedelta(days=hist.keep_days)
    records = history.load(history_path).records
    dropped = sum(1 for r in records if r.when < cutoff)
    return Plan(tuple(sorted(remove)), keep, dropped)


def apply(
    plan_: Plan, report_dir: Path, hist: HistorySettings, history_path: Path, now: datetime
) -> None:
    top = report_dir.resolve()
    for rel in plan_.remove:
        path = report_dir / rel
        parent = path.parent.resolve()
        if not parent.is_relative_to(top):
            continue  # a parent directory changed under us into a link out of the tree
        st = path.lstat()
        if stat.S_ISDIR(st.st_mode):
            continue
        path.unlink()
    _remove_empty_dirs(report_dir)
    if plan_.history_dropped and history_path.is_file() and not history_path.is_symlink():
        cutoff = now - timedelta(days=hist.keep_days)
        kept = [r for r in history.load(history_path).records if r.when >= cutoff]
        history.rewrite(history_path, kept)


def _remove_empty_dirs(report_dir: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(report_dir, topdown=False, followlinks=False):
        here = Path(dirpath)
        if here == report_dir or here.is_symlink():
            continue
        if not filenames and not any(
            (here / d).exists() or (here / d).is_symlink() for d in dirnames
        ):
            here.rmdir()
