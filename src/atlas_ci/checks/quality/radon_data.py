"""Reading radon's `cc -j` and `mi -j` JSON into plain records (no radon import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NotRequired, cast

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from atlas_ci.checks.base import relpath
from atlas_ci.checks.toolkit import validate
from atlas_ci.errors import CheckError

FUNCTION_KINDS = ("function", "method")


class FileError(TypedDict):
    """radon's entry for a file it could not parse."""

    error: str


class Entry(TypedDict):
    """A block of `radon cc -j`: a function, a method or a class (with its methods)."""

    type: Literal["function", "method", "class"]
    name: str
    lineno: int
    col_offset: int
    complexity: int
    classname: NotRequired[str | None]
    methods: NotRequired[list[Entry]]
    closures: NotRequired[list[Entry]]


class Maintainability(TypedDict):
    mi: float


CC_SHAPE = TypeAdapter(dict[str, list[Entry] | FileError])
MI_SHAPE = TypeAdapter(dict[str, Maintainability | FileError])


@dataclass(frozen=True)
class Block:
    """A function, method or class with its cyclomatic complexity (as `radon cc` lists it)."""

    path: str
    name: str
    kind: str
    line: int
    column: int
    complexity: int


@dataclass(frozen=True)
class Module:
    path: str
    mi: float


def _no_errors(data: dict[str, object], command: str, root: Path) -> None:
    """A file radon could not parse is an error, never a silent skip."""
    errors = [
        f"{relpath(path, root)}: {value['error']}"
        for path, value in data.items()
        if isinstance(value, dict) and "error" in value
    ]
    if errors:
        raise CheckError(
            f"radon {command} could not analyse {len(errors)} file(s): " + "; ".join(errors[:5])
        )


def parse_cc(data: object, root: Path) -> list[Block]:
    """Every function and method once, with methods, closures and inner classes' methods walked."""
    files = validate(data, CC_SHAPE, tool="radon cc")
    _no_errors(dict(files), "cc", root)
    found: dict[tuple[str, int, int], Block] = {}
    for path, entries in files.items():
        for entry in entries if isinstance(entries, list) else ():
            _walk(relpath(path, root), entry, None, found)
    return list(found.values())


def _walk(
    path: str, entry: Entry, parent: str | None, found: dict[tuple[str, int, int], Block]
) -> None:
    kind, name = entry["type"], entry["name"]
    if kind == "class":
        # `radon cc` reports a class's own score (its methods' average, plus one): so do we.
        if parent:
            name = f"{parent}.{name}"
        block = Block(path, name, kind, entry["lineno"], entry["col_offset"], entry["complexity"])
        found.setdefault((path, block.line, block.column), block)
    elif kind in FUNCTION_KINDS:
        if entry.get("classname") and kind == "method":
            name = f"{entry.get('classname')}.{name}"
        elif parent and not name.startswith(f"{parent}."):
            name = f"{parent}.{name}"  # a closure, named after the function holding it
        block = Block(path, name, kind, entry["lineno"], entry["col_offset"], entry["complexity"])
        # radon lists a method both inside its class and on its own: keep each def once.
        found.setdefault((path, block.line, block.column), block)
    for child in [*entry.get("methods", ()), *entry.get("closures", ())]:
        _walk(path, child, name, found)


def parse_mi(data: object, root: Path) -> list[Module]:
    files = validate(data, MI_SHAPE, tool="radon mi")
    _no_errors(dict(files), "mi", root)
    # After _no_errors every value is a Maintainability entry.
    return [Module(relpath(p, root), cast(Maintainability, v)["mi"]) for p, v in files.items()]
