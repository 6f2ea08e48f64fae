"""quality.lint: ruff check, read from its JSON output, honouring the project's own ruff config."""

from __future__ import annotations

import os

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
        files = ruff_files(ruff, ctx)
        if not files:
            return sources.nothing_to_check(self, ctx.project)
        findings: list[Finding] = []
        linted = False
        for chunk in argv_chunks(files):
            res = run_tool(ruff, [*LINT_ARGS, *chunk], cwd=ctx.root, timeout=ctx.settings.timeout)
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


def ruff_files(ruff: Tool, ctx: CheckContext) -> list[str]:
    """The file set's files (under paths, minus `exclude`) that ruff itself would check.

    ruff checks any file named on its command line, whatever its `include`; `--show-files` gives
    the files its own discovery picks from the same paths (include, extend-include, exclude,
    .gitignore), so naming the intersection changes nothing but atlas-ci's `exclude`.
    """
    files = sources.listed(ctx.project, ctx.settings.timeout)
    code = [n for n in files if n.endswith(RUFF_CODE)]
    if not code:
        return []
    args = ["check", "--show-files", "--force-exclude", *ctx.project.paths]
    res = run_tool(ruff, args, cwd=ctx.root, timeout=ctx.settings.timeout)
    shown = {relpath(line, ctx.root) for line in _shown_paths(res.stdout)}
    chosen = [name for name in files if name in shown]
    if not any(n.endswith(RUFF_CODE) for n in chosen):
        # Fail closed: Python files are there, and ruff would check none of them.
        raise CheckError(
            f"ruff would check none of the {len(code)} Python file(s) in "
            f"{', '.join(ctx.project.paths)} (its own config excludes them all)"
        )
    return chosen


def _shown_paths(stdout: str) -> list[str]:
    """`--show-files` prints one absolute path per line; anything else is not ruff's list."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if any(not os.path.isabs(line) for line in lines):
        raise CheckError("ruff --show-files printed something other than a list of files")
    return lines


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
