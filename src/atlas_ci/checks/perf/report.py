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


def timing_metrics(name: str, v: Verdict, threshold: float) -> list[Metric]:
    return [
        Metric(name=f"{name}.head_median", value=v.head_median, unit="s"),
        Metric(name=f"{name}.base_median", value=v.base_median, unit="s"),
        Metric(name=f"{name}.ratio", value=round(v.ratio, 4), threshold=threshold, direction="max"),
    ]


def timing_result(
    check: Check,
    ctx: CheckContext,
    s: BenchmarkSettings,
    ev: Evaluation,
    against: str,
    *,
    version: str | None,
) -> CheckResult:
    findings: list[Finding] = []
    metrics: list[Metric] = []
    regressed, unsure = [], []
    for name, v in sorted(ev.verdicts.items()):
        metrics += timing_metrics(name, v, 1 + s.min_effect)
        if v.outcome == "regressed":
            regressed.append(f"{name} ({v.describe()}; confirmed by a re-run)")
            message = (
                f"{name} is slower than {against}: {v.describe()}; median "
                f"{ms(v.head_median)} vs {ms(v.base_median)}; confirmed by a re-run"
            )
            findings.append(
                finding(
                    check,
                    ctx,
                    name,
                    rule_id="perf-regression",
                    message=message,
                    severity=Severity.MEDIUM,
                    blocking=True,
                )
            )
        elif v.outcome in UNJUDGED:
            unsure.append(f"{name}: {v.reason}")
            message = f"{name} could not be judged against {against}: {v.reason}"
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
    for name in sorted(ev.new):
        metrics.append(Metric(name=f"{name}.head_median", value=ev.head[name].median, unit="s"))
        message = (
            f"{name} has no timing on {against} (new benchmark, or it failed there): not compared"
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
    parts = _summary(ev, regressed, unsure, against)
    if not ev.verdicts:
        return result(
            check,
            Status.SKIPPED,
            "; ".join(parts),
            findings=tuple(findings),
            metrics=tuple(metrics),
            tool_version=version,
        )
    if unsure and s.on_inconclusive == "error":
        status = Status.ERROR
    else:
        status = Status.FAILED if regressed else Status.PASSED
    return result(
        check,
        status,
        "; ".join(parts),
        findings=tuple(findings),
        metrics=tuple(metrics),
        tool_version=version,
    )


def _summary(
    ev: Evaluation, regressed: Sequence[str], unsure: Sequence[str], against: str
) -> list[str]:
    judged = len(ev.verdicts) - len(unsure)
    parts = []
    if regressed:
        parts.append(f"{len(regressed)} regression(s) against {against}: {'; '.join(regressed)}")
    elif ev.verdicts:
        parts.append(f"no regression in {judged} judged benchmark(s) against {against}")
    else:
        parts.append(f"nothing to compare: {against} has none of the {len(ev.new)} benchmark(s)")
    if unsure:
        parts.append(f"{len(unsure)} inconclusive: {'; '.join(unsure)}")
    if ev.new and ev.verdicts:
        parts.append(f"{len(ev.new)} without base timing: {', '.join(sorted(ev.new))}")
    if ev.gone:
        parts.append(f"{len(ev.gone)} only on the base: {', '.join(sorted(ev.gone))}")
    parts += ev.notes
    return parts
