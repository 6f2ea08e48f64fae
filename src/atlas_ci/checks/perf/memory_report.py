"""perf.memory's verdict: growth of the peak traced allocation per call, head against base."""

from __future__ import annotations

from atlas_ci.checks.base import Check, CheckContext, result
from atlas_ci.checks.perf.common import MemoryPlan
from atlas_ci.checks.perf.report import finding
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status

Peaks = dict[str, int]


def memory_result(
    check: Check,
    ctx: CheckContext,
    p: MemoryPlan,
    sides: tuple[Peaks, Peaks],
    *,
    note: str,
    against: str,
    version: str | None,
) -> CheckResult:
    head, base = sides
    findings: list[Finding] = []
    metrics: list[Metric] = []
    grew = []
    common = sorted(set(head) & set(base))
    new = sorted(set(head) - set(base))
    for name in common:
        metrics += _metrics(name, head[name], base[name], p)
        growth = _growth(check, ctx, name, (head[name], base[name]), p=p, against=against)
        if growth is not None:
            grew.append(f"{name} ({base[name]} -> {head[name]} B)")
            findings.append(growth)
    for name in new:
        metrics.append(Metric(name=f"{name}.head_peak_bytes", value=head[name], unit="B"))
        findings.append(_unmeasured(check, ctx, name, against))
    status, first = _verdict(grew, len(common), len(head), against)
    parts = [first, _listed("without base measurement", new), note]
    return result(
        check,
        status,
        "; ".join(x for x in parts if x),
        findings=tuple(findings),
        metrics=tuple(metrics),
        tool_version=version,
    )


def _unmeasured(check: Check, ctx: CheckContext, name: str, against: str) -> Finding:
    message = f"{name} has no memory measurement on {against}: not compared"
    return finding(
        check,
        ctx,
        name,
        rule_id="perf-no-base",
        message=message,
        severity=Severity.LOW,
        blocking=False,
    )


def _listed(what: str, names: list[str]) -> str:
    return f"{len(names)} {what}: {', '.join(names)}" if names else ""


def _verdict(grew: list[str], compared: int, total: int, against: str) -> tuple[Status, str]:
    if grew:
        return Status.FAILED, f"{len(grew)} benchmark(s) allocate more than on {against}: " + (
            "; ".join(grew)
        )
    if compared:
        return Status.PASSED, f"no allocation growth in {compared} benchmark(s) against {against}"
    return Status.SKIPPED, f"nothing to compare: {against} has none of the {total} benchmark(s)"


def _ratio(head: int, base: int) -> float:
    if base > 0:
        return head / base
    return 1.0 if head == 0 else float("inf")


def _metrics(name: str, head: int, base: int, p: MemoryPlan) -> list[Metric]:
    return [
        Metric(name=f"{name}.head_peak_bytes", value=head, unit="B"),
        Metric(name=f"{name}.base_peak_bytes", value=base, unit="B"),
        Metric(
            name=f"{name}.memory_ratio",
            value=round(_ratio(head, base), 4),
            threshold=1 + p.max_growth,
            direction="max",
        ),
    ]


def _growth(
    check: Check,
    ctx: CheckContext,
    name: str,
    peaks: tuple[int, int],
    *,
    p: MemoryPlan,
    against: str,
) -> Finding | None:
    """A finding when the peak grew past the limit, and by more than the byte floor."""
    head, base = peaks
    ratio = _ratio(head, base)
    if ratio <= 1 + p.max_growth or head - base <= p.min_bytes:
        return None
    message = (
        f"{name} allocates more than on {against}: peak {head} B per call vs {base} B "
        f"(x{ratio:.2f}, limit x{1 + p.max_growth:.2f})"
    )
    return finding(
        check,
        ctx,
        name,
        rule_id="perf-memory-growth",
        message=message,
        severity=Severity.MEDIUM,
        blocking=True,
    )
