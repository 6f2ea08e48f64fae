"""The human summary (summary.md, also the job's step summary): checks, findings, metrics."""

from __future__ import annotations

import math
import re

from atlas_ci.model import CheckResult, Finding, Metric, Report, Status
from atlas_ci.text import duration, headline

MAX_FINDINGS = 20
MAX_REASON = 120
MAX_MESSAGE = 300
# GitHub rejects a step summary over 1 MiB; stop well before it.
MAX_BYTES = 900_000
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def render(report: Report) -> str:
    """The whole summary as Markdown text."""
    parts = [_header(report), _check_table(report.checks)]
    parts += [_findings(c) for c in report.checks if c.status is Status.FAILED and c.findings]
    with_metrics = [c for c in report.checks if c.metrics]
    if with_metrics:
        parts.append("## Metrics\n")
        parts += [_metrics(c) for c in with_metrics]
    return _capped("\n".join(parts))


def _header(report: Report) -> str:
    facts = [f"{report.tool} {report.tool_version}"]
    if report.commit:
        facts.append(f"commit `{report.commit[:12]}`")
    facts += [f"started {report.started_at}", f"took {duration(report.duration)}"]
    lines = [f"# atlas-ci: {report.status.value.upper()}", "", ", ".join(facts) + "."]
    if report.interrupted:
        lines.append("\n**Interrupted**: results are partial; unfinished checks count as errors.")
    return "\n".join(lines) + "\n"


def _check_table(checks: tuple[CheckResult, ...]) -> str:
    if not checks:
        return "No checks were selected.\n"
    rows = ["| Check | Status | Findings | Duration | Reason |", "|---|---|---:|---:|---|"]
    for c in checks:
        rows.append(
            _row(
                c.check,
                c.status.value,
                _count(c),
                "cached" if c.cached else duration(c.duration),
                headline(c.reason, limit=MAX_REASON),
            )
        )
    return "\n".join(rows) + "\n"


def _count(c: CheckResult) -> str:
    advisory = sum(1 for f in c.findings if not f.blocking)
    return f"{len(c.findings)} ({advisory} advisory)" if advisory else str(len(c.findings))


def _findings(c: CheckResult) -> str:
    # Blocking findings first, most severe first: they are why the check failed.
    ordered = sorted(c.findings, key=lambda f: (not f.blocking, -f.severity.rank))
    lines = [f"## {_inline(c.check)}: {c.status.value}", ""]
    lines += [f"- {_finding_line(f)}" for f in ordered[:MAX_FINDINGS]]
    if len(ordered) > MAX_FINDINGS:
        lines.append(f"- and {len(ordered) - MAX_FINDINGS} more")
    return "\n".join(lines) + "\n"


def _finding_line(f: Finding) -> str:
    where = "(no location)"
    if f.location:
        where = f.location.path + (f":{f.location.start_line}" if f.location.start_line else "")
    advisory = "" if f.blocking else " (advisory)"
    return (
        f"{_code(where)} {_code(f.rule_id)} {f.severity.value}{advisory}: "
        f"{_inline(_trim(f.message, MAX_MESSAGE))}"
    )


def _metrics(c: CheckResult) -> str:
    rows = [
        f"### {_inline(c.check)}",
        "",
        "| Metric | Value | Unit | Threshold |",
        "|---|---:|---|---|",
    ]
    rows += [_row(m.name, _number(m.value), m.unit, _threshold(m)) for m in c.metrics]
    # Charts sit next to summary.md in the report directory: a relative link opens them.
    charts = [a for a in c.artifacts if a.endswith((".svg", ".png"))]
    rows += (
        ["", *(f"Chart: [{_inline(a)}]({a.replace(' ', '%20')})" for a in charts)] if charts else []
    )
    return "\n".join(rows) + "\n"


def _threshold(m: Metric) -> str:
    if m.threshold is None:
        return ""
    # Words, not `<=`/`>=`: cells escape HTML, and "&lt;=" would be unreadable in summary.md.
    bound = f"{m.direction} " if m.direction else ""
    return f"{bound}{_number(m.threshold)}"


def _row(*cells: str) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _cell(text: str) -> str:
    """A table cell: `|` escaped, line breaks flattened so the row stays one row."""
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    # Flatten line breaks (a message must not open a heading or a new list item) and defuse what
    # could open an HTML tag or comment (GitHub renders HTML in summaries; `<!--` would hide the
    # rest). A plain `<` as in "coverage 81% < 90%" stays readable.
    return _TAG_START.sub("&lt;", " ".join(text.split()))


def _code(text: str) -> str:
    """Inline code that survives backticks inside it (a longer fence, padded with spaces)."""
    flat = " ".join(text.split())
    fence = "`" * (_longest_backtick_run(flat) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _number(v: float) -> str:
    if not math.isfinite(v):
        return str(v)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:g}" if abs(v) >= 0.01 else f"{v:.3g}"


def _capped(text: str) -> str:
    data = text.encode()
    if len(data) <= MAX_BYTES:
        return text
    cut = data[:MAX_BYTES].decode(errors="ignore").rsplit("\n", 1)[0]
    return cut + "\n\n_Summary truncated to stay within GitHub's step summary size limit._\n"
