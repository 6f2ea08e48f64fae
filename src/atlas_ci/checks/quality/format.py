"""quality.format: `ruff format --check`, one finding per file that would be reformatted."""

from __future__ import annotations

from atlas_ci.checks import sources
from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding, relpath
from atlas_ci.checks.quality.lint import RUFF, load_items, ruff_files
from atlas_ci.checks.quality.ruff_data import Diagnostic
from atlas_ci.checks.toolkit import Tool, argv_chunks, bad_exit, error_line, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity, fingerprint
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings, GateSettings

UNFORMATTED = "unformatted"  # ruff's code for "File would be reformatted"


# No keys beyond every check's own (enabled, timeout, command).
FormatSettings = CheckSettings


class Format:
    gate, name, tool = "quality", "format", RUFF.name
    settings_model, exclusive = FormatSettings, False

    def run(self, ctx: CheckContext[FormatSettings, GateSettings]) -> CheckResult:
        ruff = RUFF.using(ctx.settings.command)
        files = ruff_files(ctx)
        if not files:
            return sources.nothing_to_check(self, ctx.project)
        runs = [
            run_tool(
                ruff,
                [*FORMAT_ARGS, *chunk],
                cwd=ctx.root,
                timeout=ctx.settings.timeout,
                ok_codes=(0, 1, 2),
                early=f"{self.gate}.{self.name}#{n}",
            )
            for n, chunk in enumerate(argv_chunks(files))
        ]
        # A run that checked nothing (its files all excluded by ruff's own config) says nothing;
        # only when every run is silent did ruff check no file at all.
        spoke = [res for res in runs if res.stdout.strip() or res.returncode != 0] or runs[:1]
        findings = [f for res in spoke for f in judge_exit(res, self, ctx, ruff)]
        return judged(
            self, findings, version=ruff.version(ctx.root), reason_ok="every file is formatted"
        )

    def version(self, project: ProjectInfo) -> str | None:
        return RUFF.version(project.root)


# --force-exclude: the project's own ruff `exclude` (and format.exclude) applies to the files named.
FORMAT_ARGS = ("format", "--check", "--output-format", "json", "--force-exclude")


def judge_exit(
    res: ProcessResult, check: Format, ctx: CheckContext, ruff: Tool = RUFF
) -> list[Finding]:
    """ruff format --check exits 0 (all formatted), 1 (some would change) or 2 (error)."""
    if res.returncode == 2:
        detail = _error_detail(res.stdout, ctx) or error_line(res)
        raise CheckError(f"ruff format could not check the files: {detail}")
    if not res.stdout.strip():
        if res.returncode == 0:
            # With JSON output ruff prints nothing at all only when it found no file to check.
            raise CheckError(f"ruff format found no Python files in {', '.join(ctx.project.paths)}")
        raise bad_exit(ruff, res)
    findings = parse(res.stdout, check, ctx)
    if res.returncode == 1 and not findings:
        raise CheckError("ruff format exited 1 but reported no file to reformat")
    return findings


def parse(stdout: str, check: Format, ctx: CheckContext) -> list[Finding]:
    """One finding per file; anything but an "unformatted" diagnostic means ruff did not finish."""
    by_path: dict[str, Finding] = {}
    for item in load_items(stdout, "ruff format"):
        if item["code"] != UNFORMATTED:
            raise CheckError(
                f"ruff format reported {item['code']}: {item['message']} in {item['filename']}"
            )
        path = relpath(item["filename"], ctx.root)
        if path not in by_path:
            by_path[path] = _finding(item, path, check, ctx)
    return list(by_path.values())


def _finding(item: Diagnostic, path: str, check: Format, ctx: CheckContext) -> Finding:
    return make_finding(
        check,
        ctx.root,
        rule_id=UNFORMATTED,
        message="File would be reformatted by ruff format",
        path=path,
        line=max(1, item["location"]["row"]),
        severity=Severity.LOW,
        help_text="Run `ruff format` to apply the project's formatting.",
        # One finding per file: its identity is the file, not the first line that differs.
        fingerprint=fingerprint(UNFORMATTED, path, ""),
    )


def _error_detail(stdout: str, ctx: CheckContext) -> str:
    """ruff still prints its JSON list on exit 2 (e.g. a syntax error): name the files if so."""
    try:
        items = load_items(stdout, "ruff format")
    except CheckError:
        return ""
    problems = [
        f"{relpath(i['filename'], ctx.root)}:{i['location']['row']}: {i['message']}"
        for i in items
        if i["code"] != UNFORMATTED
    ]
    return "; ".join(problems[:5])
