"""The commands about written reports and run history: report merge|html, history, reports prune."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from atlas_ci.cli_common import ConfigOpt, ReportDirOpt, _load, _root, errors_to_exit

report_app = typer.Typer(
    help="Work with written reports.", no_args_is_help=True, rich_markup_mode=None
)
history_app = typer.Typer(
    help="Run history: success rates, flaky checks, durations and metric trends.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
reports_app = typer.Typer(
    help="Manage the report directory.", no_args_is_help=True, rich_markup_mode=None
)


@report_app.command("merge")
def report_merge(
    dirs: Annotated[list[Path], typer.Argument(help="Directories holding per-job atlas-ci.json.")],
    report_dir: Annotated[
        Path, typer.Option("--report-dir", help="Where the merged reports go.")
    ] = Path("reports"),
) -> None:
    """Merge per-job reports (matrix cells) into one report, one SARIF, one summary."""
    from atlas_ci import merge, reporting

    with errors_to_exit():
        merged, written = merge.run(dirs, report_dir, _root(Path.cwd()))
    for path in written:
        typer.echo(f"wrote {path}")
    raise typer.Exit(reporting.exit_code(merged))


# ReportDirOpt (above) is shared with the commands that run checks.


def _report_dir(root: Path, cfg_dir: str, given: Path | None) -> Path:
    """--report-dir is relative to the working directory, [reports] dir to the project root."""
    return Path.cwd() / given if given else root / cfg_dir


@history_app.callback()
def history_show(
    ctx: typer.Context,
    last: Annotated[int | None, typer.Option("--last", min=1, help="Only the last N runs.")] = None,
    days: Annotated[
        float | None, typer.Option("--days", min=0, help="Only runs of the last D days.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text, json or markdown.")] = "text",
    config: ConfigOpt = None,
) -> None:
    """Per gate and check over the last runs: success rate, flakiness, durations, metric trends."""
    from atlas_ci import ops_commands

    if ctx.invoked_subcommand is not None:
        return
    with errors_to_exit():
        cfg, root = _load(config)
        text = ops_commands.show(cfg, root, last=last, days=days, fmt=fmt)
    typer.echo(text, nl=False)


@history_app.command("import")
def history_import(
    source: Annotated[Path, typer.Argument(help="A file of `gh run list --json ...` output.")],
    config: ConfigOpt = None,
) -> None:
    """Add workflow-level runs (success and duration) from `gh run list --json` output."""
    from atlas_ci import ops_commands

    with errors_to_exit():
        cfg, root = _load(config)
        added = ops_commands.import_runs(cfg, root, Path.cwd() / source)
    typer.echo(f"imported {added} workflow run(s)")


@report_app.command("html")
def report_html(config: ConfigOpt = None, report_dir: ReportDirOpt = None) -> None:
    """One self-contained HTML page from the latest report and the history."""
    from atlas_ci import ops_commands, redact

    with errors_to_exit():
        cfg, root = _load(config)
        target = ops_commands.html(
            cfg, root, _report_dir(root, cfg.reports.dir, report_dir), redact.text
        )
    typer.echo(f"wrote {target}")


@reports_app.command("prune")
def reports_prune(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List, delete nothing.")] = False,
    config: ConfigOpt = None,
    report_dir: ReportDirOpt = None,
) -> None:
    """Delete report artifacts older than their kind's retention, and old history lines."""
    from atlas_ci import ops_commands

    with errors_to_exit():
        cfg, root = _load(config)
        out = ops_commands.prune_reports(
            cfg, root, _report_dir(root, cfg.reports.dir, report_dir), dry_run=dry_run
        )
    verb = "would remove" if dry_run else "removed"
    for rel in out.plan.remove:
        typer.echo(f"{verb} {rel}")
    typer.echo(
        f"{verb} {len(out.plan.remove)} file(s), kept {out.plan.keep}; "
        f"history: {verb} {out.plan.history_dropped} line(s)"
    )
