"""Which mypy config the project uses, found the way mypy itself looks for it (read-only)."""

from __future__ import annotations

import configparser
import tomllib
from pathlib import Path
from typing import Any

# mypy's own search order, per directory, from the working directory up to the VCS root.
OWN_FILES = ("mypy.ini", ".mypy.ini")
SHARED_FILES = ("pyproject.toml", "setup.cfg")
VCS_MARKERS = (".git", ".hg")


def find_section(root: Path) -> dict[str, Any] | None:
    """The global [mypy] options mypy will read when run from `root`; None when it has no config.

    A file mypy would fail to parse counts as "no options": mypy reports that error itself.
    """
    current = root.resolve()
    while True:
        for name in (*OWN_FILES, *SHARED_FILES):
            path = current / name
            if path.is_file():
                section = _read(path)
                if section is not None:
                    return section
        if any((current / marker).exists() for marker in VCS_MARKERS) or current.parent == current:
            break
        current = current.parent
    for user_file in ("~/.config/mypy/config", "~/.mypy.ini"):
        path = Path(user_file).expanduser()
        if path.is_file() and (section := _read(path)) is not None:
            return section
    return None


def _read(path: Path) -> dict[str, Any] | None:
    if path.name == "pyproject.toml":
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return {}
        tool = data.get("tool")
        section = tool.get("mypy") if isinstance(tool, dict) else None
        return section if isinstance(section, dict) else None
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return {}
    if not parser.has_section("mypy"):
        # mypy.ini without [mypy] is still mypy's config file; setup.cfg without it is not.
        return {} if path.name in OWN_FILES else None
    return dict(parser.items("mypy"))


def defines(section: dict[str, Any] | None, key: str) -> bool:
    """Does the config set `key` to a non-empty value (TOML list/string or INI string)?"""
    if not section:
        return False
    value = section.get(key, section.get(key.replace("_", "-")))
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)
