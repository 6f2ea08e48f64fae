"""`--changed [REF]`: an option whose value may be left out (Typer cannot declare one)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typer.core import TyperCommand

if TYPE_CHECKING:
    from atlas_ci.changes import ChangeRequest

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


def request(changed: str | None, lines: bool) -> ChangeRequest | None:
    """The changed-files request of `--changed [REF]` and `--changed-lines`, if any."""
    from atlas_ci.changes import ChangeRequest

    if changed is None and not lines:
        return None
    return ChangeRequest(None if changed in (None, DEFAULT_BASE) else changed, lines=lines)


class ChangedCommand(TyperCommand):
    """A command whose `--changed` option takes an optional value."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # ctx: Typer's own click Context (Typer vendors click), passed through untouched.
        return super().parse_args(ctx, with_default_ref(args))
