"""The one reader of pyproject.toml (and atlas-ci.toml): one parser, one error policy.

Policy: a missing file is `None` (the caller decides what absence means); a file that exists but
cannot be read or is not valid TOML — including tables nested past what the parser can recurse
through and integers too long to convert — raises `TomlError` with the file and the line. Inside
a check that is the check's `error` (TomlError is a CheckError); `config.py` turns it into exit 2.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from atlas_ci.errors import CheckError

PYPROJECT = "pyproject.toml"
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_LONG_NUMBER = re.compile(r"[0-9_]{4000,}")


class TomlError(CheckError):
    """A TOML file that exists but cannot be used; carries the file and, when known, the line."""

    def __init__(self, path: Path, reason: str, line: int | None = None) -> None:
        self.path, self.reason, self.line = path, reason, line
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


def read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; TomlError when it is missing, unreadable or not valid TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TomlError(path, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TomlError(path, f"cannot read file: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _POSITION.search(str(exc))
        # tomllib names no line for "at end of document": that is the last line.
        line = int(match.group(1)) if match else text.count("\n") + 1
        raise TomlError(path, f"malformed TOML: {_POSITION.sub('', str(exc))}", line) from None
    except RecursionError:
        reason = "malformed TOML: arrays or inline tables nested too deeply"
        raise TomlError(path, reason, _deep_line(text)) from None
    except ValueError:
        # int() refuses literals over sys.get_int_max_str_digits() digits.
        reason = "malformed TOML: an integer literal has too many digits"
        raise TomlError(path, reason, _line_of(text, _LONG_NUMBER)) from None


def _line_of(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _deep_line(text: str, limit: int = 100) -> int | None:
    """The line where bracket nesting first passes `limit` (strings are not told apart)."""
    depth, line = 0, 1
    for char in text:
        if char == "\n":
            line += 1
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line
        elif char in "]}":
            depth -= 1
    return None


def load(root: Path) -> dict[str, Any] | None:
    """`root/pyproject.toml` parsed; None when the project has none."""
    path = root / PYPROJECT
    if not path.exists():
        return None
    return read_toml(path)


def tool_table(data: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    """`[tool.<name>]` when it is a table."""
    tool = data.get("tool") if data else None
    table = tool.get(name) if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def project_table(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """`[project]` when it is a table."""
    table = data.get("project") if data else None
    return table if isinstance(table, dict) else None
