"""quality.lint: ruff check, read from its JSON output, honouring the project's own ruff config."""

from __future__ import annotations

from atlas_ci.checks import sources
from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding, relpath
from atlas_ci.checks.quality.ruff_data import DIAGNOSTICS, Diagnostic
from atlas_ci.checks.toolkit import Tool, argv_chunks, load_json, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity
from atlas_ci.settings import CheckSettings, GateSettings

RUFF = Tool("ruff", ("ruff",), distribution="ruff")
SYNTAX_ERROR = "invalid-syntax"
# ruff's warning when the paths hold no Python file: nothing was linted, so nothing can pass.
NO_FILES = "No Python files found"
# What ruff checks as code (its default include; pyproject.toml alone is no code to judge).
RUFF_CODE = (".py", ".pyi", ".ipynb", ".pyw")


# No keys beyond every check's own (enabled, timeout, command).
LintSettings = CheckSettings


class Lint:
    gate, name, tool = "quality", "lint", RUFF.name
    settings_model, exclusive = LintSettings, False

    def run(self, ctx: CheckContext[LintSettings, GateSettings]) -> CheckResult:
        ruff = RUFF.using(ctx.settings.command)
        files = ruff_files(ctx)
        if not files:
            return sources.nothing_to_check(self, ctx.project)
        findings: list[Finding] = []
        linted = False
        for n, chunk in enumerate(argv_chunks(files)):
            res = run_tool(
                ruff,
                [*LINT_ARGS, *chunk],
                cwd=ctx.root,
                timeout=ctx.settings.timeout,
                early=f"{self.gate}.{self.name}#{n}",
            )
            findings += parse(res.stdout, self, ctx)
            linted = linted or NO_FILES not in res.stderr
        if not findings and not linted:
            # Every listed file is excluded by the project's own ruff config.
            raise CheckError(f"ruff found no Python files in {', '.join(ctx.project.paths)}")
        return judged(self, findings, version=ruff.version(ctx.root), reason_ok="no lint findings")

    def version(self, project: ProjectInfo) -> str | None:
        return RUFF.version(project.root)


# --exit-zero: findings are read from the JSON, so any non-zero exit means ruff itself failed.
# --force-exclude: the project's own ruff `exclude` (and lint.exclude) applies to the files named.
LINT_ARGS = ("check", "--output-format", "json", "--no-fix", "--force-exclude", "--exit-zero")


def ruff_files(ctx: CheckContext) -> list[str]:
    """The file set's files (under paths, minus `exclude`) that ruff checks as code.

    Named on the command line with --force-exclude, they still pass through the project's own ruff
    `exclude`/`extend-exclude`; when those exclude every one, ruff says so and the check errors
    (NO_FILES). Asking ruff first (`--show-files`) would cost one more process per check and make
    any `command` answer a second, different call.
    """
    return [n for n in sources.listed(ctx.project, ctx.settings.timeout) if n.endswith(RUFF_CODE)]


def load_items(stdout: str, tool: str = "ruff") -> list[Diagnostic]:
    """ruff's JSON diagnostics list (shared by `ruff check` and `ruff format --check`)."""
    return load_json(stdout, DIAGNOSTICS, tool=tool)


def parse(stdout: str, check: Lint, ctx: CheckContext) -> list[Finding]:
    return [_finding(item, check, ctx) for item in load_items(stdout)]


def _finding(item: Diagnostic, check: Lint, ctx: CheckContext) -> Finding:
    code = item["code"] or SYNTAX_ERROR
    loc = item["location"]
    end = item.get("end_location") or loc
    name = item.get("name")
    return make_finding(
        check,
        ctx.root,
        rule_id=code,
        message=item["message"],
        path=relpath(item["filename"], ctx.root),
        line=max(1, loc["row"]),
        end_line=max(1, end["row"]),
        start_column=max(1, loc["column"]),
        end_column=max(1, end["column"]),
        severity=Severity.HIGH if code == SYNTAX_ERROR else Severity.MEDIUM,
        help_uri=item.get("url"),
        help_text=f"ruff rule {code}" + (f" ({name})" if name else ""),
    )
