"""`atlas-ci history` output: plain text, Markdown or JSON (pure functions of a Summary)."""

from __future__ import annotations

from atlas_ci.trends import Series, Summary


def _pct(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.0f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def _flag(s: Series) -> str:
    return " (worse)" if s.worsened else ""


def _check_rows(summary: Summary) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for c in summary.checks:
        rows.append(
            (
                c.check,
                str(c.runs),
                _pct(c.success_rate),
                "yes" if c.flaky else "",
                f"{_num(c.duration.p50)}/{_num(c.duration.p95)}s",
                c.duration.sparkline + _flag(c.duration),
            )
        )
    return rows


def _metric_rows(summary: Summary) -> list[tuple[str, ...]]:
    return [
        (
            f"{c.check} {m.name}",
            _num(m.series.latest) + m.unit,
            m.series.sparkline + _flag(m.series),
        )
        for c in summary.checks
        for m in c.metrics
    ]


CHECK_HEAD = ("check", "runs", "success", "flaky", "p50/p95", "duration trend")
METRIC_HEAD = ("metric", "latest", "trend")


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    ]


def _overview(summary: Summary) -> str:
    span = f"{summary.since} .. {summary.until}" if summary.since else "no runs"
    return f"{summary.runs} run(s), {span}; success rate {_pct(summary.success_rate)}"


def text(summary: Summary) -> str:
    lines = [_overview(summary), ""]
    lines += _table(CHECK_HEAD, _check_rows(summary))
    metrics = _metric_rows(summary)
    if metrics:
        lines += ["", *_table(METRIC_HEAD, metrics)]
    for w in summary.workflows:
        lines.append(
            f"workflow {w.name}: {w.runs} run(s), success {_pct(w.success_rate)}, "
            f"p50 {_num(w.duration.p50)}s {w.duration.sparkline}"
        )
    lines += [f"warning: {w}" for w in summary.warnings]
    return "\n".join(lines) + "\n"


def _md_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|")

    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return out


def markdown(summary: Summary) -> str:
    lines = ["# atlas-ci history", "", _overview(summary), ""]
    lines += _md_table(CHECK_HEAD, _check_rows(summary))
    metrics = _metric_rows(summary)
    if metrics:
        lines += ["", *_md_table(METRIC_HEAD, metrics)]
    if summary.workflows:
        rows: list[tuple[str, ...]] = [
            (w.name, str(w.runs), _pct(w.success_rate), w.duration.sparkline)
            for w in summary.workflows
        ]
        lines += ["", *_md_table(("workflow", "runs", "success", "duration trend"), rows)]
    lines += [f"\n> warning: {w}" for w in summary.warnings]
    return "\n".join(lines) + "\n"


def json_text(summary: Summary) -> str:
    return summary.model_dump_json(indent=2) + "\n"
