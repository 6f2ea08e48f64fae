"""The history, HTML report and retention commands' steps (the CLI only parses and prints)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from atlas_ci import history, history_import, prune, trends, trends_render
from atlas_ci.config import LoadedConfig
from atlas_ci.errors import ConfigError
from atlas_ci.model import Report

RENDER = {
    "text": trends_render.text,
    "json": trends_render.json_text,
    "markdown": trends_render.markdown,
}


def _history(cfg: LoadedConfig, root: Path) -> history.Loaded:
    return history.load(root / cfg.history.path)


def show(
    cfg: LoadedConfig,
    root: Path,
    *,
    last: int | None,
    days: float | None,
    fmt: str,
    now: datetime | None = None,
) -> str:
    if fmt not in RENDER:
        raise ConfigError(f"--format must be text, json or markdown, not {fmt!r}")
    loaded = _history(cfg, root)
    chosen = trends.select(loaded.records, last=last, days=days, now=now or datetime.now(UTC))
    return RENDER[fmt](trends.summarize(chosen, loaded.warnings))


def import_runs(cfg: LoadedConfig, root: Path, source: Path) -> int:
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=str(source)) from None
    runs = history_import.parse(text, str(source))
    new = history_import.new_records(runs, _history(cfg, root).records)
    history.append(root / cfg.history.path, new)
    return len(new)


def latest_report(report_dir: Path) -> Report:
    path = report_dir / "atlas-ci.json"
    try:
        return Report.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise ConfigError("no report yet: run `atlas-ci gate ...` first", file=str(path)) from None
    except ValidationError as exc:
        raise ConfigError(
            f"not an atlas-ci report: {exc.errors()[0]['msg']}", file=str(path)
        ) from None


def html(cfg: LoadedConfig, root: Path, report_dir: Path, scrub: Callable[[str], str]) -> Path:
    from atlas_ci import html_context, reportdir
    from atlas_ci.reporters import html as html_reporter

    report = latest_report(report_dir)
    context = html_context.gather(report, root, scrub)
    page = html_reporter.render(report, _history(cfg, root).records, context)
    (target,) = reportdir.write_files(reportdir.validate(report_dir), {"report.html": page})
    return target


@dataclass(frozen=True)
class PruneOutcome:
    plan: prune.Plan
    applied: bool


def prune_reports(
    cfg: LoadedConfig, root: Path, report_dir: Path, *, dry_run: bool, now: datetime | None = None
) -> PruneOutcome:
    moment = now or datetime.now(UTC)
    hist_path = root / cfg.history.path
    planned = prune.plan(report_dir, cfg.retention, cfg.history, hist_path, moment)
    if not dry_run:
        prune.apply(planned, report_dir, cfg.history, hist_path, moment)
    return PruneOutcome(planned, not dry_run)
