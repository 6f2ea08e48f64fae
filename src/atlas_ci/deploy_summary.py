"""deploy-check's summary.md: a go/no-go table with links to the evidence, then the usual detail.

Pure: render() takes the report and the evidence's paths (relative to the report directory,
where summary.md lives) and returns Markdown; the caller writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from atlas_ci.model import Report, Status
from atlas_ci.reporters import markdown
from atlas_ci.text import headline

DECISION = {Status.PASSED: "GO", Status.SKIPPED: "not checked"}


def decision(report: Report, exit_code: int) -> str:
    return "GO" if exit_code == 0 else "NO-GO"


def render(
    report: Report,
    exit_code: int,
    links: Mapping[str, Sequence[tuple[str, str]]],
    *,
    bundle: str | None = None,
    bundle_note: str | None = None,
) -> str:
    verdict = decision(report, exit_code)
    lines = [f"# Deploy readiness: {verdict}", ""]
    commit = f" for commit `{report.commit[:12]}`" if report.commit else ""
    lines.append(f"atlas-ci deploy-check{commit}: exit {exit_code}.")
    lines.append("")
    lines += ["| Check | Decision | Evidence | Reason |", "|---|---|---|---|"]
    for c in report.checks:
        cell = DECISION.get(c.status, "NO-GO")
        evidence = ", ".join(f"[{_md(label)}]({href})" for label, href in links.get(c.check, ()))
        lines.append(
            f"| `{c.check}` | **{cell}** ({c.status.value}) | {evidence or '-'} | "
            f"{_md(headline(c.reason, limit=160))} |"
        )
    lines.append("")
    if bundle is not None:
        lines.append(
            f"Bundle: [{_md(bundle)}]({bundle}) (verify with `sha256sum -c SHA256SUMS`, "
            "then follow its DEPLOY.md)."
        )
    elif bundle_note is not None:
        lines.append(f"Bundle not written: {_md(bundle_note)}.")
    lines += ["", "---", ""]
    return "\n".join(lines) + "\n" + markdown.render(report)


def _md(text: str) -> str:
    """Table-safe text: no pipe splits a cell, no bracket opens a link."""
    return text.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]").replace("\n", " ")
