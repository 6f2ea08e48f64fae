"""Typer app: each command is a short pipeline (config -> run -> reports -> exit code)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

if TYPE_CHECKING:
    from atlas_ci.changes import ChangeRequest
    from atlas_ci.config import LoadedConfig
    from atlas_ci.pipeline import GateRequest

import typer

from atlas_ci import __version__
from atlas_ci.cli_changed import ChangedCommand

app = typer.Typer(
    help="One quality gate for Python repositories: security, tests, quality, perf, reliability, "
    "deploy-readiness.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help text names config tables (`[tool.atlas-ci]`): never read as Rich markup.
    rich_markup_mode=None,
)
config_app = typer.Typer(
    help="Validate, show or describe the configuration.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
baseline_app = typer.Typer(
    help="Record stored baselines.", no_args_is_help=True, rich_markup_mode=None
)
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
app.add_typer(config_app, name="config")
app.add_typer(baseline_app, name="baseline")
app.add_typer(history_app, name="history")
app.add_typer(report_app, name="report")
app.add_typer(reports_app, name="reports")

GATES = ("security", "tests", "quality", "perf", "reliability", "deploy", "all")
# Options shared by every command that runs checks (gate, deploy-check): one definition each.
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (default: atlas-ci.toml, else [tool.atlas-ci] in pyproject.toml, "
        "in the project root: the nearest ancestor holding one, else the git top level).",
    ),
]
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--only", help="Run only this check (gate.check, a bare name or a gate); repeatable."
    ),
]
SkipOpt = Annotated[
    list[str] | None,
    typer.Option("--skip", help="Skip this check (gate.check, a bare name or a gate); repeatable."),
]
ReportDirOpt = Annotated[
    Path | None,
    typer.Option("--report-dir", help="Where reports go (default: [reports] dir, else reports/)."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress or table.")]


@contextlib.contextmanager
def errors_to_exit() -> Iterator[None]:
    """Our own errors become one message and the documented exit code; never a traceback."""
    from atlas_ci import console
    from atlas_ci.errors import AtlasCIError, ConfigError

    try:
        yield
    except ConfigError as exc:
        console.error(str(exc))
        raise typer.Exit(2) from None
    except AtlasCIError as exc:
        console.error(str(exc))
        raise typer.Exit(3) from None


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
        int | None, typer.Option("--jobs", "-j", help="Checks run at once (default: CPU count).")
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
    scope = _changes(changed, changed_lines)
    raise typer.Exit(
        _run(
            target,
            config,
            only,
            skip,
            report_dir,
            quiet,
            jobs=jobs,
            base=base,
            go_no_go=False,
            use_cache=not no_cache,
            changes=scope,
        )
    )


def _changes(changed: str | None, lines: bool) -> ChangeRequest | None:
    from atlas_ci.changes import ChangeRequest
    from atlas_ci.cli_changed import DEFAULT_BASE

    if changed is None and not lines:
        return None
    return ChangeRequest(None if changed in (None, DEFAULT_BASE) else changed, lines=lines)


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
    raise typer.Exit(
        _run(target, config, only, skip, report_dir, quiet, go_no_go=False, changes=scope)
    )


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
        return _run(target, config, *selected, out, quiet, go_no_go=mine, overrides=overrides)

    cwd = Path.cwd()
    opts = dc.DeployOptions(bundle, environment, from_dir and cwd / from_dir, run_gates)
    with errors_to_exit():
        code, notes = dc.run(
            opts, _root(cwd), config and cwd / config, report_dir and cwd / report_dir, gate_run
        )
    for note in notes:
        console.print_text(console.make_console(), note)
    raise typer.Exit(code)


def _run(  # noqa: PLR0917 - the shared options of the commands that run checks
    target: str,
    config: Path | None,
    only: list[str] | None,
    skip: list[str] | None,
    report_dir: Path | None,
    quiet: bool,
    *,
    jobs: int | None = None,
    base: str | None = None,
    go_no_go: bool,
    use_cache: bool = True,
    overrides: tuple[tuple[str, object], ...] = (),
    changes: ChangeRequest | None = None,
) -> int:
    from atlas_ci import interrupts
    from atlas_ci.pipeline import GateRequest

    # Signals are recorded from here (the entry point already does so from the first line).
    with interrupts.deferred(), errors_to_exit():
        cwd = Path.cwd()
        request = GateRequest(
            target=target,
            root=_root(cwd),
            config_path=cwd / config if config else None,
            only=tuple(only or ()),
            skip=tuple(skip or ()),
            report_dir=cwd / report_dir if report_dir else None,
            jobs=jobs,
            base=base,
            go_no_go=go_no_go,
            use_cache=use_cache,
            overrides=overrides,
            changes=changes,
        )
        code = _execute(request, quiet)
        return interrupts.EXIT_CODE if interrupts.requested() else code
    raise AssertionError("unreachable")  # pragma: no cover - errors_to_exit raises typer.Exit


def _execute(request: GateRequest, quiet: bool) -> int:
    from atlas_ci import console, pipeline, runner

    prepared = pipeline.prepare(request)
    out = console.make_console()
    progress = console.Progress(out, len(prepared.planned)) if not quiet else None
    with progress or contextlib.nullcontext():
        outcome = pipeline.execute(prepared, progress or runner.NullObserver())
    console.print_lines(out, outcome.annotations)
    if not quiet:
        console.print_results(out, outcome.report, outcome.written, request.root)
    for warning in outcome.warnings:
        typer.echo(f"atlas-ci: warning: {warning}", err=True)
    if outcome.problem:
        console.error(outcome.problem)
    return outcome.exit_code


def _root(cwd: Path) -> Path:
    from atlas_ci import config as config_mod

    return config_mod.find_root(cwd)


def _load(config: Path | None) -> tuple[LoadedConfig, Path]:
    """The config of the project the working directory belongs to, and that project's root."""
    from atlas_ci import config as config_mod

    cwd = Path.cwd()
    root = _root(cwd)
    return config_mod.load(root, cwd / config if config else None), root


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


@app.command("list")
def list_checks(config: ConfigOpt = None) -> None:
    """Every gate and check: enabled, disabled, not implemented or unavailable; tool and version."""
    from atlas_ci import console, inventory

    with errors_to_exit():
        cfg, root = _load(config)
        rows = inventory.rows(cfg, root)
    console.print_inventory(
        console.make_console(),
        [(r.check, r.state, r.tool or "-", r.version_shown) for r in rows],
    )


@app.command()
def doctor(config: ConfigOpt = None) -> None:
    """Is the config valid, and is each enabled check implemented and its tool installed?"""
    from atlas_ci import console, inventory

    with errors_to_exit():
        cfg, root = _load(config)
        rows = inventory.rows(cfg, root, enabled_only=True)
    out = console.make_console()
    console.print_text(out, f"config: {cfg.source or 'none found, using defaults'} (valid)")
    for r in rows:
        console.print_text(out, f"{r.check:<28} {r.tool or '-':<16} {r.doctor_state}")
    problems = inventory.problems(rows)
    for line in problems:
        console.print_text(out, f"problem: {line}")
    raise typer.Exit(3 if problems else 0)


@config_app.command("validate")
def config_validate(config: ConfigOpt = None) -> None:
    """Exit 0 when the config is valid, 2 with a message naming file, key and line when not."""
    with errors_to_exit():
        cfg, _ = _load(config)
    typer.echo(f"{cfg.source or 'no config file (defaults)'}: valid")


@config_app.command("show")
def config_show(config: ConfigOpt = None) -> None:
    """The effective config, defaults filled in, as JSON (credentials in it redacted)."""
    from atlas_ci import redact

    with errors_to_exit():
        cfg, _ = _load(config)
    # A webhook URL or token in the config must not reach a CI log through `config show`.
    typer.echo(redact.text(json.dumps(cfg.model.model_dump(mode="json"), indent=2)))


@config_app.command("schema")
def config_schema() -> None:
    """The JSON Schema of the config file."""
    from atlas_ci import config as config_mod

    typer.echo(json.dumps(config_mod.json_schema(), indent=2))


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
