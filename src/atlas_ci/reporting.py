"""Assembles the Report from check results and writes the report files atomically."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from atlas_ci import __version__, process, reportdir
from atlas_ci.errors import ConfigError
from atlas_ci.model import CheckResult, GateResult, Report, Status, worst

FILES = {"json": "atlas-ci.json", "sarif": "atlas-ci.sarif", "markdown": "summary.md"}


def git_commit(root: Path) -> str | None:
    try:
        res = process.run(["git", "rev-parse", "HEAD"], cwd=root, timeout=10)
    except Exception:
        return None
    return res.stdout.strip() or None if res.returncode == 0 else None


def build(
    results: Sequence[CheckResult],
    *,
    digest: str,
    started: datetime,
    duration: float,
    commit: str | None,
    interrupted: bool = False,
) -> Report:
    gates: dict[str, list[CheckResult]] = {}
    for r in results:
        gates.setdefault(r.gate, []).append(r)
    gate_results = tuple(
        GateResult(gate=name, status=worst([c.status for c in checks]), checks=tuple(checks))
        for name, checks in gates.items()
    )
    return Report(
        tool_version=__version__,
        commit=commit,
        config_digest=digest,
        started_at=started.astimezone(UTC).isoformat(timespec="seconds"),
        duration=round(duration, 3),
        interrupted=interrupted,
        status=worst([g.status for g in gate_results]),
        gates=gate_results,
    )


def exit_code(report: Report, *, go_no_go: bool = False) -> int:
    """The documented exit code; a go/no-go command that checked nothing says no (3)."""
    if report.interrupted:
        return 130
    statuses = {c.status for c in report.checks}
    if Status.ERROR in statuses:
        return 3
    if go_no_go and nothing_checked(report):
        return 3
    if Status.FAILED in statuses:
        return 1
    return 0


def nothing_checked(report: Report) -> str | None:
    """Why no check ran (every one skipped), or None when at least one did."""
    if any(c.status is not Status.SKIPPED for c in report.checks):
        return None
    reasons = sorted({f"{c.check}: {c.reason}" for c in report.checks})[:3]
    shown = "; ".join(reasons) or "no check selected"
    return f"nothing was checked, so this is not a go: every check was skipped ({shown})"


def inside(directory: Path, name: str) -> Path:
    """`directory/name`, refusing any name that would land outside the report directory."""
    target = (directory / name).resolve()
    if not target.is_relative_to(directory.resolve()):
        raise ConfigError(f"report path escapes the report directory: {name}")
    return target


def write_atomic(path: Path, text: str) -> None:
    """Temp file in the same directory, fsync, rename: a crash never leaves half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    reportdir.write_files(path.parent, {path.name: text})


def render_all(
    report: Report, formats: Sequence[str], root: Path, config_path: Path | None = None
) -> dict[str, str]:
    """File name -> content for every requested format (reporters are pure)."""
    from atlas_ci.reporters import json_report, markdown, sarif

    # Location-less findings point at the config file, so it must be named relative to the root.
    config_rel = _relative(config_path, root) if config_path else None
    renderers = {
        "json": lambda: json_report.render(report),
        "sarif": lambda: sarif.render(report, root, config_path=config_rel),
        "markdown": lambda: markdown.render(report),
    }
    return {FILES[f]: renderers[f]() for f in formats}


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def write_reports(
    report: Report,
    report_dir: Path,
    formats: Sequence[str],
    root: Path,
    config_path: Path | None = None,
) -> list[Path]:
    """Every format, all or nothing (see reportdir.write_files)."""
    return reportdir.write_files(report_dir, render_all(report, formats, root, config_path))


def write_texts(texts: dict[str, str], report_dir: Path) -> list[Path]:
    """Write rendered reports (file name -> content) into the report directory, all or nothing."""
    return reportdir.write_files(report_dir, texts)


def github_annotations(report: Report, root: Path) -> list[str]:
    """Under GitHub Actions: the annotation lines to print."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return []
    from atlas_ci.reporters import github

    return github.annotations(report, root).splitlines()


def step_summary(report: Report, markdown_text: str | None = None) -> list[str]:
    """Under GitHub Actions, append the summary to $GITHUB_STEP_SUMMARY; returns warnings."""
    if markdown_text is None:
        from atlas_ci.reporters import markdown

        markdown_text = markdown.render(report)
    return append_step_summary(markdown_text)


def append_step_summary(text: str) -> list[str]:
    """Under GitHub Actions, add `text` to the step summary, kept within GitHub's size limit.

    The runner creates that file; one that cannot be opened for appending (its directory is
    missing, it is read-only...) is a warning returned, never a crash of a run whose checks are
    done.
    """
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not summary:
        return []
    from atlas_ci.reporters import github

    capped = github.step_summary(text, github.run_url(os.environ))
    try:
        fd = os.open(summary, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o666)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(capped + "\n")
    except OSError as exc:
        return [f"GITHUB_STEP_SUMMARY ({summary}): {exc.strerror or exc}; step summary not written"]
    return []
