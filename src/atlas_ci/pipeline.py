"""What `atlas-ci gate` does, step by step: load config -> plan -> run -> report -> exit code."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from atlas_ci import aftermath, debug, linehash, plan, redact, redact_artifacts, reporting, runner
from atlas_ci import config as config_mod
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
    warnings: list[str] = field(default_factory=list)


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
    results = debug.write_bundles(
        results, prep.project.report_dir, redact.text, reporting.write_atomic
    )
    report = reporting.build(
        results,
        digest=prep.config.digest,
        started=started_at,
        duration=time.monotonic() - started,
        commit=reporting.git_commit(prep.project.root),
        interrupted=interrupted,
    )
    report, texts = finish(report, prep)
    written = reporting.write_texts(texts, prep.project.report_dir)
    # The summary is rendered once: summary.md's text is the one appended to the step summary.
    summary = texts.get(reporting.FILES["markdown"])
    annotations = reporting.github_outputs(report, prep.project.root, summary=summary)
    # History and alerts come last: neither can change the verdict or the exit code.
    warnings = aftermath.after_run(prep.config, prep.project.root, report, scrub=redact.text)
    return Outcome(report, written, annotations, reporting.exit_code(report), warnings)


def finish(report: Report, prep: Prepared) -> tuple[Report, dict[str, str]]:
    """Line hashes read from the sources, then the one redaction pass over the Report and the
    tool files in the report directory; the reports are rendered once, from that Report."""
    report = redact.report(linehash.attach(report, prep.project.root))
    artifacts = {a for c in report.checks for a in c.artifacts}
    redact_artifacts.scrub(prep.project.report_dir, artifacts, skip=reporting.FILES.values())
    texts = reporting.render_all(report, prep.formats, prep.project.root, prep.config.source)
    return report, texts


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
