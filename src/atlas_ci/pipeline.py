"""What `atlas-ci gate` does, step by step: load config -> plan -> run -> report -> exit code."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from atlas_ci import config as config_mod
from atlas_ci import plan, reporting, runner
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.config import LoadedConfig
from atlas_ci.errors import ConfigError
from atlas_ci.model import Report


@dataclass(frozen=True)
class GateRequest:
    target: str
    root: Path
    config_path: Path | None = None
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    report_dir: Path | None = None
    jobs: int | None = None
    base: str | None = None


@dataclass(frozen=True)
class Prepared:
    config: LoadedConfig
    planned: list[plan.Planned]
    project: ProjectInfo
    jobs: int
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    report: Report
    written: list[Path]
    annotations: list[str]
    exit_code: int


def prepare(req: GateRequest) -> Prepared:
    """Everything that can fail with a usage or config error (exit 2) happens here, first."""
    cfg = config_mod.load(req.root, req.config_path)
    planned = plan.select(plan.all_checks(cfg, plan.gate_names(req.target)), req.only, req.skip)
    report_dir = req.root / (req.report_dir or Path(cfg.reports.dir))
    project = config_mod.project_info(cfg, req.root, report_dir, req.base)
    if req.jobs is not None and req.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    return Prepared(cfg, planned, project, req.jobs or os.cpu_count() or 1, cfg.reports.formats)


def execute(prep: Prepared, observer: runner.Observer) -> Outcome:
    started_at, started = datetime.now(UTC), time.monotonic()
    prep.project.report_dir.mkdir(parents=True, exist_ok=True)
    interrupted = False
    with terminate_as_interrupt():
        try:
            results = runner.run(prep.planned, prep.project, jobs=prep.jobs, observer=observer)
        except runner.Interrupted as stop:
            results, interrupted = stop.results, True
    report = reporting.build(
        results,
        digest=prep.config.digest,
        started=started_at,
        duration=time.monotonic() - started,
        commit=reporting.git_commit(prep.project.root),
        interrupted=interrupted,
    )
    written = reporting.write_reports(
        report, prep.project.report_dir, prep.formats, prep.project.root, prep.config.source
    )
    annotations = reporting.github_outputs(report, prep.project.root)
    return Outcome(report, written, annotations, reporting.exit_code(report))


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI runner cancelling the job) takes the same path as Ctrl-C."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
