"""Turning perf verdicts into findings, metrics and a status.

The status comes from the decision rule, not from the metrics' thresholds: `<bench>.ratio` carries
1 + min_effect as its threshold so reports can show and ratchet it, but a point ratio above it is
no regression unless the test and the interval agree (see perf.stats).
"""

from __future__ import annotations

from collections.abc import Sequence

from atlas_ci.checks.base import Check, CheckContext, make_finding, result
from atlas_ci.checks.perf.common import def_line, split_nodeid
from atlas_ci.checks.perf.compare import UNJUDGED, Evaluation
from atlas_ci.checks.perf.settings import BenchmarkSettings
from atlas_ci.checks.perf.stats import Verdict
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status


def finding(
    check: Check,
    ctx: CheckContext,
    name: str,
    *,
    rule_id: str,
    message: str,
    severity: Severity,
    blocking: bool,
) -> Finding:
    path, _ = split_nodeid(name)
    located = (ctx.root / path).is_file()
    return make_finding(
        check,
        ctx.root,
        rule_id=rule_id,
        message=message,
        path=path if located else None,
        line=def_line(ctx.root, name) if located else None,
        severity=severity,
        blocking=blocking,
        tags=("performance",),
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms"


def _metric_names(unit: str) -> tuple[str, str]:
    return ("head_median", "base_median") if unit == "s" else (f"head_{unit}", f"base_{unit}")


def timing_metrics(name: str, v: Verdict, threshold: float) -> list[Metric]:
    head, base = _metric_names(v.unit)
    return [
        Metric(name=f"{name}.{head}", value=v.head_median, unit=v.unit),
        Metric(name=f"{name}.{base}", value=v.base_median, unit=v.unit),
        Metric(name=f"{name}.ratio", value=round(v.ratio, 4), threshold=threshold, direction="max"),
    ]


def _line(name: str, v: Verdict, method: str) -> str:
    """One benchmark's verdict: figures, ratio and how it was decided."""
    how = f"{method}, {v.how}" if v.how else method
    return f"{name}: {v.outcome}: {v.reason} [decided by {how}]"


def timing_result(
    check: Check,
    ctx: CheckContext,
    s: BenchmarkSettings,
    ev: Evaluation,
    against: str,
    *,
    version: str | None,
    method: str = "",
) -> CheckResult:
    """The check's result; `method` says how the figures were taken (the timer)."""
    findings: list[Finding] = []
    metrics: list[Metric] = []
    regressed, unsure = [], []
    threshold = 1 + s.effect("instructions" if ev.unit == "instructions" else s.timer)
    for name, v in sorted(ev.verdicts.items()):
        metrics += timing_metrics(name, v, threshold)
        line = _line(name, v, method)
        if v.outcome == "regressed":
            regressed.append(name)
            findings.append(_regression(check, ctx, name, line, against))
        elif v.outcome in UNJUDGED:
            unsure.append(name)
            message = f"{name} could not be judged against {against}: {line}"
            findings.append(
                finding(
                    check,
                    ctx,
                    name,
                    rule_id="perf-inconclusive",
                    message=message,
                    severity=Severity.LOW,
                    blocking=False,
                )
            )
    head_metric, _ = _metric_names(ev.unit)
    for name in sorted(ev.new):
        metrics.append(
            Metric(name=f"{name}.{head_metric}", value=ev.head[name].median, unit=ev.unit)
        )
        message = (
            f"{name} has no measurement on {against} (new benchmark, or it failed there): "
            "not compared"
        )
        findings.append(
            finding(
                check,
                ctx,
                name,
                rule_id="perf-no-base",
                message=message,
                severity=Severity.LOW,
                blocking=False,
            )
        )
    status = _status(ev, regressed, unsure, s)
    first = _summary(ev, regressed, unsure, against, method, warn=status is Status.PASSED)
    details = [_line(n, v, method) for n, v in sorted(ev.verdicts.items())]
    return result(
        check,
        status,
        "\n".join([first, *details]),
        findings=tuple(findings),
        metrics=tuple(metrics),
        tool_version=version,
    )


def _regression(check: Check, ctx: CheckContext, name: str, line: str, against: str) -> Finding:
    return finding(
        check,
        ctx,
        name,
        rule_id="perf-regression",
        message=f"{name} regressed against {against}: {line.split(': ', 1)[1]}",
        severity=Severity.MEDIUM,
        blocking=True,
    )


def _status(
    ev: Evaluation, regressed: Sequence[str], unsure: Sequence[str], s: BenchmarkSettings
) -> Status:
    if not ev.verdicts:
        return Status.SKIPPED
    # Results are incomplete when a benchmark could not be judged: error outranks failed, as
    # it does for gates (DESIGN.md), unless the project chose to be warned only.
    if unsure and s.on_inconclusive == "error":
        return Status.ERROR
    return Status.FAILED if regressed else Status.PASSED


def _verdict_part(ev: Evaluation, regressed: Sequence[str], judged: int, against: str) -> str:
    if regressed:
        return f"{len(regressed)} regression(s) against {against}: {', '.join(regressed)}"
    if ev.verdicts:
        return f"no regression in {judged} judged benchmark(s) against {against}"
    return f"nothing to compare: {against} has none of the {len(ev.new)} benchmark(s)"


def _unjudged_part(unsure: Sequence[str], warn: bool) -> list[str]:
    if not unsure:
        return []
    if warn:
        return [f"not judged: {', '.join(unsure)}"]
    return [f"{len(unsure)} could not be judged: {', '.join(unsure)}"]


def _coverage_parts(ev: Evaluation) -> list[str]:
    parts = []
    if ev.new and ev.verdicts:
        parts.append(f"{len(ev.new)} without base measurement: {', '.join(sorted(ev.new))}")
    if ev.gone:
        parts.append(f"{len(ev.gone)} only on the base: {', '.join(sorted(ev.gone))}")
    return parts


def _summary(
    ev: Evaluation,
    regressed: Sequence[str],
    unsure: Sequence[str],
    against: str,
    method: str,
    *,
    warn: bool,
) -> str:
    judged = len(ev.verdicts) - len(unsure)
    parts = []
    if unsure and warn:
        # on_inconclusive = "warn": the check passes, so the warning leads, where tables show it.
        parts.append(f"WARNING: {len(unsure)} benchmark(s) could not be judged")
    parts.append(_verdict_part(ev, regressed, judged, against))
    parts += _unjudged_part(unsure, warn)
    parts += _coverage_parts(ev)
    if method:
        parts.append(f"measured by {method}")
    parts += ev.notes
    return "; ".join(parts)
