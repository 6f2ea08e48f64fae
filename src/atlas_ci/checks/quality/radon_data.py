"""Reading radon's `cc -j` and `mi -j` JSON into plain records (no radon import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from atlas_ci.checks.base import relpath
from atlas_ci.errors import CheckError

FUNCTION_KINDS = ("function", "method")


@dataclass(frozen=True)
class Block:
    """A function or method with its cyclomatic complexity."""

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


def _files(data: Any, command: str, root: Path) -> dict[str, Any]:
    """radon's {path: result} map; a file it could not parse is an error, never a silent skip."""
    if not isinstance(data, dict):
        raise CheckError(f"radon {command} JSON output is not an object")
    errors = [
        f"{relpath(path, root)}: {value['error']}"
        for path, value in data.items()
        if isinstance(value, dict) and "error" in value
    ]
    if errors:
        raise CheckError(
            f"radon {command} could not analyse {len(errors)} file(s): " + "; ".join(errors[:5])
        )
    return {relpath(path, root): value for path, value in data.items()}


def parse_cc(data: Any, root: Path) -> list[Block]:
    """Every function and method once, with methods, closures and inner classes' methods walked."""
    found: dict[tuple[str, int, int], Block] = {}
    for path, entries in _files(data, "cc", root).items():
        if not isinstance(entries, list):
            raise CheckError(f"radon cc entry for {path} is not a list: {entries!r}")
        for entry in entries:
            _walk(path, entry, None, found)
    return list(found.values())


def _walk(
    path: str, entry: Any, parent: str | None, found: dict[tuple[str, int, int], Block]
) -> None:
    try:
        kind, name = entry["type"], str(entry["name"])
        if kind in FUNCTION_KINDS:
            if entry.get("classname") and kind == "method":
                name = f"{entry['classname']}.{name}"
            elif parent and not name.startswith(f"{parent}."):
                name = f"{parent}.{name}"  # a closure, named after the function holding it
            block = Block(
                path,
                name,
                kind,
                int(entry["lineno"]),
                int(entry["col_offset"]),
                int(entry["complexity"]),
            )
            # radon lists a method both inside its class and on its own: keep each def once.
            found.setdefault((path, block.line, block.column), block)
        elif kind != "class":
            raise ValueError(f"unknown block type {kind!r}")
        for child in [*entry.get("methods", ()), *entry.get("closures", ())]:
            _walk(path, child, name, found)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise CheckError(f"unexpected radon cc entry in {path}: {entry!r}: {exc}") from exc


def parse_mi(data: Any, root: Path) -> list[Module]:
    modules = []
    for path, value in _files(data, "mi", root).items():
        try:
            modules.append(Module(path, float(value["mi"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckError(f"unexpected radon mi entry for {path}: {value!r}: {exc}") from exc
    return modules
