"""GitHub Actions workflow-command annotations (`::error file=…,line=…::message`) for findings."""

# No `from __future__ import annotations`: it would clash with the function named `annotations`.
from pathlib import Path

from atlas_ci.model import CheckResult, Finding, Location, Report, Status
from atlas_ci.reporters.paths import repo_relative
from atlas_ci.text import headline

# GitHub shows at most 10 error and 10 warning annotations per step; more only clutter the log.
MAX_PER_LEVEL = 10


def annotations(report: Report, root: Path | None = None) -> str:
    """One workflow command per line.

    Errored checks and blocking findings are `::error`, advisory (non-blocking) findings
    `::warning`, then one `::notice` counts what was left out.
    """
    errors = [_errored(c) for c in report.checks if c.status is Status.ERROR]
    warnings: list[str] = []
    findings = sorted(
        (f for c in report.checks for f in c.findings),
        key=lambda f: (not f.blocking, -f.severity.rank),
    )
    for f in findings:
        (errors if f.blocking else warnings).append(_finding(f, root))
    lines = errors[:MAX_PER_LEVEL] + warnings[:MAX_PER_LEVEL]
    left = max(0, len(errors) - MAX_PER_LEVEL) + max(0, len(warnings) - MAX_PER_LEVEL)
    if left:
        lines.append(
            _command(
                "notice",
                {"title": "atlas-ci"},
                f"{left} more annotation(s) not shown; see the SARIF report and the job summary",
            )
        )
    return "".join(line + "\n" for line in lines)


def _errored(c: CheckResult) -> str:
    reason = headline(c.reason, limit=300) or "no reason given"
    return _command("error", {"title": f"atlas-ci {c.check} errored"}, reason)


def _finding(f: Finding, root: Path | None) -> str:
    props = _location_props(f.location, root)
    props["title"] = f"{f.check} {f.rule_id} ({f.severity.value})"
    return _command("error" if f.blocking else "warning", props, f.message or f.rule_id)


def _location_props(loc: Location | None, root: Path | None) -> dict[str, str]:
    """`file` and, when the line is known, the line/column properties of an annotation."""
    # An absolute path or one outside the repository cannot be annotated; keep the message only.
    rel = repo_relative(loc.path, root) if loc else None
    if not loc or not rel:
        return {}
    props = {"file": rel}
    if loc.start_line:
        props.update(_line_props(loc, loc.start_line))
    return props


def _line_props(loc: Location, start_line: int) -> dict[str, str]:
    props = {"line": str(start_line)}
    if loc.end_line and loc.end_line >= start_line:
        props["endLine"] = str(loc.end_line)
    if loc.start_column:
        props["col"] = str(loc.start_column)
        if loc.end_column:
            props["endColumn"] = str(loc.end_column)
    return props


def _command(name: str, props: dict[str, str], message: str) -> str:
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
    return (
        f"::{name} {joined}::{escape_data(message)}"
        if joined
        else f"::{name}::{escape_data(message)}"
    )


def escape_data(text: str) -> str:
    """The message part, escaped like @actions/core's escapeData (`%` first, then CR and LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value, escaped like @actions/core's escapeProperty (also `:` and `,`)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
