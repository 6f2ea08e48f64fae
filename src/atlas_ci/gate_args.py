"""The quiet `gate` command lines read without Typer: by the instant replay and the quick path.

`gate TARGET` with `-q`/`--quiet` and only `--only`, `--skip` (repeatable), `--report-dir` and
`--config` (the last one given wins, as with click), each as `--name VALUE` or `--name=VALUE`.
Anything else — another option, a short alias, a missing or empty value, a value that looks
like an option, bytes that are not text — is not read here: Typer reads it (cli.py), so an
unusual command line gets Typer's own handling and messages. tests/unit/core/test_gate_args.py
checks that both read every line this accepts to the same request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

_FLAGS = frozenset({"-q", "--quiet"})
_VALUED = {"--only": "only", "--skip": "skip", "--report-dir": "report_dir", "--config": "config"}


class QuietGate(NamedTuple):
    target: str
    only: tuple[str, ...]
    skip: tuple[str, ...]
    report_dir: str | None
    config: str | None


def parse(args: Sequence[str]) -> QuietGate | None:
    """The options of a quiet `gate` command line of the form above, else None."""
    if len(args) < 2 or args[0] != "gate" or not _usable(args[1]):
        return None
    found = _options(list(args[2:]))
    if found is None:
        return None
    last = {field: values[-1] if values else None for field, values in found.items()}
    return QuietGate(
        args[1], tuple(found["only"]), tuple(found["skip"]), last["report_dir"], last["config"]
    )


def _options(rest: list[str]) -> dict[str, list[str]] | None:
    """Each option's values in order, if the line is quiet and holds nothing else."""
    found: dict[str, list[str]] = {field: [] for field in _VALUED.values()}
    quiet = False
    while rest:
        arg = rest.pop(0)
        if arg in _FLAGS:
            quiet = True
            continue
        option = _option(arg, rest)
        if option is None:
            return None
        found[option[0]].append(option[1])
    return found if quiet else None


def _option(arg: str, rest: list[str]) -> tuple[str, str] | None:
    """(field, value) of `--name=VALUE`, or of `--name` and the next argument (taken)."""
    name, eq, value = arg.partition("=")
    field = _VALUED.get(name)
    if field is None:
        return None
    if not eq:
        if not rest:
            return None
        value = rest.pop(0)
    return (field, value) if _usable(value) else None


def _usable(text: str) -> bool:
    """A value as typed: not empty, not like an option, no undecodable bytes (surrogate
    escapes, which Typer decodes its own way)."""
    if not text or text.startswith("-"):
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
