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
_REPEATED = {"--only": "only", "--skip": "skip"}
_SINGLE = {"--report-dir": "report_dir", "--config": "config"}


class QuietGate(NamedTuple):
    target: str
    only: tuple[str, ...]
    skip: tuple[str, ...]
    report_dir: str | None
    config: str | None


def parse(args: Sequence[str]) -> QuietGate | None:
    """The options of a quiet `gate` command line of the form above, else None."""
    if len(args) < 2 or args[0] != "gate" or not _plain(args[1]) or args[1].startswith("-"):
        return None
    lists: dict[str, list[str]] = {"only": [], "skip": []}
    single: dict[str, str | None] = {"report_dir": None, "config": None}
    quiet = False
    rest = list(args[2:])
    while rest:
        arg = rest.pop(0)
        if arg in _FLAGS:
            quiet = True
            continue
        name, eq, value = arg.partition("=")
        if name not in _REPEATED and name not in _SINGLE:
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        if not value or value.startswith("-") or not _plain(value):
            return None
        if name in _REPEATED:
            lists[_REPEATED[name]].append(value)
        else:
            single[_SINGLE[name]] = value
    if not quiet:
        return None
    return QuietGate(
        args[1], tuple(lists["only"]), tuple(lists["skip"]), single["report_dir"], single["config"]
    )


def _plain(text: str) -> bool:
    """Text as typed: no undecodable bytes (surrogate escapes), which Typer decodes its own way."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
