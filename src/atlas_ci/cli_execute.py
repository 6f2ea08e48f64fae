"""A gate run as the CLI shows it: live progress and the results table, or nothing when quiet.

Rich loads only when something is printed: a quiet run that has nothing to say never imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from atlas_ci.pipeline import GateRequest


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
        typer.echo(f"atlas-ci: warning: {warning}", err=True)
    if outcome.problem:
        from atlas_ci import console

        console.error(outcome.problem)
    return outcome.exit_code
