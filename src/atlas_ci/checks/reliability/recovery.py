"""reliability.recovery: acknowledged writes survive SIGKILL; damaged databases are refused."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

from atlas_ci.checks.base import CheckContext, ProjectInfo, make_finding, result
from atlas_ci.checks.reliability.corruption import ScenarioResult, run_scenarios
from atlas_ci.checks.reliability.crash import CrashReport, run_crashes
from atlas_ci.checks.reliability.service import Lifecycle, reliability_gate, report_dir
from atlas_ci.checks.reliability.settings import RecoverySettings
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status
from atlas_ci.settings import GateSettings


class Recovery:
    gate = "reliability"
    name = "recovery"
    tool = "sqlite"
    settings_model = RecoverySettings
    exclusive = True

    def version(self, project: ProjectInfo) -> str | None:
        return sqlite3.sqlite_version

    def run(self, ctx: CheckContext[RecoverySettings, GateSettings]) -> CheckResult:
        s = ctx.settings
        gate = reliability_gate(ctx.gate_settings)
        if gate.host:
            why = "host names a running service: recovery must kill and restart it itself"
            return result(self, Status.SKIPPED, why)
        if not gate.service.argv:
            why = "no service configured: set [gates.reliability.service] argv"
            return result(self, Status.SKIPPED, why)
        if s.corruption and not gate.service.database:
            raise CheckError("set [gates.reliability.service] database (or corruption = false)")
        lc = Lifecycle(ctx, gate.service, "recovery", {"RECOVERY_TEST": "1"})
        workdir = report_dir(ctx) / "recovery"
        crash = run_crashes(lc, s, lc.fresh_db() or workdir / "none", workdir) if s.crash else None
        scenarios = run_scenarios(lc, s, workdir) if s.corruption else []
        summary = workdir / "recovery.json"
        summary.write_text(
            json.dumps(
                {
                    "crash": dataclasses.asdict(crash) if crash else None,
                    "corruption": [dataclasses.asdict(r) for r in scenarios],
                },
                indent=2,
            )
        )
        return self._result(ctx, crash, scenarios, [summary, workdir / "ledger.jsonl"])

    def _result(
        self,
        ctx: CheckContext[RecoverySettings, GateSettings],
        crash: CrashReport | None,
        scenarios: list[ScenarioResult],
        files: list[Path],
    ) -> CheckResult:
        findings = [*self._crash_findings(ctx, crash), *self._scenario_findings(ctx, scenarios)]
        metrics = [*_crash_metrics(crash), *_scenario_metrics(scenarios)]
        kept = [f.relative_to(ctx.project.report_dir).as_posix() for f in files if f.exists()]
        reason = "; ".join(f.message for f in findings[:4])
        if not findings:
            reason = _summary(crash, scenarios)
        return result(
            self,
            Status.FAILED if findings else Status.PASSED,
            reason,
            findings=findings,
            metrics=metrics,
            tool_version=sqlite3.sqlite_version,
            artifacts=kept,
        )

    def _crash_findings(self, ctx: CheckContext, crash: CrashReport | None) -> list[Finding]:
        if crash is None:
            return []
        messages = []
        if crash.lost:
            messages.append(
                (
                    "recovery.lost-writes",
                    f"{len(crash.lost)} of {crash.acknowledged} acknowledged "
                    f"writes lost across {crash.kills} kills (e.g. ledger #{min(crash.lost)})",
                )
            )
        messages += [
            ("recovery.integrity", f"integrity_check failed {m}") for m in crash.integrity_failures
        ]
        return [self._finding(ctx, rule, msg) for rule, msg in messages]

    def _scenario_findings(
        self, ctx: CheckContext, scenarios: list[ScenarioResult]
    ) -> list[Finding]:
        return [
            self._finding(
                ctx, f"recovery.corruption.{r.outcome}", f"scenario {r.name}: {r.problem}"
            )
            for r in scenarios
            if r.problem
        ]

    def _finding(self, ctx: CheckContext, rule: str, message: str) -> Finding:
        return make_finding(
            self, ctx.root, rule_id=rule, message=message, path=None, severity=Severity.CRITICAL
        )


def _crash_metrics(crash: CrashReport | None) -> list[Metric]:
    if crash is None:
        return []
    return [
        Metric(name="kills", value=crash.kills),
        Metric(name="acknowledged writes", value=crash.acknowledged),
        Metric(name="lost writes", value=len(crash.lost), threshold=0, direction="max"),
        Metric(
            name="integrity failures after kills",
            value=len(crash.integrity_failures),
            threshold=0,
            direction="max",
        ),
    ]


def _scenario_metrics(scenarios: list[ScenarioResult]) -> list[Metric]:
    if not scenarios:
        return []
    return [
        Metric(name="corruption scenarios", value=len(scenarios)),
        Metric(name="refused to start", value=sum(r.outcome == "refused" for r in scenarios)),
        Metric(
            name="served sound data",
            value=sum(r.outcome == "served" and not r.problem for r in scenarios),
        ),
        Metric(
            name="failed scenarios",
            value=sum(bool(r.problem) for r in scenarios),
            threshold=0,
            direction="max",
        ),
    ]


def _summary(crash: CrashReport | None, scenarios: list[ScenarioResult]) -> str:
    parts = []
    if crash is not None:
        parts.append(f"{crash.acknowledged} acknowledged writes survived {crash.kills} kills")
    if scenarios:
        refused = sum(r.outcome == "refused" for r in scenarios)
        served = len(scenarios) - refused
        parts.append(
            f"{len(scenarios)} damaged databases: {refused} refused, {served} served sound"
        )
    return "; ".join(parts)
