"""GitHub Actions workflow-command annotations (`::error file=…,line=…::message`) for findings."""

# No `from __future__ import annotations`: it would clash with the function named `annotations`.
from collections.abc import Mapping
from pathlib import Path

from atlas_ci.model import CheckResult, Finding, Location, Report, Status
from atlas_ci.reporters.paths import repo_relative
from atlas_ci.text import headline

# GitHub keeps at most 10 annotations of each type (error, warning, notice) per step and 50 per
# job; past that it drops them silently, so atlas-ci chooses which ones are shown.
MAX_PER_LEVEL = 10
MAX_PER_JOB = 50
# A step summary over 1 MiB is rejected whole; the cut leaves room for the closing link.
MAX_SUMMARY_BYTES = 1024 * 1024
_SUMMARY_MARGIN = 4096


def annotations(report: Report, root: Path | None = None) -> str:
    """One workflow command per line.

    Errored checks and blocking findings are `::error`, advisory (non-blocking) findings
    `::warning`. Each level shows its most useful ones, spread across files and rules (see
    `spread`), then one `::notice` counts what is left for the SARIF report and the summary.
    """
    findings = [f for c in report.checks for f in c.findings]
    errored = [_errored(c) for c in report.checks if c.status is Status.ERROR]
    lines = _shown(errored, findings, root)
    left = len(errored) + len(findings) - len(lines)
    if left:
        lines.append(
            _command(
                "notice",
                {"title": "atlas-ci"},
                f"{left} more annotation(s) not shown; see the SARIF report and the job summary",
            )
        )
    return "".join(line + "\n" for line in lines)


def _shown(errored: list[str], findings: list[Finding], root: Path | None) -> list[str]:
    """Errors first (checks that could not run lead), then warnings, within both limits."""
    blocking = [f for f in findings if f.blocking]
    advisory = [f for f in findings if not f.blocking]
    errors = errored[:MAX_PER_LEVEL]
    errors += [_finding(f, root) for f in spread(blocking, MAX_PER_LEVEL - len(errors))]
    room = MAX_PER_JOB - 1 - len(errors)  # one notice may follow
    warnings = [_finding(f, root) for f in spread(advisory, min(MAX_PER_LEVEL, room))]
    return errors + warnings


def spread(findings: list[Finding], limit: int) -> list[Finding]:
    """At most `limit` findings: a file not shown yet first, then the most severe, then a rule not
    shown yet, then report order, so 300 findings of one rule in one file cannot hide the rest."""
    chosen: list[Finding] = []
    per_file: dict[str, int] = {}
    per_rule: dict[str, int] = {}
    left = list(enumerate(findings))
    while left and len(chosen) < limit:
        best = min(
            range(len(left)),
            key=lambda i: (
                per_file.get(_file(left[i][1]), 0),
                -left[i][1].severity.rank,
                per_rule.get(left[i][1].rule_id, 0),
                left[i][0],
            ),
        )
        _, f = left.pop(best)
        per_file[_file(f)] = per_file.get(_file(f), 0) + 1
        per_rule[f.rule_id] = per_rule.get(f.rule_id, 0) + 1
        chosen.append(f)
    return chosen


def _file(f: Finding) -> str:
    return f.location.path if f.location else ""


def step_summary(markdown: str, artifact_url: str | None) -> str:
    """The summary as the step summary takes it: under 1 MiB, else cut at a line with a link to
    the reports artifact, where the whole summary.md is."""
    data = markdown.encode()
    if len(data) <= MAX_SUMMARY_BYTES:
        return markdown
    cut = data[: MAX_SUMMARY_BYTES - _SUMMARY_MARGIN].decode(errors="ignore").rsplit("\n", 1)[0]
    where = (
        f"[the reports artifact of this run]({artifact_url})"
        if artifact_url
        else ("the reports artifact of this run")
    )
    return (
        f"{cut}\n\n**Summary truncated** to stay within GitHub's 1 MiB step summary limit: "
        f"the full summary.md is in {where}.\n"
    )


def run_url(env: Mapping[str, str]) -> str | None:
    """The workflow run's page (its artifacts are listed there), from the runner's variables."""
    parts = [env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")]
    if not all(parts):
        return None
    server, repository, run_id = parts
    return f"{server}/{repository}/actions/runs/{run_id}#artifacts"


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
