"""Which SARIF runs and results to emit so an upload stays within GitHub code scanning's limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from atlas_ci.model import CheckResult, Finding

# Category of the run that takes the overflow when more than `max_runs` checks have results.
MERGED = "merged"
# Keys of RunPlan.dropped: why results were left out.
PER_RUN = "results-per-run"
SIZE = "gzip-size"


@dataclass(frozen=True)
class Limits:
    """GitHub's documented upload limits (runs per file, results per run, tags per rule, size)."""

    max_runs: int = 20
    max_results: int = 25_000
    max_tags: int = 20
    max_gzip_bytes: int = 10_000_000


GITHUB_LIMITS = Limits()


@dataclass
class RunPlan:
    """One future SARIF run: its category (a check id, or MERGED) and the findings it will carry."""

    category: str
    tool: str
    version: str | None
    status: str
    duration: float
    findings: list[Finding]
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    merged: tuple[str, ...] = ()


def plan(check: CheckResult) -> RunPlan:
    return RunPlan(
        category=check.check,
        tool=check.tool,
        version=check.tool_version,
        status=check.status.value,
        duration=check.duration,
        findings=[_owned(f, check.check) for f in check.findings],
    )


def _owned(finding: Finding, check: str) -> Finding:
    # Rules' security tagging follows finding.check; keep it consistent with the run it sits in.
    return finding if finding.check == check else finding.model_copy(update={"check": check})


def fit_runs(plans: Sequence[RunPlan], limits: Limits) -> list[RunPlan]:
    """At most `max_runs` runs, in report order.

    Empty runs (checks that passed clean) go first: losing one only means GitHub cannot close
    that category's old alerts until the next full upload. If the runs with results alone are
    still too many, the overflow is merged into one last run (rule ids prefixed with the check)
    rather than silently losing findings.
    """
    if len(plans) <= limits.max_runs:
        return list(plans)
    full = [p for p in plans if p.findings]
    if len(full) <= limits.max_runs:
        return _drop_empty(plans, limits.max_runs - len(full), limits)
    return _merge_overflow(plans, full, limits)


def _drop_empty(plans: Sequence[RunPlan], room: int, limits: Limits) -> list[RunPlan]:
    """Every run with results plus the first `room` empty ones; the last kept run notes the rest."""
    empty = [p for p in plans if not p.findings]
    empty_kept = {id(p) for p in empty[:room]}
    kept = [p for p in plans if p.findings or id(p) in empty_kept]
    left = [p.category for p in empty if id(p) not in empty_kept]
    kept[-1].notes.append(_left_out_note(left, limits))
    return kept


def _merge_overflow(plans: Sequence[RunPlan], full: list[RunPlan], limits: Limits) -> list[RunPlan]:
    """The first runs with results as they are, the others merged into one; no empty run."""
    head, tail = full[: limits.max_runs - 1], full[limits.max_runs - 1 :]
    merged = _merge(tail)
    left = [p.category for p in plans if not p.findings]
    if left:
        merged.notes.append(_left_out_note(left, limits))
    return [*head, merged]


def _left_out_note(categories: list[str], limits: Limits) -> str:
    return (
        f"runs without results left out to stay within GitHub's {limits.max_runs} runs "
        f"per upload: {', '.join(categories)}"
    )


def _merge(plans: Sequence[RunPlan]) -> RunPlan:
    checks = tuple(p.category for p in plans)
    findings = [
        f.model_copy(update={"rule_id": f"{p.category}/{f.rule_id}"})
        for p in plans
        for f in p.findings
    ]
    merged = RunPlan(
        category=MERGED,
        tool="atlas-ci",
        version=None,
        status="failed" if any(p.status == "failed" for p in plans) else "passed",
        duration=sum(p.duration for p in plans),
        findings=findings,
        merged=checks,
    )
    merged.notes.append(
        f"more than the allowed number of runs had results; these checks share "
        f"this run, rule ids prefixed with the check: {', '.join(checks)}"
    )
    return merged


def truncate(run: RunPlan, keep: int, reason: str) -> None:
    """Keep the `keep` most severe findings (report order among equals); count the rest."""
    if len(run.findings) <= keep:
        return
    ranked = sorted(run.findings, key=lambda f: -f.severity.rank)
    run.dropped[reason] = run.dropped.get(reason, 0) + len(run.findings) - keep
    run.findings = ranked[:keep]


def dropped_notes(run: RunPlan, limits: Limits) -> list[str]:
    notes = []
    if n := run.dropped.get(PER_RUN):
        notes.append(
            f"{n} result(s) left out: GitHub accepts at most {limits.max_results} "
            f"results per run; the most severe were kept"
        )
    if n := run.dropped.get(SIZE):
        notes.append(
            f"{n} result(s) left out to keep the gzipped SARIF under "
            f"{limits.max_gzip_bytes} bytes; the most severe were kept"
        )
    return notes
