"""The entry point (console script and `python -m atlas_ci`): signals guarded from the first line.

Kept free of heavy imports: Typer and the rest load only after the signal handlers are in place
(a Ctrl-C during start-up is then recorded, never a KeyboardInterrupt traceback), and
`--version` and an instant replay (replay.py) answer without loading them at all; a quiet gate
command line (gate_args.py) runs without Typer.
"""

from __future__ import annotations

import sys

from atlas_ci import __version__, gc_tuning, interrupts

# Commands that finish their reports after a signal; the others just stop with exit 130.
_REPORTING_COMMANDS = frozenset({"gate", "deploy-check"})


def main() -> None:
    interrupts.install()
    gc_tuning.loading()
    code = _run(sys.argv[1:])
    if interrupts.requested():
        code = interrupts.EXIT_CODE
    # The outcome is decided. Python's finalization resets caught signals to their default
    # action, so a late SIGTERM would end the process with -15: ignored signals stay ignored.
    interrupts.ignore()
    sys.exit(code)


def _run(args: list[str]) -> int:
    if args == ["--version"]:
        sys.stdout.write(f"atlas-ci {__version__}\n")
        return 0
    try:
        if not args or args[0] not in _REPORTING_COMMANDS:
            interrupts.raising()
        if args[:1] == ["gate"]:
            # A quiet run over an unchanged tree: answered before Typer and the rest load; over
            # a changed one, its tools may be started now (head_start.py).
            from atlas_ci import replay

            replayed = replay.serve(args)
            if replayed is not None:
                return replayed
            # The same quiet command lines, when they must run: without Typer (cli_execute.py).
            from atlas_ci import cli_execute

            quick = cli_execute.run_quiet(args)
            if quick is not None:
                return quick
        from atlas_ci.cli import app

        app(prog_name="atlas-ci")
    except SystemExit as exc:
        return _code(exc.code)
    except interrupts.Stop:
        _stop_children()
        sys.stderr.write("atlas-ci: interrupted\n")
        return interrupts.EXIT_CODE
    finally:
        # Programs a head start launched that no check claimed (a config error, an interrupt,
        # a check that asked for another argv) end with the run. Only a run that loaded the
        # module can have launched any: other commands need not import it.
        started_ahead = sys.modules.get("atlas_ci.head_start")
        if started_ahead is not None:
            started_ahead.end()
    return 0


def _code(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    sys.stderr.write(f"{value}\n")  # sys.exit("message") prints it and exits 1
    return 1


def _stop_children() -> None:
    from atlas_ci import process

    process.begin_shutdown()
    process.kill_all()


if __name__ == "__main__":
    main()
