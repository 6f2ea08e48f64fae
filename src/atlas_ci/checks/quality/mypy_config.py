"""Which mypy config the project uses, found the way mypy itself looks for it (read-only)."""

from __future__ import annotations

import configparser
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from atlas_ci import pyproject

# mypy's own search order, per directory, from the working directory up to the VCS root.
OWN_FILES = ("mypy.ini", ".mypy.ini")
SHARED_FILES = ("pyproject.toml", "setup.cfg")
VCS_MARKERS = (".git", ".hg")
USER_FILES = ("~/.config/mypy/config", "~/.mypy.ini")


def find_section(root: Path) -> dict[str, Any] | None:
    """The global [mypy] options mypy will read when run from `root`; None when it has no config.

    Like mypy, a file that fails to parse is skipped (mypy prints why) and the search goes on.
    """
    for path in _candidates(root):
        if path.is_file() and (section := _read(path)) is not None:
            return section
    return None


def _candidates(root: Path) -> Iterator[Path]:
    """mypy's search order: each directory up to the VCS root, then the user's own config."""
    current = root.resolve()
    while True:
        yield from (current / name for name in (*OWN_FILES, *SHARED_FILES))
        if any((current / marker).exists() for marker in VCS_MARKERS) or current.parent == current:
            break
        current = current.parent
    xdg = os.environ.get("XDG_CONFIG_HOME")
    if xdg:
        yield Path(xdg) / "mypy" / "config"
    yield from (Path(name).expanduser() for name in USER_FILES)


def _read(path: Path) -> dict[str, Any] | None:
    if path.name == pyproject.PYPROJECT:
        try:
            data = pyproject.read_toml(path)
        except pyproject.TomlError:
            return None  # mypy prints why and goes on searching: so does this prediction of it
        return pyproject.tool_table(data, "mypy")
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    if not parser.has_section("mypy"):
        # mypy.ini (or a user config) without [mypy] is still mypy's config; setup.cfg is not.
        return None if path.name in SHARED_FILES else {}
    return dict(parser.items("mypy"))


def defines(section: dict[str, Any] | None, key: str) -> bool:
    """Does the config set `key` to a non-empty value (TOML list/string or INI string)?"""
    if not section:
        return False
    value = section.get(key, section.get(key.replace("_", "-")))
    if isinstance(value, str):
        return bool(value.strip())
    return bool(value)


def excludes(section: dict[str, Any] | None) -> list[str]:
    """The config's `exclude` regexes, as mypy's own config reader lists them.

    In an INI file the value is one regex (possibly spanning lines, for `(?x)` patterns); in
    pyproject.toml a string or an array of strings.
    """
    value = (section or {}).get("exclude")
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return []
