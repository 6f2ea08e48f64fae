"""What `atlas-ci gate` does, step by step: load config -> plan -> run -> report -> exit code."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from atlas_ci import (
    aftermath,
    change_scope,
    debug,
    detector_memo,
    detectors,
    fileset,
    gc_tuning,
    interrupts,
    linehash,
    linehash_memo,
    plan,
    ratchet,
    redact,
    redact_artifacts,
    replay_record,
    reportdir,
    reporting,
    runner,
)
from atlas_ci import config as config_mod
from atlas_ci.cache import CACHEABLE, ResultCache
from atlas_ci.changes import ChangeRequest, ChangeSet
from atlas_ci.checks.base import ProjectInfo
from atlas_ci.config import LoadedConfig
from atlas_ci.errors import ConfigError
from atlas_ci.model import CheckResult, Report

# Builds the report, marked interrupted or not.
_Builder = Callable[[bool], Report]


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
    # A go/no-go command (deploy-check) must have checked something to exit 0.
    go_no_go: bool = False
    use_cache: bool = True
    # `baseline update` records the findings as they are, without the baseline applied.
    apply_baseline: bool = True
    # Dotted config keys a command's options set (deploy-check's --from, --bundle...).
    overrides: tuple[tuple[str, object], ...] = ()
    # A changed-files run (--changed [REF], --changed-lines, pre-commit's files).
    changes: ChangeRequest | None = None
    # The command line, when the instant replay may answer it next time (replay.servable).
    replay_args: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Prepared:
    config: LoadedConfig
    planned: list[plan.Planned]
    project: ProjectInfo
    jobs: int
    formats: tuple[str, ...]
    go_no_go: bool = False
    cache: ResultCache | None = None
    baseline: ratchet.Baseline | None = None
    changes: ChangeSet | None = None
    replay_args: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Outcome:
    report: Report
    written: list[Path]
    annotations: list[str]
    exit_code: int
    # Printed, never fatal: a step summary that could not be appended, say.
    warnings: tuple[str, ...] = ()
    # Why a go/no-go command says no although nothing failed ("checked nothing").
    problem: str | None = None


def prepare(req: GateRequest) -> Prepared:
    """Everything that can fail with a usage or config error (exit 2) happens here, first."""
    names = plan.gate_names(req.target)
    # Only the gates this run uses (and those the file configures) are imported and validated.
    loaded = config_mod.load(req.root, req.config_path, frozenset(names))
    cfg = config_mod.with_overrides(loaded, req.overrides)
    planned = plan.select(plan.all_checks(cfg, names), req.only, req.skip)
    if req.jobs is not None and req.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    report_dir = reportdir.validate(req.root / (req.report_dir or Path(cfg.reports.dir)))
    reportdir.check_targets(report_dir, [reporting.FILES[f] for f in cfg.reports.formats])
    project = config_mod.project_info(cfg, req.root, report_dir, req.base)
    if not req.use_cache:
        project = replace(project, memos=False)
    jobs = req.jobs or default_jobs(planned)
    changed = req.changes.resolve(req.root) if req.changes else None
    if changed is not None:
        planned = change_scope.restrict(planned, project, changed)
    return Prepared(
        cfg,
        planned,
        project,
        jobs,
        cfg.reports.formats,
        req.go_no_go,
        *_memory(req, cfg),
        changed,
        replay_args=req.replay_args,
    )


def default_jobs(planned: list[plan.Planned]) -> int:
    """Every check of a gate at once (they mostly wait on their tools, which use the cores
    themselves), and at least one per CPU."""
    per_gate = Counter(p.check.gate for p in planned if p.skip_reason is None)
    return max(os.cpu_count() or 1, *per_gate.values(), 1)


def _memory(
    req: GateRequest, cfg: LoadedConfig
) -> tuple[ResultCache | None, ratchet.Baseline | None]:
    """What earlier runs left: the result cache and the committed baseline (each optional)."""
    cache = ResultCache(req.root) if req.use_cache else None
    accepted = ratchet.load(req.root / cfg.baseline.path) if req.apply_baseline else None
    return cache, accepted


def execute(prep: Prepared, observer: runner.Observer) -> Outcome:
    """Run the checks and write complete reports, whenever a signal arrives (then exit 130)."""
    gc_tuning.settled()  # what loaded so far lives for the whole run
    with interrupts.deferred():
        started_at, started = datetime.now(UTC), time.monotonic()
        commit = replay_record.commit_now(prep.project.root, prep.project.report_dir)
        tree = replay_record.tree_now(
            _replay_args(prep), prep.project.root, prep.project.report_dir
        )
        # Unchanged files' line hashes and the text found clean before are remembered.
        remember = prep.cache is not None and prep.project.memos
        clean_lines = detector_memo.CleanLines(prep.project.root) if remember else None
        judged, interrupted = _judged(prep, observer, clean_lines)
        # A changed-files run sees part of the tree: an entry it did not meet is not stale.
        stale_fails = prep.config.baseline.fail_on_stale and prep.changes is None

        def assemble(
            found: Sequence[CheckResult], at: datetime, took: float, flagged: bool
        ) -> Report:
            return reporting.build(
                ratchet.apply(list(found), prep.baseline, fail_on_stale=stale_fails),
                digest=prep.config.digest,
                started=at,
                duration=took,
                commit=commit,
                interrupted=flagged,
            )

        def build(flagged: bool) -> Report:
            return assemble(judged, started_at, time.monotonic() - started, flagged)

        report, texts, written = _write(prep, build, interrupted)
        # The summary is rendered once: summary.md's text is the one appended to the step summary.
        warnings = reporting.step_summary(report, texts.get(reporting.FILES["markdown"]))
        # History and alerts come last: neither can change the verdict or the exit code.
        warnings += aftermath.after_run(prep.config, prep.project.root, report, scrub=redact.text)
        annotations = reporting.github_annotations(report, prep.project.root)
        code = reporting.exit_code(report, go_no_go=prep.go_no_go)
        problem = reporting.nothing_checked(report) if prep.go_no_go else None
        if interrupts.requested():
            code = interrupts.EXIT_CODE
        elif tree is not None and _silent(interrupted, warnings, annotations, problem):
            # From the report as written (ratchet applied, hashed, redacted: none of that reads
            # `cached` or `duration`), so the record only renders the warm texts.
            _leave_record(prep, tree, commit, list(report.checks), clean_lines)
        if clean_lines is not None:
            clean_lines.save()
    return Outcome(report, written, annotations, code, tuple(warnings), problem)


def _judged(
    prep: Prepared, observer: runner.Observer, clean_lines: detector_memo.CleanLines | None
) -> tuple[list[CheckResult], bool]:
    """The checks' results as the reports show them, and whether a signal cut the run short.
    `clean_lines` is the run's memo (None when memos are off, as the line hashes' then)."""
    interrupted = False
    root = prep.project.root
    # Unchanged files' line hashes are remembered (off, like every memo, under --no-cache).
    memo = linehash_memo.HashMemo(root) if clean_lines is not None else None
    try:
        with fileset.one_listing():
            results = runner.run(
                prep.planned,
                prep.project,
                jobs=prep.jobs,
                observer=observer,
                cache=prep.cache,
                # With lines remembered clean, the detectors are seldom needed: not preloaded.
                on_run=_preload_detectors() if clean_lines is None or clean_lines.empty() else None,
                finish=lambda res: linehash.attach_results([res], root, memo)[0],
            )
    except runner.Interrupted as stop:
        results, interrupted = stop.results, True
    # Line hashes (each check's were read as it ended; this catches any a signal cut short),
    # then the one detector pass over the checks' text: the cache stores results as the
    # reports show them (hashed, redacted), so a warm run reads neither.
    results = redact.results(linehash.attach_results(results, root, memo), clean_lines)
    if prep.cache is not None and not interrupted:
        prep.cache.flush(results)
    if prep.changes is not None:
        results = change_scope.on_changed_lines(results, prep.changes)
        results = change_scope.noted(results, prep.planned, prep.changes)
    return debug.write_bundles(results, redact.text, _files_writer(prep)), interrupted


def _silent(interrupted: bool, *said: object) -> bool:
    """A whole run that printed nothing: a replay of it prints nothing either."""
    return not interrupted and not any(said)


def _replay_args(prep: Prepared) -> tuple[str, ...] | None:
    """The command line when this run may leave a replay record (replay.py says which)."""
    cfg = prep.config
    if prep.cache is None or prep.changes is not None or prep.go_no_go:
        return None
    if cfg.notify.webhooks or "html" in prep.formats:
        return None  # alerts are sent by the normal path; the HTML trends move with history
    if not all(p.id in CACHEABLE or p.skip_reason is not None for p in prep.planned):
        return None  # a check the cache never serves (tests, perf...): no replay to prepare
    return prep.replay_args


def _leave_record(
    prep: Prepared,
    tree: str,
    commit: str | None,
    judged: list[CheckResult],
    clean_lines: detector_memo.CleanLines | None,
) -> None:
    if not replay_record.replayable(judged) or (prep.cache and prep.cache.withheld()):
        return
    root, cfg = prep.project.root, prep.config
    facts = replay_record.inputs(
        prep.replay_args or (),
        root,
        prep.project.python,
        cfg.source,
        root / cfg.baseline.path,
        commit=commit,
    )
    replay_record.leave(
        facts,
        tree,
        report_dir=prep.project.report_dir,
        render=_warm_renderer(prep, commit),
        warm=replay_record.as_warm(judged),
        history_path=aftermath.history_path(cfg, root) if cfg.history.enabled else None,
        launched=replay_record.launches(prep.cache, clean_lines),
    )


def _warm_renderer(prep: Prepared, commit: str | None) -> replay_record.Renderer:
    def render(
        found: Sequence[CheckResult], at: datetime, took: float
    ) -> tuple[Report, dict[str, str]]:
        report = reporting.build(
            found, digest=prep.config.digest, started=at, duration=took, commit=commit
        )
        return report, reporting.render_all(
            report, prep.formats, prep.project.root, prep.config.source
        )

    return render


def _preload_detectors() -> Callable[[], None]:
    """Load the redaction's detectors in a thread, off the critical path, once a check really
    runs: a run served from the cache has no fresh text for them to read."""
    once = threading.Lock()
    started: list[bool] = []

    def start() -> None:
        with once:
            if not started:
                started.append(True)
                threading.Thread(target=detectors.preload, name="preload", daemon=True).start()

    return start


def _files_writer(prep: Prepared) -> Callable[[dict[str, str]], object]:
    return lambda files: reportdir.write_files(prep.project.report_dir, files)


def _write(
    prep: Prepared, build: _Builder, interrupted: bool
) -> tuple[Report, dict[str, str], list[Path]]:
    """Write the reports; a signal that lands meanwhile gets them rewritten marked interrupted."""
    while True:
        flagged = interrupted or interrupts.requested()
        report = build(flagged)
        report, texts = finish(report, prep)
        written = reportdir.write_files(prep.project.report_dir, texts)
        if flagged or not interrupts.requested():
            return report, texts, written


def finish(report: Report, prep: Prepared) -> tuple[Report, dict[str, str]]:
    """Line hashes read from the sources, then the one redaction pass over the Report and the
    tool files in the report directory; the reports are rendered once, from that Report."""
    # The checks' results went through redact.results in `execute`: no second detector pass.
    report = redact.report(linehash.attach(report, prep.project.root), detect=False)
    artifacts = {a for c in report.checks for a in c.artifacts}
    redact_artifacts.scrub(prep.project.report_dir, artifacts, skip=reporting.FILES.values())
    texts = reporting.render_all(report, prep.formats, prep.project.root, prep.config.source)
    return report, texts
