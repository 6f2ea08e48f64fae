"""The normal path's side of the instant replay: which runs leave a record, and what it holds.

A record holds the reports a warm run of the same command would write — every check that ran
marked cached, the start time and duration as replay.py's sentinels — rendered by the same
code as any report, plus that run's history line and exit code (replay.py says why and when it
is read).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from atlas_ci import detector_memo, head_start, history, redact, replay, repo_state, reporting
from atlas_ci.cache import CACHEABLE, CONFIG_FILES, ENVIRONMENTS, ResultCache
from atlas_ci.model import CheckResult, Report, Status

_STORED = (Status.PASSED, Status.FAILED)
# A record costs one more rendering of the reports, which grows with the findings (about 0.03 s
# per thousand here, against the 0.5 s a replay saves): past this many, a run leaves none and
# its re-runs take the cached path.
MAX_FINDINGS = 5000


def tree_now(args: tuple[str, ...] | None, root: Path, report_dir: Path) -> str | None:
    """The tree's content digest as the checks are about to read it (None: no record); after
    a head start, as it was before its programs started (head_start.py)."""
    if args is None:
        return None
    snap = head_start.snapshot(root, report_dir)
    return snap.tree if snap is not None else repo_state.content_digest(root, report_dir)


def commit_now(root: Path, report_dir: Path) -> str | None:
    """The commit the run's reports name; after a head start, as its snapshot's facts read it
    (a moment before: no second git process)."""
    snap = head_start.snapshot(root, report_dir)
    return snap.commit if snap is not None else repo_state.commit(root)


def launches(
    cache: ResultCache | None, memo: detector_memo.CleanLines | None = None
) -> list[dict[str, Any]] | None:
    """What the next head start may start: the stored checks' slotted programs, each one only
    if no secret the redaction knows of (or finds) is on its command line (`memo`: the lines
    the detectors found clean before)."""
    if cache is None:
        return None
    # Judged as the record keeps them: a scratch path, new in every run, is never read.
    kept = []
    for launch in head_start.encode(cache.launches()) or []:
        line = "\n".join((launch["cwd"], *launch["argv"]))
        if redact.artifact_text(line, memo) == line:
            kept.append(launch)
    return kept or None


def replayable(results: Sequence[CheckResult]) -> bool:
    """Every check that ran is one the result cache serves next time (a skipped check is
    skipped again on the same inputs), and the record is cheap to make (`MAX_FINDINGS`)."""
    if sum(len(r.findings) for r in results) > MAX_FINDINGS:
        return False
    return all(
        r.status is Status.SKIPPED
        or (r.check in CACHEABLE and r.status in _STORED and not r.artifacts)
        for r in results
    )


def as_warm(results: Sequence[CheckResult]) -> list[CheckResult]:
    """The results as the result cache serves them (cache.ResultCache.entry)."""
    return [
        r.model_copy(update={"cached": True, "duration": 0.0}) if r.status in _STORED else r
        for r in results
    ]


def _python_dirs(root: Path, python: str) -> tuple[str, ...]:
    """The project interpreter's sys.path directories, as cache_env remembered them."""
    try:
        known = json.loads((root / ".atlas-ci" / "cache" / ENVIRONMENTS).read_text("utf-8"))
        dirs = known[python]["dirs"]
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    return tuple(str(d) for d in dirs) if isinstance(dirs, list) else ()


def inputs(
    args: tuple[str, ...],
    root: Path,
    python: str,
    config: Path | None,
    baseline: Path,
    *,
    commit: str | None,
) -> replay.Inputs:
    """The facts of a run that read `commit` at its start."""
    files = {str(root / name) for name in CONFIG_FILES} | {str(baseline)}
    if config is not None:
        files.add(str(config.resolve()))
    return replay.Inputs(
        root=root,
        cwd=Path.cwd().resolve(),
        args=args,
        python=python,
        python_dirs=_python_dirs(root, python),
        files=tuple(sorted(files)),
        head=commit,
        head_known=True,
    )


# Renders results into the run's report and its texts, started at a time, taking a duration.
Renderer = Callable[[Sequence[CheckResult], datetime, float], tuple[Report, dict[str, str]]]


def leave(
    facts: replay.Inputs,
    tree: str,
    *,
    report_dir: Path,
    render: Renderer,
    warm: Sequence[CheckResult],
    history_path: Path | None,
    launched: list[dict[str, Any]] | None = None,
) -> None:
    """Render the warm run's reports with the sentinels and leave the record."""
    started = datetime.fromisoformat(replay.SENTINEL_TIME)
    report, texts = render(warm, started, replay.SENTINEL_DURATION)
    line: tuple[Path, dict[str, Any]] | None = None
    if history_path is not None:
        payload = json.loads(history.encode(history.record_of(report, branch=None, env=os.environ)))
        if payload.get("time") != replay.SENTINEL_TIME:
            return
        line = (history_path, payload)
    replay.record(
        facts,
        tree,
        report_dir=report_dir,
        texts=texts,
        history=line,
        exit_code=reporting.exit_code(report),
        launches=launched,
    )
