"""Typer app: each command is a short pipeline (config -> run -> reports -> exit code)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

if TYPE_CHECKING:
    from atlas_ci.pipeline import GateRequest

import typer

from atlas_ci import __version__, cli_changed, cli_execute
from atlas_ci.cli_changed import ChangedCommand
from atlas_ci.cli_common import (
    ConfigOpt,
    OnlyOpt,
    QuietOpt,
    ReportDirOpt,
    SkipOpt,
    _root,
    errors_to_exit,
)
from atlas_ci.cli_inspect import config_app, inspect_app
from atlas_ci.cli_reports import history_app, report_app, reports_app

app = typer.Typer(
    help="One quality gate for Python repositories: security, tests, quality, perf, reliability, "
    "deploy-readiness.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help text names config tables (`[tool.atlas-ci]`): never read as Rich markup.
    rich_markup_mode=None,
)
baseline_app = typer.Typer(
    help="Record stored baselines.", no_args_is_help=True, rich_markup_mode=None
)
app.registered_commands += inspect_app.registered_commands
app.add_typer(config_app, name="config")
app.add_typer(baseline_app, name="baseline")
app.add_typer(history_app, name="history")
app.add_typer(report_app, name="report")
app.add_typer(reports_app, name="reports")

GATES = ("security", "tests", "quality", "perf", "reliability", "deploy", "all")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"atlas-ci {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """atlas-ci: run gates, write JSON, SARIF and Markdown reports."""


@app.command(cls=ChangedCommand)
def gate(  # noqa: PLR0917 - Typer maps each parameter to an option
    target: Annotated[str, typer.Argument(help=f"One of: {', '.join(GATES)}.")],
    config: ConfigOpt = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    report_dir: ReportDirOpt = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            help="Checks run at once (default: all of a gate's checks, at least one per CPU).",
        ),
    ] = None,
    base: Annotated[
        str | None,
        typer.Option(
            "--base", help="Git ref to compare with (perf regressions, coverage of new code)."
        ),
    ] = None,
    quiet: QuietOpt = False,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Run every check afresh; store nothing.")
    ] = False,
    changed: Annotated[
        str | None,
        typer.Option(
            "--changed",
            metavar="[REF]",
            help="Limit file-based checks to the files changed against the merge-base with REF "
            "(default: origin/main, main, master, else HEAD~1). Put it after the gate name.",
        ),
    ] = None,
    changed_lines: Annotated[
        bool,
        typer.Option(
            "--changed-lines",
            help="With --changed: whole-program checks (types, tests) report changed lines only.",
        ),
    ] = False,
) -> None:
    """Run a gate (or `all`) and write the reports."""
    from atlas_ci import replay

    scope = cli_changed.request(changed, changed_lines)
    request = cli_execute.request(
        target,
        config,
        only,
        skip,
        report_dir,
        jobs=jobs,
        base=base,
        go_no_go=False,
        use_cache=not no_cache,
        changes=scope,
        replay_args=replay.this_command(),
    )
    raise typer.Exit(_run(request, quiet))


@app.command()
def precommit(  # noqa: PLR0917 - Typer maps each parameter to an option
    target: Annotated[str, typer.Argument(help="The gate to run (quality, security...).")],
    files: Annotated[
        list[str] | None, typer.Argument(help="The files to check (pre-commit passes them).")
    ] = None,
    config: ConfigOpt = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    report_dir: ReportDirOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """pre-commit's entry point: a gate whose file-based checks see only FILES."""
    from atlas_ci.changes import ChangeRequest

    scope = ChangeRequest(files=tuple(files or ()))
    request = cli_execute.request(
        target, config, only, skip, report_dir, go_no_go=False, changes=scope
    )
    raise typer.Exit(_run(request, quiet))


@app.command("deploy-check")
def deploy_check(  # noqa: PLR0917 - Typer maps each parameter to an option
    config: ConfigOpt = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    report_dir: ReportDirOpt = None,
    quiet: QuietOpt = False,
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="Write the deployment bundle under DIR.")
    ] = None,
    environment: Annotated[
        str | None, typer.Option("--environment", help="Configuration to bundle (staging...).")
    ] = None,
    from_dir: Annotated[
        Path | None, typer.Option("--from", help="The other gates' reports for this commit.")
    ] = None,
    run_gates: Annotated[
        bool, typer.Option("--run-gates", help="Run the other gates first, as the evidence.")
    ] = False,
) -> None:
    """Release manager's go/no-go before tagging: the deploy gate, its bundle and summary;
    exit 3 if nothing was checked."""
    from atlas_ci import console
    from atlas_ci import deploy_check as dc

    def gate_run(target: str, out: Path | None, overrides: tuple[tuple[str, object], ...]) -> int:
        mine = target == "deploy"  # --only/--skip select deploy checks; evidence runs whole gates
        selected = (only, skip) if mine else (None, None)
        request = cli_execute.request(
            target, config, *selected, out, go_no_go=mine, overrides=overrides
        )
        return _run(request, quiet)

    cwd = Path.cwd()
    opts = dc.DeployOptions(bundle, environment, from_dir and cwd / from_dir, run_gates)
    with errors_to_exit():
        code, notes = dc.run(
            opts, _root(cwd), config and cwd / config, report_dir and cwd / report_dir, gate_run
        )
    for note in notes:
        console.print_text(console.make_console(), note)
    raise typer.Exit(code)


def _run(request: GateRequest, quiet: bool) -> int:
    from atlas_ci import interrupts

    # Signals are recorded from here (the entry point already does so from the first line).
    with interrupts.deferred(), errors_to_exit():
        code = cli_execute.execute(request, quiet)
        return interrupts.EXIT_CODE if interrupts.requested() else code
    raise AssertionError("unreachable")  # pragma: no cover - errors_to_exit raises typer.Exit


@app.command()
def smoke(  # noqa: PLR0917 - Typer maps each parameter to an option
    url: Annotated[str, typer.Option("--url", help="The running service, e.g. http://host:8080.")],
    report_dir: Annotated[Path, typer.Option("--report-dir")] = Path("reports"),
    log_file: Annotated[Path | None, typer.Option("--log-file", help="The service's log.")] = None,
    journal_unit: Annotated[
        str | None, typer.Option("--journal-unit", help="Read the log from journald.")
    ] = None,
    load_seconds: Annotated[
        float, typer.Option("--load-seconds", help="Locust run (0: none).")
    ] = 0,
    load_users: Annotated[int, typer.Option("--load-users")] = 5,
    max_p95_ms: Annotated[float, typer.Option("--max-p95-ms")] = 1000.0,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds per probe request.")] = 5.0,
    require_header: Annotated[
        list[str] | None, typer.Option("--require-header", help="NAME or NAME=VALUE; repeatable.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Production validation: health, readiness, metrics, logs, headers and a short load."""
    from dataclasses import replace

    from atlas_ci import console
    from atlas_ci import smoke as smoke_mod

    opts = smoke_mod.SmokeOptions(
        url=url,
        report_dir=report_dir,
        log_file=log_file,
        journal_unit=journal_unit,
        load_seconds=load_seconds,
        load_users=load_users,
        max_p95_ms=max_p95_ms,
        timeout=timeout,
    )
    if require_header:
        opts = replace(opts, require_headers=tuple(require_header))
    with errors_to_exit():
        report, code, _ = smoke_mod.run(opts, Path.cwd())
    if not quiet:
        console.print_table(console.make_console(), report)
    raise typer.Exit(code)


@baseline_app.command("update")
def baseline_update(
    target: Annotated[
        str,
        typer.Argument(
            help="A gate (default all): its findings and metrics go to .atlas-ci/baseline.json; "
            "perf: the stored benchmark baseline."
        ),
    ] = "all",
    prune: Annotated[
        bool, typer.Option("--prune", help="Drop baseline entries that no longer occur.")
    ] = False,
    config: ConfigOpt = None,
) -> None:
    """Record the current findings and metrics as accepted (a baseline and ratchet)."""
    from atlas_ci import baseline

    with errors_to_exit():
        cwd = Path.cwd()
        written = baseline.update(target, _root(cwd), cwd / config if config else None, prune=prune)
    for path in written:
        typer.echo(f"wrote {path}")


@app.command("init")
def init(
    action: Annotated[
        str | None,
        typer.Option("--action", help="The action to pin, OWNER/REPO@COMMIT (40-hex commit)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    branch: Annotated[str, typer.Option("--branch", help="The default branch.")] = "main",
) -> None:
    """Write an atlas-ci.toml and workflows fitted to this repository (never overwrites)."""
    from atlas_ci import init as init_mod

    with errors_to_exit():
        written = init_mod.run(Path.cwd(), action=action, force=force, branch=branch)
    for path in written.paths:
        typer.echo(f"wrote {path.relative_to(Path.cwd())}")


def main() -> None:
    """The console script's entry (kept for installs made before it moved to __main__)."""
    from atlas_ci.__main__ import main as entry

    entry()
