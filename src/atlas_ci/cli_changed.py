"""`--changed [REF]`: an option whose value may be left out (Typer cannot declare one)."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

OPTION = "--changed"
# Stands for "no REF given": the default base is chosen (see changes.py).
DEFAULT_BASE = "\0default"


def with_default_ref(args: list[str]) -> list[str]:
    """`--changed` at the end or before another option gets the default-base marker as value."""
    out: list[str] = []
    for i, arg in enumerate(args):
        out.append(arg)
        if arg == "--":
            out += args[i + 1 :]
            break
        following = args[i + 1] if i + 1 < len(args) else None
        if arg == OPTION and (following is None or following.startswith("-")):
            out.append(DEFAULT_BASE)
    return out


class ChangedCommand(TyperCommand):
    """A command whose `--changed` option takes an optional value."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # ctx: Typer's own click Context (Typer vendors click), passed through untouched.
        return super().parse_args(ctx, with_default_ref(args))
