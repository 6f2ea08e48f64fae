"""tests.<category>: one pytest run per category, judged from its JUnit XML and exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from atlas_ci.checks.base import (
    CheckContext,
    ProjectInfo,
    judged,
    make_finding,
    python_module,
    relpath,
    result,
    tool_version,
)
from atlas_ci.checks.testsuite import coverage_run, junit, selection
from atlas_ci.checks.testsuite.settings import CategorySettings, TestsGateSettings
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Metric, Severity, Status
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings

MESSAGE_LIMIT = 500
# pytest's documented exit codes (pytest.ExitCode).
TESTS_FAILED, INTERRUPTED, INTERNAL_ERROR, USAGE_ERROR, NO_TESTS = 1, 2, 3, 4, 5
PYTEST_COV_HINT = (
    "coverage with `workers` or a custom `command` needs pytest-cov in the project's environment "
    "(or set coverage = false for this category)"
)
_MEANING = {
    INTERRUPTED: "interrupted",
    INTERNAL_ERROR: "internal error",
    USAGE_ERROR: "usage error",
}


@dataclass(frozen=True)
class CategoryCheck:
    """A test category from `[gates.tests.categories.<name>]`, addressed as tests.<name>."""

    name: str
    gate: str = "tests"
    tool: str = "pytest"
    settings_model: type[CheckSettings] = CategorySettings
    exclusive: bool = False

    def default_command(self, project: ProjectInfo) -> list[str]:
        return python_module("pytest", project)

    def version(self, project: ProjectInfo) -> str | None:
        return tool_version(self.default_command(project), project.root)

    def run(self, ctx: CheckContext) -> CheckResult:
        settings = ctx.settings_as(CategorySettings)
        reports = coverage_run.report_dir(ctx)
        coverage_run.forget(reports, self.name)
        xml = reports / "junit" / f"{self.name}.xml"
        xml.parent.mkdir(parents=True, exist_ok=True)
        xml.unlink(missing_ok=True)  # a file left by an earlier run must not pass for this one's
        inv = coverage_run.invocation(ctx, self.name, self.pytest_args(ctx, settings, str(xml)))
        res = ctx.run(inv.argv, env={**selection.plugin_env(), **inv.env})
        if res.timed_out:
            raise CheckError(
                f"pytest timed out after {settings.timeout:g}s; its processes were killed"
            )
        version = self.version(ctx.project)
        if res.returncode == NO_TESTS:
            return self._nothing_selected(settings, version)
        suite = read_suite(res, xml, inv.pytest_cov)
        if inv.measured:
            coverage_run.record(reports, self.name)
        return judged(
            self,
            [self._finding(ctx, case) for case in suite.problems],
            metrics(suite),
            version=version,
            reason_ok=f"{suite.count('passed')} passed, {suite.count('skipped')} skipped",
            artifacts=[xml.relative_to(reports).as_posix()],
        )

    def pytest_args(self, ctx: CheckContext, settings: CategorySettings, xml: str) -> list[str]:
        categories = _categories(ctx, self.name, settings)
        args = [
            *selection.plugin_args(self.name, ctx.root, categories),
            "-o",
            "junit_family=xunit1",
            f"--junitxml={xml}",
        ]
        if settings.workers is not None:
            args += ["-n", str(settings.workers)]
        return [*args, *settings.args, *selection.collection_roots(ctx.root, categories)]

    def _nothing_selected(self, settings: CategorySettings, version: str | None) -> CheckResult:
        what = f"paths {', '.join(settings.paths) or '-'}; marker {settings.marker or '-'}"
        if settings.allow_empty:
            return result(self, Status.SKIPPED, f"no test selected ({what})", tool_version=version)
        raise CheckError(f"no test selected ({what}); set allow_empty = true if that is expected")

    def _finding(self, ctx: CheckContext, case: junit.Case) -> Finding:
        verb = "failed" if case.outcome == "failed" else "errored"
        message = " ".join(case.message.split()) or "(no message)"
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 3] + "..."
        return make_finding(
            self,
            ctx.root,
            rule_id=f"test-{case.outcome}",
            message=f"{case.nodeid} {verb}: {message}",
            path=relpath(case.file, ctx.root) if case.file else None,
            line=case.line,
            severity=Severity.HIGH,
            tags=("tests",),
            help_text=f"pytest {case.nodeid}",
        )


def _categories(ctx: CheckContext, name: str, own: CategorySettings) -> dict[str, CategorySettings]:
    gate = ctx.gate_settings
    found = dict(gate.categories) if isinstance(gate, TestsGateSettings) else {}
    found[name] = own
    return found


def read_suite(res: ProcessResult, xml: Path, pytest_cov: bool) -> junit.Suite:
    """The JUnit results of a run that judged the tests (exit 0 or 1); anything else is an error."""
    if res.returncode not in (0, TESTS_FAILED):
        raise CheckError(crash_reason(res, xml, pytest_cov))
    if not xml.is_file():
        raise CheckError(
            f"pytest exited {res.returncode} but wrote no JUnit XML: {res.output_tail}"
        )
    suite = junit.parse(xml)
    if res.returncode == TESTS_FAILED and not suite.problems:
        raise CheckError(f"pytest exited 1 but reported no failed test: {res.output_tail}")
    return suite


def metrics(suite: junit.Suite) -> list[Metric]:
    counts = [
        Metric(name=o, value=suite.count(o), unit="tests")
        for o in ("passed", "failed", "error", "skipped")
    ]
    return [*counts, Metric(name="duration", value=round(suite.duration, 3), unit="s")]


def crash_reason(res: ProcessResult, xml: Path, pytest_cov: bool) -> str:
    """Why pytest could not judge the tests: its own words (collection errors, usage errors)."""
    code = res.returncode
    lines = [f"pytest exited {code} ({_meaning(code)})", *_interrupted(res.stdout)]
    lines += _collection_errors(xml)
    if len(lines) == 1 or code in (INTERNAL_ERROR, USAGE_ERROR):
        lines.append(res.output_tail[-1500:])
    if pytest_cov and "--cov" in res.stderr:
        lines.append(PYTEST_COV_HINT)
    return "\n".join(ln for ln in lines if ln)


def _meaning(code: int) -> str:
    if code < 0:
        return f"killed by signal {-code}"
    return _MEANING.get(code, f"exit {code}")


def _interrupted(stdout: str) -> list[str]:
    """pytest's own "!!! Interrupted: 1 error during collection !!!" line, unframed."""
    return [ln.strip("! ") for ln in stdout.splitlines() if "Interrupted:" in ln][-1:]


def _collection_errors(xml: Path) -> list[str]:
    """`file: error` for the modules pytest could not import, from its JUnit XML."""
    try:
        cases = junit.parse(xml).cases if xml.is_file() else ()
    except CheckError:
        return []
    errors = [c for c in cases if c.is_collection_error][:5]
    return [f"{c.file or c.nodeid}: {_error_lines(c.text)}" for c in errors]


def _error_lines(text: str) -> str:
    """The `E   ...` lines of a traceback: the error itself, without the import machinery."""
    picked = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
    return "\n".join(picked)[-1000:] or text.strip()[-1000:]
