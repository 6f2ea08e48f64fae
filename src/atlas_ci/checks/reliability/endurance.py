"""reliability.endurance: sustained Locust load while the service's resources are sampled.

Trends start after the warm-up (caches fill, pools grow, the allocator settles); a resource
counts as leaking only when the lower bound of its Theil-Sen slope is above the limit, so a
noisy but flat series never fails, while a steady leak does even under noise.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from atlas_ci import model
from atlas_ci.checks.base import CheckContext, ProjectInfo, make_finding, result
from atlas_ci.checks.reliability import chart, resources
from atlas_ci.checks.reliability.load import locust_result
from atlas_ci.checks.reliability.locust import LOCUST, LocustOutput, run_locust
from atlas_ci.checks.reliability.sampler import Sample, Sampler
from atlas_ci.checks.reliability.service import (
    Running,
    not_configured,
    reliability_gate,
    report_dir,
    target,
)
from atlas_ci.checks.reliability.settings import EnduranceSettings
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity, Status
from atlas_ci.settings import GateSettings


class Endurance:
    gate = "reliability"
    name = "endurance"
    tool = "locust"
    settings_model = EnduranceSettings
    exclusive = True

    def version(self, project: ProjectInfo) -> str | None:
        return LOCUST.version(project.root)

    def run(self, ctx: CheckContext[EnduranceSettings, GateSettings]) -> CheckResult:
        s = ctx.settings
        gate = reliability_gate(ctx.gate_settings)
        reason = not_configured(gate)
        if reason or gate.host:
            why = reason or "host names a running service: its process cannot be sampled here"
            return result(self, Status.SKIPPED, why)
        out_dir = report_dir(ctx)
        with target(ctx, "endurance", {"ENDURANCE_TEST": "1"}) as (host, running):
            assert running is not None  # noqa: S101 - host mode returned above
            out, samples = self._sustain(ctx, s, host, running, out_dir / "endurance")
        return self._judge(ctx, s, out, samples, out_dir)

    def _sustain(
        self,
        ctx: CheckContext[EnduranceSettings, GateSettings],
        s: EnduranceSettings,
        host: str,
        running: Running,
        prefix: Path,
    ) -> tuple[LocustOutput, list[Sample]]:
        sampler = Sampler(running.pid, s.sample_interval, s.memory).start()
        try:
            out = run_locust(ctx, s, host=host, run_time=s.duration, prefix=prefix)
        finally:
            samples = sampler.stop()
        if sampler.problem or not running.alive():
            raise CheckError(
                f"{sampler.problem or 'the service exited during the run'}; log tail:\n"
                f"{running.log_tail()}"
            )
        return out, samples

    def _judge(
        self,
        ctx: CheckContext,
        s: EnduranceSettings,
        out: LocustOutput,
        samples: list[Sample],
        out_dir: Path,
    ) -> CheckResult:
        warmup = s.duration * s.warmup
        verdict = resources.Verdict()
        resources.judge_resources(resources.after_warmup(samples, warmup), s, verdict)
        resources.judge_latency(out.history, warmup, s, verdict)
        samples_file = out_dir / "endurance-samples.json"
        samples_file.write_text(json.dumps([dataclasses.asdict(x) for x in samples]))
        svg = chart.draw(
            out_dir / "endurance.svg",
            samples,
            out.history,
            warmup_end=warmup,
            memory_label=s.memory,
        )
        findings = self._findings(ctx, verdict)
        rel = [p.relative_to(ctx.project.report_dir).as_posix() for p in (svg, samples_file)]
        return locust_result(
            self,
            ctx,
            s,
            out,
            extra_metrics=tuple(verdict.metrics),
            extra_failures=tuple(msg for _, msg in verdict.breaches),
            artifacts=tuple(rel),
            findings=findings,
        )

    def _findings(self, ctx: CheckContext, verdict: resources.Verdict) -> tuple[Finding, ...]:
        breaches = tuple(
            make_finding(
                self, ctx.root, rule_id=rule, message=msg, path=None, severity=Severity.HIGH
            )
            for rule, msg in verdict.breaches
        )
        notes = tuple(
            make_finding(
                self,
                ctx.root,
                rule_id=rule,
                message=msg,
                path=None,
                severity=Severity.INFO,
                blocking=False,
                # The message names this run's seconds: the note is the same note every run.
                fingerprint=model.fingerprint(rule, "", rule),
            )
            for rule, msg in verdict.notes
        )
        return breaches + notes
