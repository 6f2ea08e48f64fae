"""A gate run as the CLI shows it: live progress and the results table, or nothing when quiet.

Rich loads only when something is printed: a quiet run that has nothing to say never imports it.
Typer is not imported here: `run_quiet` runs the quiet command lines gate_args.py reads without
it (see there), and the Typer commands in cli.py call the same `request` and `execute`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atlas_ci.changes import ChangeRequest
    from atlas_ci.errors import AtlasCIError
    from atlas_ci.pipeline import GateRequest


def request(
    target: str,
    config: Path | None,
    only: Sequence[str] | None,
    skip: Sequence[str] | None,
    report_dir: Path | None,
    *,
    jobs: int | None = None,
    base: str | None = None,
    go_no_go: bool,
    use_cache: bool = True,
    overrides: tuple[tuple[str, object], ...] = (),
    changes: ChangeRequest | None = None,
    replay_args: tuple[str, ...] | None = None,
) -> GateRequest:
    """The request of a command's options; paths are relative to the working directory."""
    from atlas_ci import config as config_mod
    from atlas_ci.pipeline import GateRequest

    cwd = Path.cwd()
    return GateRequest(
        target=target,
        root=config_mod.find_root(cwd),
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
        replay_args=replay_args,
    )


def execute(request: GateRequest, quiet: bool) -> int:
    """Run the request; print its progress and results table, or with `quiet` only what must
    be said (annotations, warnings, a problem). Returns the exit code."""
    from atlas_ci import pipeline, runner

    prepared = pipeline.prepare(request)
    if quiet:
        # Rich (a twentieth of a second to import) only if there is something to print.
        outcome = pipeline.execute(prepared, runner.NullObserver())
        if outcome.annotations:
            from atlas_ci import console

            console.print_lines(console.make_console(), outcome.annotations)
    else:
        from atlas_ci import console

        out = console.make_console()
        with console.Progress(out, len(prepared.planned)) as progress:
            outcome = pipeline.execute(prepared, progress)
        console.print_lines(out, outcome.annotations)
        console.print_results(out, outcome.report, outcome.written, request.root)
    for warning in outcome.warnings:
        sys.stderr.write(f"atlas-ci: warning: {warning}\n")
    sys.stderr.flush()
    if outcome.problem:
        from atlas_ci import console

        console.error(outcome.problem)
    return outcome.exit_code


def failed(exc: AtlasCIError) -> int:
    """Our own error as one message; its documented exit code (2: config or usage, else 3)."""
    from atlas_ci import console  # Rich only when there is something to say
    from atlas_ci.errors import ConfigError

    console.error(str(exc))
    return 2 if isinstance(exc, ConfigError) else 3


def run_quiet(args: Sequence[str]) -> int | None:
    """The exit code of a quiet gate command line gate_args.py reads, run without Typer (which
    builds a Pydantic adapter per option on every start); None for any other line."""
    from atlas_ci import gate_args, interrupts
    from atlas_ci.errors import AtlasCIError

    options = gate_args.parse(args)
    if options is None:
        return None
    with interrupts.deferred():
        try:
            code = execute(
                request(
                    options.target,
                    Path(options.config) if options.config else None,
                    options.only,
                    options.skip,
                    Path(options.report_dir) if options.report_dir else None,
                    go_no_go=False,
                    replay_args=tuple(args),
                ),
                quiet=True,
            )
        except AtlasCIError as exc:
            code = failed(exc)
    return interrupts.EXIT_CODE if interrupts.requested() else code
