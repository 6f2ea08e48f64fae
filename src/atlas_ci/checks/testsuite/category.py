"""tests.<category>: one pytest run per category, judged from its JUnit XML and exit code.

Before pytest runs, the project interpreter is probed (interpreter.py): it must have pytest (and
coverage when measured) and import the project from this tree. With two or more categories the
suite is collected once (collection.py) and each category runs only the files holding its tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from atlas_ci import interpreter, reportdir
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
from atlas_ci.checks.testsuite import categories, collection, coverage_run, junit, selection
from atlas_ci.checks.testsuite.coverage_run import CategoryContext
from atlas_ci.checks.testsuite.settings import CategorySettings, TestsGateSettings
from atlas_ci.checks.toolkit import ANY_EXIT, Tool, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.interpreter import Probe
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

    def run(self, ctx: CategoryContext) -> CheckResult:
        settings = ctx.settings
        reports = coverage_run.report_dir(ctx)
        coverage_run.forget(reports, self.name)
        resolved = categories.resolve(_categories(ctx, self.name, settings), ctx.root)
        if self.name in resolved.absent:
            coverage_run.record_empty(reports, self.name)
            return result(self, Status.SKIPPED, resolved.absent[self.name])
        own, present = resolved.present[self.name], resolved.present
        found = probe(ctx, settings)
        version = found.pytest if found else self.version(ctx.project)
        targets = self._targets(ctx, present, reports)
        if targets is None:
            return self._nothing_selected(reports, own, version)
        # A file left by an earlier run must not pass for this one's; a symlink there (or at
        # junit/) is never followed, so pytest cannot write through it.
        xml = reportdir.remove_file(reports, f"junit/{self.name}.xml")
        args = self.pytest_args(ctx, settings, str(xml), present, targets)
        measure = coverage_run.measure_args(ctx, found, test_dirs(present))
        inv = coverage_run.invocation(ctx, self.name, args, measure)
        # The kit's one message for a timeout, a signal or output over the cap; pytest's own exit
        # codes are judged below (its words for a crash, collection errors included).
        res = run_tool(
            Tool(self.tool, tuple(inv.argv)),
            [],
            cwd=ctx.root,
            timeout=settings.timeout,
            env={**selection.plugin_env(), **inv.env},
            ok_codes=ANY_EXIT,
        )
        if res.returncode == NO_TESTS:
            return self._nothing_selected(reports, own, version)
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

    def _targets(
        self, ctx: CheckContext, present: dict[str, CategorySettings], reports: Path
    ) -> list[str] | None:
        """What pytest collects: the files holding this category's tests, or its roots.

        None when the shared collection found nothing for this category (no pytest run needed).
        """
        roots = selection.collection_roots(ctx.root, present)
        running = [n for n, s in present.items() if s.enabled]
        if len(running) < 2 or ctx.settings.command is not None:
            return roots  # one run collects everything this category needs anyway
        shared = collection.shared(ctx, present, reports)
        if shared is None:
            return roots
        files = list(shared.files.get(self.name, ()))
        if not files:
            return None
        return files if len(files) <= collection.MAX_FILES else roots

    def pytest_args(
        self,
        ctx: CheckContext,
        settings: CategorySettings,
        xml: str,
        present: dict[str, CategorySettings] | None = None,
        targets: list[str] | None = None,
    ) -> list[str]:
        found = present if present is not None else _categories(ctx, self.name, settings)
        args = [
            *selection.plugin_args(self.name, ctx.root, found),
            "-o",
            "junit_family=xunit1",
            f"--junitxml={xml}",
        ]
        if settings.workers is not None:
            args += ["-n", str(settings.workers)]
        if targets is None:
            targets = selection.collection_roots(ctx.root, found)
        return [*args, *settings.args, *targets]

    def _nothing_selected(
        self, reports: Path, settings: CategorySettings, version: str | None
    ) -> CheckResult:
        shown = [p or "." for p in settings.paths]
        what = f"paths {', '.join(shown) or '-'}; marker {settings.marker or '-'}"
        if settings.allow_empty:
            coverage_run.record_empty(reports, self.name)
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


def probe(ctx: CategoryContext, settings: CategorySettings) -> Probe | None:
    """The project interpreter, checked: it has pytest (and coverage) and imports this tree.

    None with a custom `command`: that command decides which interpreter runs the tests.
    """
    if settings.command is not None:
        return None
    expected = interpreter.top_level_packages(ctx.root, ctx.project.paths)
    found = interpreter.probe(ctx.project.python, ctx.root, tuple(sorted(expected)))
    interpreter.require(found, "pytest", "it runs the tests")
    if coverage_run.measured(ctx):
        tool = "pytest-cov" if coverage_run.uses_pytest_cov(ctx) else "coverage"
        interpreter.require(found, tool, "tests.coverage measures the tests with it")
    interpreter.check_imports(found, expected, ctx.root)
    return found


def test_dirs(present: dict[str, CategorySettings]) -> list[str]:
    """Every category's paths: what coverage leaves out of the project's source."""
    return [p for spec in present.values() for p in spec.paths if selection.normalize(p)]


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
