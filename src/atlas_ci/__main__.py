"""The entry point (console script and `python -m atlas_ci`): signals guarded from the first line.

Kept free of heavy imports: Typer and the rest load only after the signal handlers are in place
(a Ctrl-C during start-up is then recorded, never a KeyboardInterrupt traceback), and
`--version` answers without loading them at all.
"""

from __future__ import annotations

import sys

from atlas_ci import __version__, interrupts

# Commands that finish their reports after a signal; the others just stop with exit 130.
_REPORTING_COMMANDS = frozenset({"gate", "deploy-check"})


def main() -> None:
    interrupts.install()
    args = sys.argv[1:]
    if args == ["--version"]:
        sys.stdout.write(f"atlas-ci {__version__}\n")
        return
    try:
        if not args or args[0] not in _REPORTING_COMMANDS:
            interrupts.raising()
        from atlas_ci.cli import app

        app(prog_name="atlas-ci")
    except interrupts.Stop:
        _stopped()


def _stopped() -> None:
    from atlas_ci import process

    process.begin_shutdown()
    process.kill_all()
    sys.stderr.write("atlas-ci: interrupted\n")
    sys.exit(interrupts.EXIT_CODE)


if __name__ == "__main__":
    main()
