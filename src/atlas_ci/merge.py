"""`report merge`: per-job JSON reports (one per matrix cell) -> one report, one SARIF, one summary.

A check that ran in several jobs keeps every job's verdict: each copy is labelled with its job
(`tests.unit [tests-ubuntu-latest-py3.12-unit]`) and the gate, the report and the exit code are the
worst of them, so one red cell cannot be averaged away. The SARIF groups the copies back into one
run per check (GitHub wants one run per tool and category, with unique categories): a finding
seen in several jobs is one result there; a copy that errored adds nothing (as in any SARIF).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from atlas_ci import __version__, reporting
from atlas_ci.errors import ConfigError
from atlas_ci.model import CheckResult, Finding, GateResult, Report, Status, worst

REPORT_NAME = reporting.FILES["json"]


@dataclass(frozen=True)
class JobReport:
    """One job's report and where it came from (its directory names the job)."""

    job: str
    directory: Path
    report: Report


@dataclass(frozen=True)
class Merged:
    report: Report
    sarif_report: Report
    jobs: tuple[JobReport, ...]


def find_reports(dirs: Sequence[Path]) -> list[JobReport]:
    """Every atlas-ci.json under the given directories, each named after the job it came from."""
    found: list[JobReport] = []
    for directory in dirs:
        if not directory.is_dir():
            raise ConfigError(f"not a directory: {directory}")
        paths = sorted(directory.rglob(REPORT_NAME))
        if not paths:
            raise ConfigError(f"no {REPORT_NAME} under {directory}")
        for path in paths:
            found.append(JobReport(_job_name(directory, path), path.parent, _read(path)))
    return _unique_jobs(found)


def _job_name(directory: Path, path: Path) -> str:
    """The downloaded artifact's directory (`matrix/tests-ubuntu-latest-py3.12-unit`) is the job."""
    rel = path.parent.relative_to(directory)
    name = directory.resolve().name
    return "/".join([name, *rel.parts]) if rel.parts else name


def _unique_jobs(found: list[JobReport]) -> list[JobReport]:
    seen: dict[str, int] = {}
    unique = []
    for job in found:
        seen[job.job] = seen.get(job.job, 0) + 1
        name = job.job if seen[job.job] == 1 else f"{job.job}#{seen[job.job]}"
        unique.append(JobReport(name, job.directory, job.report))
    return unique


def _read(path: Path) -> Report:
    try:
        return Report.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise ConfigError(f"{path} is not an atlas-ci report: {where}: {first['msg']}") from None


def merge(jobs: Sequence[JobReport], out: Path) -> Merged:
    """The merged report (every job's checks) and the report its SARIF is rendered from."""
    if not jobs:
        raise ConfigError("no reports to merge")
    commit = _common_commit(jobs)
    labelled = _label_all(jobs, out)
    started, duration = _span(jobs)
    report = Report(
        tool_version=__version__,
        commit=commit,
        config_digest=_digest(jobs),
        started_at=started,
        duration=duration,
        interrupted=any(j.report.interrupted for j in jobs),
        status=Status.SKIPPED,
        gates=_gates(labelled),
    )
    report = report.model_copy(update={"status": worst([g.status for g in report.gates])})
    return Merged(report, report.model_copy(update={"gates": _gates(_by_check(jobs))}), tuple(jobs))


def _label_all(jobs: Sequence[JobReport], out: Path) -> list[CheckResult]:
    counts: dict[str, int] = {}
    for job in jobs:
        for c in job.report.checks:
            counts[c.check] = counts.get(c.check, 0) + 1
    return [
        _labelled(c, job, out, several=counts[c.check] > 1)
        for job in jobs
        for c in job.report.checks
    ]


def _span(jobs: Sequence[JobReport]) -> tuple[str, float]:
    """When the first job started, and the wall time until the last one ended."""
    starts = [datetime.fromisoformat(j.report.started_at) for j in jobs]
    ends = [s.timestamp() + j.report.duration for s, j in zip(starts, jobs, strict=True)]
    first = min(starts)
    return first.isoformat(timespec="seconds"), round(max(ends) - first.timestamp(), 3)


def _common_commit(jobs: Sequence[JobReport]) -> str | None:
    commits = {j.report.commit for j in jobs}
    if len(commits) > 1:
        listed = ", ".join(f"{j.job}: {j.report.commit or 'none'}" for j in jobs)
        raise ConfigError(f"the reports are of different commits ({listed}); merge one commit's")
    return commits.pop()


def _digest(jobs: Sequence[JobReport]) -> str:
    digests = sorted({j.report.config_digest for j in jobs})
    if len(digests) == 1:
        return digests[0]
    return "merged-" + hashlib.sha256("\0".join(digests).encode()).hexdigest()[:16]


def _labelled(c: CheckResult, job: JobReport, out: Path, *, several: bool) -> CheckResult:
    """The check as this job ran it; its artifacts re-pointed relative to the merged directory."""
    artifacts = tuple(_relative(job.directory / a, out) for a in c.artifacts)
    update: dict[str, object] = {"artifacts": artifacts}
    if several:
        update["check"] = f"{c.check} [{job.job}]"
    return c.model_copy(update=update)


def _relative(path: Path, out: Path) -> str:
    return Path(os.path.relpath(path.resolve(), out.resolve())).as_posix()


def _gates(checks: Sequence[CheckResult]) -> tuple[GateResult, ...]:
    grouped: dict[str, list[CheckResult]] = {}
    for c in checks:
        grouped.setdefault(c.gate, []).append(c)
    return tuple(
        GateResult(gate=g, status=worst([c.status for c in cs]), checks=tuple(cs))
        for g, cs in grouped.items()
    )


def _by_check(jobs: Sequence[JobReport]) -> list[CheckResult]:
    """One result per check id for the SARIF: the copies that ran, findings without duplicates."""
    copies: dict[str, list[CheckResult]] = {}
    for job in jobs:
        for c in job.report.checks:
            copies.setdefault(c.check, []).append(c)
    return [_combined(cs) for cs in copies.values()]


def _combined(copies: list[CheckResult]) -> CheckResult:
    judged = [c for c in copies if c.status in (Status.PASSED, Status.FAILED)] or copies
    findings: dict[tuple[str, ...], Finding] = {}
    for c in judged:
        for f in c.findings:
            findings.setdefault(_identity(f), f)
    return judged[0].model_copy(
        update={
            "status": worst([c.status for c in judged]),
            "duration": round(sum(c.duration for c in judged), 3),
            "findings": tuple(findings.values()),
            "metrics": (),
            "artifacts": (),
        }
    )


def _identity(f: Finding) -> tuple[str, ...]:
    loc = f.location
    where = (loc.path, str(loc.start_line)) if loc else ("", "")
    return (f.rule_id, f.fingerprint or f.message, *where)


def summary_preamble(merged: Merged) -> str:
    """Which jobs were merged and how each ended, ahead of the usual summary."""
    rows = ["## Jobs merged", "", "| Job | Status | Checks |", "|---|---|---:|"]
    rows += [
        f"| {j.job.replace('|', '/')} | {j.report.status.value} | {len(j.report.checks)} |"
        for j in merged.jobs
    ]
    return "\n".join(rows) + "\n"


def render(merged: Merged, root: Path) -> dict[str, str]:
    """File name -> content: the merged JSON, its SARIF and its summary (pure, like reporters)."""
    from atlas_ci.reporters import json_report, markdown, sarif

    return {
        reporting.FILES["json"]: json_report.render(merged.report),
        reporting.FILES["sarif"]: sarif.render(merged.sarif_report, root),
        reporting.FILES["markdown"]: markdown.render(merged.report)
        + "\n"
        + summary_preamble(merged),
    }


def run(dirs: Sequence[Path], out: Path, root: Path) -> tuple[Report, list[Path]]:
    """Read, merge, write the three files into `out`; under Actions also the step summary."""
    merged = merge(find_reports(dirs), out)
    written = []
    for name, text in render(merged, root).items():
        path = reporting.inside(out, name)
        reporting.write_atomic(path, text)
        written.append(path)
        if name == reporting.FILES["markdown"]:
            reporting.append_step_summary(text)
    return merged.report, written
