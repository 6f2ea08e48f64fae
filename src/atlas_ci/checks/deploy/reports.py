"""deploy.reports: pre-deployment validation from the other gates' reports for THIS commit.

Fail closed: a missing report, a report of another commit, an interrupted run or a check that
errored is a failure with its reason. This check never passes on missing evidence.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding
from atlas_ci.checks.deploy import evidence
from atlas_ci.checks.deploy.evidence import Evidence
from atlas_ci.checks.deploy.settings import DeployGateSettings
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Report, Severity, Status
from atlas_ci.reporting import git_commit
from atlas_ci.settings import CheckSettings

REQUIRED_GATES = ("quality", "security", "tests", "perf", "reliability")


class ReportsSettings(CheckSettings):
    from_dir: str | None = Field(
        default=None,
        description="Directory holding the other gates' atlas-ci JSON reports for this commit "
        "(searched recursively; `deploy-check --from DIR` sets it).",
    )
    require: tuple[str, ...] = Field(
        default=REQUIRED_GATES, min_length=1, description="Gates whose evidence must be present."
    )
    security_fail_on: Severity = Field(
        default=Severity.CRITICAL,
        description="A security finding at or above this severity is a no-go.",
    )


ReportsContext = CheckContext[ReportsSettings, DeployGateSettings]


class Reports:
    gate = "deploy"
    name = "reports"
    tool = "atlas-ci"
    settings_model = ReportsSettings
    exclusive = False

    def version(self, project: ProjectInfo) -> str | None:
        from atlas_ci import __version__

        return __version__

    def run(self, ctx: ReportsContext) -> CheckResult:
        settings = ctx.settings
        if settings.from_dir is None:
            finding = self._finding(
                ctx, "no-evidence", "no gate reports given: use --from DIR or --run-gates"
            )
            return self._judged([finding], "")
        head = git_commit(ctx.root)
        if head is None:
            raise CheckError("not a git work tree: cannot tell which commit the reports are for")
        reports = evidence.load_reports(ctx.root / settings.from_dir)
        findings: list[Finding] = []
        for gate in settings.require:
            findings += self._judge_gate(ctx, settings, reports, gate, head)
        ok = f"{', '.join(settings.require)}: reports for {head[:12]} all meet the policy"
        return self._judged(findings, ok)

    def _judged(self, findings: list[Finding], ok: str) -> CheckResult:
        """Like judged(), with the reasons themselves in the summary: they are the no-go."""
        res = judged(self, findings, reason_ok=ok)
        if not findings:
            return res
        more = f" (+{len(findings) - 3} more)" if len(findings) > 3 else ""
        return res.model_copy(update={"reason": "; ".join(f.message for f in findings[:3]) + more})

    def _judge_gate(
        self,
        ctx: ReportsContext,
        settings: ReportsSettings,
        reports: list[tuple[Path, Report]],
        gate: str,
        head: str,
    ) -> list[Finding]:
        candidates = evidence.by_gate(reports, gate)
        if not candidates:
            return [self._finding(ctx, "missing-report", f"no report of the {gate} gate")]
        chosen = evidence.for_commit(candidates, head)
        if chosen is None:
            commits = sorted({(e.report.commit or "unknown")[:12] for e in candidates})
            return [
                self._finding(
                    ctx,
                    "other-commit",
                    f"the {gate} report is for commit {', '.join(commits)}, not HEAD {head[:12]}",
                )
            ]
        return [
            self._finding(ctx, rule, f"{gate}: {why}") for rule, why in problems(chosen, settings)
        ]

    def _finding(self, ctx: ReportsContext, rule: str, message: str) -> Finding:
        return make_finding(
            self, ctx.root, rule_id=rule, message=message, path=None, severity=Severity.HIGH
        )


def problems(found: Evidence, settings: ReportsSettings) -> list[tuple[str, str]]:
    """(rule, reason) for each way this gate's evidence falls short of the release policy."""
    out: list[tuple[str, str]] = []
    if found.report.interrupted:
        out.append(("interrupted", "the run was interrupted: its results are incomplete"))
    for check in found.gate.checks:
        if check.status is Status.ERROR:
            out.append(("check-errored", f"{check.check} errored: {_short(check.reason)}"))
    if found.gate.gate == "security":
        out += _security(found, settings.security_fail_on)
    elif found.gate.gate == "tests":
        out += _tests(found)
    elif found.gate.status is not Status.PASSED and not out:
        out.append(("gate-not-passed", f"gate {found.gate.status.value}: {_reasons(found)}"))
    return out


def _security(found: Evidence, fail_on: Severity) -> list[tuple[str, str]]:
    out = []
    for check in found.gate.checks:
        for f in check.findings:
            if f.severity.rank >= fail_on.rank:
                where = f.location.path if f.location else "the project"
                out.append(("security-finding", f"{f.severity.value} {f.rule_id} in {where}"))
    if not any(c.status is Status.PASSED or c.status is Status.FAILED for c in found.gate.checks):
        out.append(("gate-not-passed", "no security check ran"))
    return out


def _tests(found: Evidence) -> list[tuple[str, str]]:
    out = [
        ("tests-not-passed", f"{c.check} {c.status.value}: {_short(c.reason)}")
        for c in found.gate.checks
        if c.status in (Status.FAILED, Status.SKIPPED)
    ]
    # A merged report labels each job's copy ("tests.coverage [job]"): any copy counts.
    if not any(c.check.split(" ", 1)[0] == "tests.coverage" for c in found.gate.checks):
        out.append(("coverage-missing", "tests.coverage is not in the report"))
    return out


def _reasons(found: Evidence) -> str:
    bad = [c for c in found.gate.checks if c.status is not Status.PASSED]
    return "; ".join(f"{c.check} {c.status.value}" for c in bad) or "no check ran"


def _short(text: str, limit: int = 200) -> str:
    first = text.strip().splitlines()[0] if text.strip() else "no reason given"
    return first if len(first) <= limit else first[:limit] + "..."
