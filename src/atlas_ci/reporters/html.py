"""One self-contained HTML page: checks, findings by file with code context, trend charts.

Pure: everything it shows is passed in (the report, the history records and the code context read
beforehand by `html_context`), and every byte is escaped here. No network: inline CSS and SVG, and
one small inline script that only marks the page as rendered. Each chart is an `<svg
class="chart" data-series=NAME>` holding one `<circle class="point">` per data point, so a browser
test can count them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from atlas_ci.history import RunRecord
from atlas_ci.model import Finding, Report, Status

Context = Mapping[str, Mapping[int, str]]  # path -> line number -> text (already redacted)
MAX_FILES = 200
MAX_PER_FILE = 50
WIDTH, HEIGHT, PAD = 560, 160, 24

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1f2328;max-width:1100px}
h1{font-size:1.6em}h2{margin-top:1.6em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #d0d7de;padding:4px 8px;
text-align:left;vertical-align:top}
.passed{color:#1a7f37}.failed{color:#cf222e}.error{color:#9a6700}.skipped{color:#59636e}
pre{background:#f6f8fa;padding:6px;overflow-x:auto;margin:4px 0}.hit{background:#fff8c5}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{border:1px solid #d0d7de;background:#fff}
.chart polyline{fill:none;stroke:#0969da;stroke-width:2}.chart circle{fill:#0969da}
.chart text{font-size:11px;fill:#59636e}
"""
SCRIPT = (
    "document.documentElement.dataset.rendered = String(document.querySelectorAll("
    "'svg.chart circle.point').length);"
)


def _success_rate(r: RunRecord) -> float | None:
    judged = [c for c in r.checks if c.status is not Status.SKIPPED]
    if not judged:
        return None
    return 100.0 * sum(1 for c in judged if c.status is Status.PASSED) / len(judged)


def _charted(gate: str, unit: str) -> bool:
    """Coverage-like percentages of the tests gate and every perf figure get a chart."""
    return gate == "perf" or (gate == "tests" and unit == "%")


def _metric_points(r: RunRecord, out: dict[str, list[tuple[str, float]]]) -> None:
    for c in r.checks:
        for m in c.metrics:
            if _charted(c.gate, m.unit):
                out.setdefault(f"{c.check} {m.name}", []).append((r.time, m.value))


def chart_series(records: Sequence[RunRecord]) -> dict[str, list[tuple[str, float]]]:
    """Per gate run: success rate of its judged checks, duration, coverage and perf figures."""
    out: dict[str, list[tuple[str, float]]] = {"success rate (%)": [], "duration (s)": []}
    for r in records:
        if r.kind != "gate":
            continue
        rate = _success_rate(r)
        if rate is not None:
            out["success rate (%)"].append((r.time, rate))
        out["duration (s)"].append((r.time, r.duration))
        _metric_points(r, out)
    return {k: v for k, v in out.items() if v}


def _chart(name: str, points: Sequence[tuple[str, float]]) -> str:
    values = [v for _, v in points]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)
    coords = [
        (PAD + i * step, HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD))
        for i, v in enumerate(values)
    ]
    poly = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3">'
        f"<title>{escape(label)}: {v:g}</title></circle>"
        for (x, y), (label, v) in zip(coords, points, strict=True)
    )
    return (
        f'<svg class="chart" data-series="{escape(name)}" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(name)}">'
        f'<text x="{PAD}" y="14">{escape(name)}: {low:g} .. {high:g}</text>'
        f'<polyline points="{poly}"/>{dots}</svg>'
    )


def _checks_table(report: Report) -> str:
    rows = "".join(
        f'<tr><td>{escape(c.check)}</td><td class="{c.status.value}">{c.status.value}</td>'
        f"<td>{c.duration:.1f}s</td><td>{len(c.findings)}</td><td>{escape(c.reason)}</td></tr>"
        for c in report.checks
    )
    head = "<tr><th>check</th><th>status</th><th>time</th><th>findings</th><th>reason</th></tr>"
    return f"<table>{head}{rows}</table>"


def _by_file(report: Report) -> dict[str, list[Finding]]:
    files: dict[str, list[Finding]] = {}
    for c in report.checks:
        for f in c.findings:
            files.setdefault(f.location.path if f.location else "(no file)", []).append(f)
    return files


def _snippet(f: Finding, lines: Mapping[int, str]) -> str:
    start = f.location.start_line if f.location else None
    if start is None or not lines:
        return ""
    shown = [n for n in sorted(lines) if abs(n - start) <= 2]
    body = "".join(
        f'<span class="{"hit" if n == start else ""}">{n:>5} {escape(lines[n])}</span>\n'
        for n in shown
    )
    return f"<pre>{body}</pre>" if body else ""


def _findings(report: Report, context: Context) -> str:
    files = _by_file(report)
    parts = []
    for path in sorted(files)[:MAX_FILES]:
        items = files[path][:MAX_PER_FILE]
        inner = "".join(
            f"<li><b>{escape(f.rule_id)}</b> ({f.severity.value}) line "
            f"{f.location.start_line if f.location and f.location.start_line else '-'}: "
            f"{escape(f.message)}{_snippet(f, context.get(path, {}))}</li>"
            for f in items
        )
        more = len(files[path]) - len(items)
        extra = f"<li>{more} more in the JSON report</li>" if more > 0 else ""
        parts.append(f"<h3>{escape(path)}</h3><ul>{inner}{extra}</ul>")
    return "".join(parts) or "<p>No findings.</p>"


def render(report: Report, records: Sequence[RunRecord], context: Context) -> str:
    charts = "".join(_chart(n, p) for n, p in chart_series(records).items())
    status = report.status.value
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>atlas-ci: {status}</title><style>{CSS}</style></head><body>"
        f'<h1>atlas-ci: <span class="{status}">{status.upper()}</span></h1>'
        f"<p>{escape(report.tool)} {escape(report.tool_version)}, commit "
        f"<code>{escape((report.commit or 'unknown')[:12])}</code>, started "
        f"{escape(report.started_at)}, took {report.duration:.1f}s.</p>"
        f"<h2>Checks</h2>{_checks_table(report)}"
        f'<h2>Trends</h2><div class="charts">{charts or "<p>No history yet.</p>"}</div>'
        f"<h2>Findings</h2>{_findings(report, context)}"
        f"<script>{SCRIPT}</script></body></html>\n"
    )
