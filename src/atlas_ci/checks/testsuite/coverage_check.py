"""tests.coverage: combine the coverage data the categories wrote this run and judge the totals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from atlas_ci import fileset, reportdir
from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    python_module,
    result,
    tool_version,
)
from atlas_ci.checks.testsuite import coverage_run, diff, new_code
from atlas_ci.checks.testsuite.settings import CoverageSettings
from atlas_ci.checks.toolkit import Tool, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status
from atlas_ci.settings import GateSettings


class Coverage:
    gate = "tests"
    name = "coverage"
    tool = "coverage"
    settings_model = CoverageSettings
    # Exclusive checks run after every other one: the categories have written their data by then.
    exclusive = True

    def default_command(self, project: ProjectInfo) -> list[str]:
        return python_module("coverage", project)

    def version(self, project: ProjectInfo) -> str | None:
        return tool_version(self.default_command(project), project.root)

    def run(self, ctx: CheckContext[CoverageSettings, GateSettings]) -> CheckResult:
        settings = ctx.settings
        reports = coverage_run.report_dir(ctx)
        categories = sorted(coverage_run.recorded(reports))
        if not categories:
            return self._nothing_recorded(ctx, settings, reports)
        files = coverage_run.data_files(reports, categories)
        if not files:
            raise CheckError(f"tests {', '.join(categories)} ran but wrote no coverage data")
        report = self._combine_and_read(ctx, reports, files)
        total = _total(report)
        metrics = [
            Metric(
                name="coverage",
                value=round(total, 2),
                unit="%",
                threshold=settings.min,
                direction="min",
            )
        ]
        findings: list[Finding] = []
        note = ""
        if ctx.project.base_ref:
            findings, metric, note = self._new_code(ctx, settings.min_new, report)
            metrics += [metric] if metric else []
        ok = f"{total:.1f}% covered by {', '.join(categories)}{note}"
        return judged(
            self,
            findings,
            metrics,
            version=self.version(ctx.project),
            reason_ok=ok,
            artifacts=[f"{coverage_run.DATA_DIR}/coverage.json"],
        )

    def _combine_and_read(self, ctx: CheckContext, reports: Path, files: list[Path]) -> Any:
        cov = ctx.command(self.default_command(ctx.project))
        combined = reportdir.remove_file(reports, f"{coverage_run.DATA_DIR}/.coverage")
        out = reportdir.remove_file(reports, f"{coverage_run.DATA_DIR}/coverage.json")
        # --keep: the categories' own files stay, so a re-run of this check alone still works.
        _tool(ctx, cov, "combine", "--keep", f"--data-file={combined}", *map(str, files))
        # cwd is the repository root, so the project's own [tool.coverage] (source, omit, paths...)
        # applies; --fail-under=0 because this check, not coverage, judges the total.
        _tool(ctx, cov, "json", f"--data-file={combined}", "-o", str(out), "--fail-under=0")
        try:
            return json.loads(out.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CheckError(f"cannot read coverage's JSON report: {exc}") from exc

    def _nothing_recorded(
        self, ctx: CheckContext, settings: CoverageSettings, reports: Path
    ) -> CheckResult:
        """No category recorded coverage. With no Python code there is nothing to measure
        (skipped); code whose categories found no test is 0% covered (failed); otherwise the
        categories did not run in this invocation, so nothing can be judged (error)."""
        source = coverage_run.sources(ctx, None, []) or list(ctx.project.paths)
        if not has_code(ctx.root, source):
            shown = ", ".join(source)
            return result(self, Status.SKIPPED, f"no Python code to measure in {shown}, no tests")
        if not coverage_run.empty(reports):
            raise CheckError(
                "no coverage data from this run: run the test categories too "
                "(e.g. `atlas-ci gate tests`), with coverage on"
            )
        metric = Metric(
            name="coverage", value=0.0, unit="%", threshold=settings.min, direction="min"
        )
        return judged(self, [], [metric], version=self.version(ctx.project), reason_ok="")

    def _new_code(
        self, ctx: CheckContext, minimum: float | None, report: Any
    ) -> tuple[list[Finding], Metric | None, str]:
        ref = ctx.project.base_ref or ""
        measured = new_code.measure(report, diff.new_lines(ctx, ref), ctx.root)
        percent = measured.percent
        if percent is None:
            return [], None, f"; no new executable lines since {ref}"
        metric = Metric(
            name="new_code_coverage",
            value=round(percent, 2),
            unit="%",
            threshold=minimum,
            direction="min",
        )
        # Below the bar every uncovered new range blocks; above it (or with no bar) they are advice.
        blocking = minimum is not None and percent < minimum
        findings = [
            make_finding(
                self,
                ctx.root,
                rule_id="uncovered-new-code",
                path=u.path,
                line=u.start,
                end_line=u.end,
                severity=Severity.MEDIUM,
                blocking=blocking,
                tags=("coverage",),
                message=f"{u.count_text} added or changed since {ref} not executed by any test",
                help_text="Add a test that runs this new code.",
            )
            for u in measured.uncovered
        ]
        return findings, metric, f"; new code {percent:.1f}% covered"


def has_code(root: Path, source: Sequence[str]) -> bool:
    """Does the file set hold a .py file under the source paths? (Never inside a venv: a
    repository holding only its `.venv` has no code.) A source that is a module name, not a
    path, cannot be told from here: coverage decides, so it counts as code."""
    if any(not (root / s).exists() for s in source):
        return True
    return any(
        name.endswith(".py") and fileset.under(name, source)
        for name in fileset.repository_files(root)
    )


def _tool(ctx: CheckContext, cov: list[str], command: str, *args: str) -> None:
    # Named with the subcommand, so the kit's message says which step failed.
    tool = Tool(f"coverage {command}", (*cov, command), distribution="coverage")
    run_tool(tool, list(args), cwd=ctx.root, timeout=ctx.settings.timeout)


def _total(report: Any) -> float:
    try:
        return float(report["totals"]["percent_covered"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckError(f"coverage JSON has no totals.percent_covered: {exc}") from exc
