"""quality.types: mypy in the project's environment, from its JSON lines, honouring its config."""

from __future__ import annotations

import hashlib
import os
import tempfile
import xml.etree.ElementTree as ET  # nosec B405 - mypy's own report, written into our temp dir
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, NotRequired

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from atlas_ci import fileset, head_start
from atlas_ci.checks import sources, toolkit
from atlas_ci.checks.base import CheckContext, ProjectInfo, judged, make_finding, relpath
from atlas_ci.checks.quality import mypy_config, mypy_files
from atlas_ci.checks.toolkit import Tool, bad_exit, error_line, load_json_lines, run_tool
from atlas_ci.errors import CheckError
from atlas_ci.model import CheckResult, Finding, Severity
from atlas_ci.process import ProcessResult
from atlas_ci.settings import CheckSettings, GateSettings

MYPY = Tool("mypy", ("mypy",), distribution="mypy")
# mypy writes a JUnit file (`result_file`) at the end of every completed run: proof that it
# really ran, since a clean run with JSON output prints nothing at all.


class Message(TypedDict):
    """One line of `mypy --output json`."""

    file: str
    line: int
    column: int
    end_line: NotRequired[int | None]
    end_column: NotRequired[int | None]
    message: str
    hint: str | None
    code: str | None
    severity: Literal["error", "note"]


MESSAGE = TypeAdapter(Message)

# Config keys naming what to check: when the project sets one, mypy must not be given paths,
# since paths on the command line make mypy ignore them.
TARGET_KEYS = ("files", "packages", "modules")
MYPY_DOCS = "https://mypy.rtfd.io/en/stable/_refs.html"  # the page mypy's own error links point to


# No keys beyond every check's own (enabled, timeout, command).
TypesSettings = CheckSettings


class Types:
    gate, name, tool = "quality", "types", MYPY.name
    settings_model, exclusive = TypesSettings, False

    def run(self, ctx: CheckContext[TypesSettings, GateSettings]) -> CheckResult:
        mypy = MYPY.using(ctx.settings.command)
        section = mypy_config.find_section(ctx.root)
        files = targets(ctx, section)
        if files == []:
            return sources.nothing_to_check(self, ctx.project)
        junit = result_file(ctx.root)
        with tempfile.TemporaryDirectory(prefix="atlas-ci-mypy-") as tmp:
            # From the root with no --config-file: mypy finds and applies the project's config.
            named = file_arguments(files or [], Path(tmp))
            args = [*mypy_args(ctx.project, section), "--junit-xml", str(junit), *named]
            # A listing in a fresh temporary file is never the argv a head start launched.
            listed = any(a.startswith("@") for a in named)
            try:
                res = run_tool(
                    mypy,
                    args,
                    cwd=ctx.root,
                    timeout=ctx.settings.timeout,
                    ok_codes=(0, 1, 2),
                    early=None if listed else f"{self.gate}.{self.name}",
                    outputs=(junit,),
                )
                findings = judge_exit(res, self, ctx, mypy)
                ensure_ran(junit, findings, mypy)
            finally:
                junit.unlink(missing_ok=True)
        # mypy follows imports into excluded files and reports what it finds there: dropped.
        findings = [f for f in findings if f.location is None or not _excluded(f, ctx)]
        return judged(self, findings, version=mypy.version(ctx.root), reason_ok="no type errors")

    def version(self, project: ProjectInfo) -> str | None:
        return MYPY.version(project.root)


def result_file(root: Path) -> Path:
    """Where mypy writes its JUnit report: the same path for the same project all through this
    process (so the argv a head start launched is the one the check builds), in this process's
    own private directory (head_start.scratch)."""
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return head_start.scratch() / f"mypy-junit-{name}.xml"


def mypy_args(project: ProjectInfo, section: dict[str, Any] | None) -> list[str]:
    args = ["--output", "json", "--no-error-summary"]
    # Type-check against the project's installed packages, unless its config names an interpreter.
    if not mypy_config.defines(section, "python_executable"):
        args += ["--python-executable", project.python]
    return args


def targets(ctx: CheckContext, section: dict[str, Any] | None) -> list[str] | None:
    """The files to name on mypy's command line; None when the project's config names its own
    targets (`files`, `packages`, `modules`), which paths on the command line would override."""
    if any(mypy_config.defines(section, key) for key in TARGET_KEYS):
        return None
    return mypy_files.select(ctx.project, section, ctx.settings.timeout)


def file_arguments(files: Sequence[str], tmp: Path) -> list[str]:
    """The files themselves, or past the argv budget one `@file` listing them (mypy reads its
    arguments from a file so prefixed): one run keeps mypy's whole-program analysis."""
    if sum(len(os.fsencode(name)) + 1 for name in files) <= toolkit.ARGV_BUDGET:
        return list(files)
    listing = tmp / "files.txt"
    listing.write_text("".join(f"{name}\n" for name in files), encoding="utf-8")
    return [f"@{listing}"]


def _excluded(finding: Finding, ctx: CheckContext) -> bool:
    path = finding.location.path if finding.location else ""
    return fileset.excluded(path, ctx.project.exclude) if ctx.project.exclude else False


def judge_exit(res: ProcessResult, check: Types, ctx: CheckContext, mypy: Tool) -> list[Finding]:
    """mypy exits 0 (clean), 1 (type errors) or 2 (crash, bad config, blocking error)."""
    if res.returncode == 2:
        detail = _blocking_detail(res.stdout) or error_line(res)
        raise CheckError(f"mypy could not check the project: {detail}")
    findings = parse(res.stdout, check, ctx)
    if res.returncode == 1 and not findings:
        raise CheckError(f"{bad_exit(mypy, res)} (exit 1 without any error reported)")
    return findings


def ensure_ran(junit: Path, findings: list[Finding], mypy: Tool) -> None:
    """Fail closed: without mypy's result file nothing shows it checked anything."""
    try:
        root = ET.parse(junit).getroot()  # noqa: S314 # nosec B314 - mypy's own file
    except (OSError, ET.ParseError) as exc:
        raise CheckError(
            f"{mypy.name} wrote no readable result file, so nothing shows it checked the project"
        ) from exc
    if root.tag != "testsuite" or root.get("name") != "mypy":
        raise CheckError(f"{mypy.name} wrote a result file that is not mypy's")
    failed = root.get("failures", "0") != "0"
    if failed != bool(findings):
        raise CheckError(
            f"{mypy.name}'s result file and its JSON output disagree on whether it found errors"
        )


def load_lines(stdout: str) -> list[Message]:
    """One JSON object per line is mypy's `--output json` format; anything else is not mypy's."""
    return load_json_lines(stdout, MESSAGE, tool="mypy")


def parse(stdout: str, check: Types, ctx: CheckContext) -> list[Finding]:
    # mypy folds a note into its error's "hint"; a note standing alone (error context,
    # reveal_type) is not a problem to report.
    return [_finding(i, check, ctx) for i in load_lines(stdout) if i["severity"] == "error"]


def _finding(item: Message, check: Types, ctx: CheckContext) -> Finding:
    code = item["code"] or "misc"
    message = item["message"]
    if item["hint"]:
        message += " (" + "; ".join(item["hint"].splitlines()) + ")"
    line = _positive(item["line"])
    known = line is not None
    # mypy's columns are 0-based with an exclusive end; findings use 1-based columns.
    return make_finding(
        check,
        ctx.root,
        rule_id=code,
        message=message,
        path=relpath(item["file"], ctx.root),
        line=line,
        end_line=_positive(item.get("end_line")) if known else None,
        start_column=_positive(item["column"], 1) if known else None,
        end_column=_positive(item.get("end_column"), 1) if known else None,
        severity=Severity.HIGH if code == "syntax" else Severity.MEDIUM,
        help_uri=f"{MYPY_DOCS}#code-{code}",
        help_text=f"mypy error code {code}",
    )


def _positive(value: int | None, shift: int = 0) -> int | None:
    """mypy writes -1 when it has no line or column."""
    if value is None:
        return None
    return value + shift if value + shift >= 1 else None


def _blocking_detail(stdout: str) -> str:
    """Blocking errors (syntax errors) still come as JSON lines: name them when they do."""
    try:
        items = load_lines(stdout)
    except CheckError:
        return ""
    problems = [
        f"{i['file']}:{i['line']}: {i['message']}" for i in items if i["severity"] == "error"
    ]
    return "; ".join(problems[:5])
