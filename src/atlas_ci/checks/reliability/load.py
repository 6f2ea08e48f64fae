"""reliability.load: Locust against the service, judged per endpoint and overall."""

from __future__ import annotations

from atlas_ci.checks.base import Check, CheckContext, ProjectInfo, result
from atlas_ci.checks.reliability import stats
from atlas_ci.checks.reliability.locust import LOCUST, LocustOutput, run_locust
from atlas_ci.checks.reliability.service import not_configured, reliability_gate, report_dir, target
from atlas_ci.checks.reliability.settings import LoadSettings, LocustSettings
from atlas_ci.checks.reliability.thresholds import judge
from atlas_ci.model import CheckResult, Finding, Metric, Status
from atlas_ci.settings import GateSettings


class Load:
    gate = "reliability"
    name = "load"
    tool = "locust"
    settings_model = LoadSettings
    exclusive = True

    def version(self, project: ProjectInfo) -> str | None:
        return LOCUST.version(project.root)

    def run(self, ctx: CheckContext[LoadSettings, GateSettings]) -> CheckResult:
        s = ctx.settings
        reason = not_configured(reliability_gate(ctx.gate_settings))
        if reason:
            return result(self, Status.SKIPPED, reason)
        prefix = report_dir(ctx) / "load"
        with target(ctx, "load") as (host, _):
            out = run_locust(ctx, s, host=host, run_time=s.run_time, prefix=prefix)
        return locust_result(self, ctx, s, out)


def locust_result(
    check: Check,
    ctx: CheckContext,
    s: LocustSettings,
    out: LocustOutput,
    *,
    extra_metrics: tuple[Metric, ...] = (),
    extra_failures: tuple[str, ...] = (),
    artifacts: tuple[str, ...] = (),
    findings: tuple[Finding, ...] = (),
) -> CheckResult:
    """passed/failed from the thresholds (plus what the caller adds), with every number kept."""
    total = stats.aggregate(out.entries)
    verdict = judge(check, ctx, s, stats.endpoints(out.entries), total)
    problems = [*verdict.breaches, *extra_failures]
    summary = f"{total.requests} requests, {total.rps:.1f} rps, p95 {total.p95:g} ms"
    rel = [f.relative_to(ctx.project.report_dir).as_posix() for f in out.files]
    return result(
        check,
        Status.FAILED if problems else Status.PASSED,
        "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else "")
        if problems
        else summary,
        findings=(*verdict.findings, *findings),
        metrics=(*verdict.metrics, *extra_metrics),
        tool_version=LOCUST.using(s.command).version(ctx.root),
        artifacts=(*rel, *artifacts),
    )
